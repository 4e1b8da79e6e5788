// Block storage micro-benchmarks: compact chunk encode/decode speed, disk
// bytes per sample of whole blocks for realistic workloads, postings
// intersection on a block index, and reading series merged across blocks.
// Run: build/bench/tsdb_block_bench.
//
// Workloads (2 h of 15 s samples per series, 2000 series):
//   counter      counters growing by Poisson(rate*15) increments, rates
//                log-uniform in [0.01, 1000]/s (request/byte counters)
//   counter_u    counters growing by uniform random integers in [0, 99]
//   counter_j    as `counter` with +-3 ms timestamp jitter
//   gauge_dec    random-walk gauges with 0, 1 or 2 decimals, step sigma
//                log-uniform in [0.1, 100] (temperatures, queue lengths, bytes)
//   gauge_float  full-precision float random walk (computed ratios): no
//                lossless coding can do much here
//   histogram    12 cumulative bucket counters per histogram (_bucket series)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/filesystem.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/chunkenc/compact_chunk.h"
#include "tsdb/block/postings_for_matchers.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace strata::tsdb {
namespace {

constexpr int kSamples = 480;  // 2 h at 15 s
constexpr int kSeries = 2000;
const char* kKinds[] = {"counter", "counter_u", "counter_j", "gauge_dec", "gauge_float", "histogram"};

uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

struct SeriesData {
  std::vector<int64_t> t;
  std::vector<uint64_t> v;
};

std::vector<SeriesData> workload(int kind, int series = kSeries) {
  std::mt19937_64 rng(kind + 1);
  std::vector<SeriesData> out(series);
  const int64_t t0 = 1700000000000;
  for (int s = 0; s < series; ++s) {
    auto& d = out[s];
    d.t.resize(kSamples);
    d.v.resize(kSamples);
    double rate = std::exp(std::uniform_real_distribution<double>(std::log(0.01), std::log(1000))(rng));
    double sigma = std::exp(std::uniform_real_distribution<double>(std::log(0.1), std::log(100))(rng));
    double p = std::pow(10, s % 3);
    double val = kind == 3 ? std::round(std::uniform_real_distribution<double>(0, 1000)(rng) * p) / p : 0;
    for (int i = 0; i < kSamples; ++i) {
      d.t[i] = t0 + int64_t(i) * 15000 +
               (kind == 2 ? int64_t(std::uniform_int_distribution<int>(-3, 3)(rng)) : 0);
      switch (kind) {
        case 0:
        case 2: val += double(std::poisson_distribution<int64_t>(rate * 15)(rng)); break;
        case 1: val += double(std::uniform_int_distribution<int>(0, 99)(rng)); break;
        case 3: val = std::round((val + std::normal_distribution<double>(0, sigma)(rng) / p) * p) / p; break;
        case 4: val += std::normal_distribution<double>(0, 1)(rng); break;
        default: {
          // Bucket le_k of a histogram holds the observations <= its bound.
          int64_t obs = std::poisson_distribution<int64_t>(rate * 15)(rng);
          val += double(std::binomial_distribution<int64_t>(obs, double(s % 12 + 1) / 12)(rng));
        }
      }
      d.v[i] = bits(val);
    }
  }
  return out;
}

void BM_CompactChunk_Encode(benchmark::State& state) {
  auto data = workload(int(state.range(0)), 200);
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& d : data) {
      out.clear();
      encode_compact_chunk(d.t.data(), d.v.data(), d.t.size(), &out);
      bytes += out.size();
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(kKinds[state.range(0)]);
  state.SetItemsProcessed(int64_t(state.iterations()) * 200 * kSamples);
  state.counters["B/sample"] = double(bytes) / (200.0 * kSamples);
}
BENCHMARK(BM_CompactChunk_Encode)->DenseRange(0, 5);

void BM_CompactChunk_Decode(benchmark::State& state) {
  auto data = workload(int(state.range(0)), 200);
  std::vector<std::string> chunks;
  for (const auto& d : data) {
    chunks.emplace_back();
    encode_compact_chunk(d.t.data(), d.v.data(), d.t.size(), &chunks.back());
  }
  CompactChunkDecoder dec;
  for (auto _ : state) {
    for (const auto& c : chunks) {
      dec.decode(c);
      benchmark::DoNotOptimize(dec.v_bits());
    }
  }
  state.SetLabel(kKinds[state.range(0)]);
  state.SetItemsProcessed(int64_t(state.iterations()) * 200 * kSamples);
}
BENCHMARK(BM_CompactChunk_Decode)->DenseRange(0, 5);

// The head's XOR chunks (120 samples each) on the same data, for comparison.
void BM_XorChunk_Decode(benchmark::State& state) {
  auto data = workload(int(state.range(0)), 200);
  std::vector<std::string> chunks;
  size_t bytes = 0;
  for (const auto& d : data) {
    for (int a = 0; a < kSamples; a += 120) {
      XorAppender x;
      for (int i = a; i < a + 120; ++i) {
        double v;
        std::memcpy(&v, &d.v[i], 8);
        x.append(d.t[i], v);
      }
      bytes += x.size_bytes();
      chunks.push_back(x.release());
    }
  }
  for (auto _ : state) {
    for (const auto& c : chunks) {
      XorIterator it(c);
      while (it.next()) benchmark::DoNotOptimize(it.v_bits());
    }
  }
  state.SetLabel(kKinds[state.range(0)]);
  state.SetItemsProcessed(int64_t(state.iterations()) * 200 * kSamples);
  state.counters["B/sample"] = double(bytes) / (200.0 * kSamples);
}
BENCHMARK(BM_XorChunk_Decode)->DenseRange(0, 5);

// Whole blocks on disk: every byte of the block directory per sample.
void BM_Block_BytesPerSample(benchmark::State& state) {
  int kind = int(state.range(0));
  bool compress = state.range(1) != 0;
  auto data = workload(kind);
  FileSystem* fs = posix_file_system();
  char tmpl[] = "/tmp/strata_block_bench_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  uint64_t total = 0, chunk_bytes = 0;
  for (auto _ : state) {
    BlockWriterOptions opts;
    opts.compress_chunks = compress;
    auto w = BlockWriter::create(fs, dir, 0, INT64_MAX, opts);
    for (int s = 0; s < kSeries; ++s) {
      char name[32];
      std::snprintf(name, sizeof name, "%06d", s);
      Labels l = Labels::from_strings({"__name__", kKinds[kind], "instance", "host-1:9100",
                                       "job", "node", "series", name});
      (void)(*w)->add_series(l, data[s].t.data(), data[s].v.data(), kSamples);
    }
    auto meta = (*w)->finish();
    std::string bdir = join_path(dir, meta->ulid);
    total = *fs->disk_usage(bdir);
    chunk_bytes = *fs->disk_usage(join_path(bdir, "chunks"));
    (void)fs->remove_all(bdir);
  }
  (void)fs->remove_all(dir);
  double n = double(kSeries) * kSamples;
  state.SetLabel(std::string(kKinds[kind]) + (compress ? " zstd" : " raw"));
  state.counters["B/sample"] = double(total) / n;
  state.counters["chunk_B/sample"] = double(chunk_bytes) / n;
  state.SetItemsProcessed(int64_t(state.iterations()) * kSeries * kSamples);
}
BENCHMARK(BM_Block_BytesPerSample)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5}, {0, 1}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Postings: {job="node", series=~"00.*"} style selection on a 100k-series index.
void BM_Postings_Intersect(benchmark::State& state) {
  std::vector<IndexSeries> series;
  for (int s = 0; s < 100000; ++s) {
    char inst[32], id[32];
    std::snprintf(inst, sizeof inst, "host-%d", s % 1000);
    std::snprintf(id, sizeof id, "%06d", s);
    series.push_back({Labels::from_strings({"__name__", s % 2 ? "a" : "b", "instance", inst,
                                            "job", s % 10 ? "node" : "api", "series", id}),
                      {{0, 1, 8}}});
  }
  std::sort(series.begin(), series.end(),
            [](const IndexSeries& a, const IndexSeries& b) { return a.labels < b.labels; });
  std::string bytes = build_index(series);
  auto ix = IndexReader::from_bytes(bytes);
  Matchers ms = {*Matcher::make(MatchType::kEqual, "__name__", "a"),
                 *Matcher::make(MatchType::kEqual, "job", "node"),
                 *Matcher::make(MatchType::kRegexMatch, "instance", "host-1.*")};
  size_t n = 0;
  for (auto _ : state) {
    n = postings_for_matchers(**ix, ms).size();
    benchmark::DoNotOptimize(n);
  }
  state.counters["matched"] = double(n);
}
BENCHMARK(BM_Postings_Intersect)->Unit(benchmark::kMicrosecond);

// Reads and decodes every series through a MergeQuerier over `blocks` blocks
// that hold the same 2000 counters in consecutive 2 h ranges, as a query
// over a long range does: each series is merged from every block.
void BM_Querier_SelectMerge(benchmark::State& state) {
  int nblocks = int(state.range(0));
  auto data = workload(0);
  FileSystem* fs = posix_file_system();
  char tmpl[] = "/tmp/strata_block_bench_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::vector<std::shared_ptr<Block>> blocks;
  const int64_t range = int64_t(kSamples) * 15000;
  for (int b = 0; b < nblocks; ++b) {
    int64_t shift = b * range;
    auto w = BlockWriter::create(fs, dir, data[0].t[0] + shift, data[0].t[0] + shift + range);
    std::vector<int64_t> t(kSamples);
    for (int s = 0; s < kSeries; ++s) {
      char name[32];
      std::snprintf(name, sizeof name, "%06d", s);
      Labels l = Labels::from_strings({"__name__", "counter", "job", "node", "series", name});
      for (int i = 0; i < kSamples; ++i) t[i] = data[s].t[i] + shift;
      (void)(*w)->add_series(l, t.data(), data[s].v.data(), kSamples);
    }
    auto meta = (*w)->finish();
    blocks.push_back(*Block::open(join_path(dir, meta->ulid), fs));
  }
  Matchers all = {*Matcher::make(MatchType::kRegexMatch, "__name__", ".+")};
  size_t samples = 0;
  std::vector<Sample> buf;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Querier>> qs;
    for (const auto& b : blocks) qs.push_back(b->querier(INT64_MIN / 2, INT64_MAX / 2));
    MergeQuerier mq(std::move(qs));
    samples = 0;
    std::unique_ptr<SeriesSet> set = mq.select({.sorted = true}, all);
    while (set->next()) {
      buf.clear();
      (void)set->at().decode(INT64_MIN / 2, INT64_MAX / 2, &buf);
      samples += buf.size();
    }
    benchmark::DoNotOptimize(samples);
  }
  blocks.clear();
  (void)fs->remove_all(dir);
  state.counters["samples"] = double(samples);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(samples));
}
BENCHMARK(BM_Querier_SelectMerge)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata::tsdb

BENCHMARK_MAIN();
