// Micro-benchmarks of the remote-write receive path, on request bodies from
// the load generator's realistic workload (2000 series per request, ~10
// labels each, one sample per series, like Prometheus' default batches).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "remote/codec.h"
#include "remote/write_ingest.h"
#include "remote/series_ref_cache.h"
#include "remote/write_view.h"
#include "remote/wire_check.h"
#include "api/remote/write_handler.h"
#include "bench/loadgen/workload.h"
#include "tsdb/db.h"

namespace strata::bench {
namespace {

// `rounds` rounds of one 2000-series batch.
const Workload& workload(int rounds = 1) {
  static std::map<int, Workload> cache;
  auto it = cache.find(rounds);
  if (it != cache.end()) return it->second;
  WorkloadOptions o;
  o.series = 2000;
  o.batch = 2000;
  o.rounds = rounds;
  o.start_ms = 1'700'000'000'000;
  return cache.emplace(rounds, build_workload(o)).first->second;
}

const Body& body() { return workload().bodies[0][0]; }

std::string raw_body() { return remote::snappy_decode(body().compressed).value(); }

void BM_RemoteWrite_SnappyDecode(benchmark::State& state) {
  const std::string& c = body().compressed;
  for (auto _ : state) benchmark::DoNotOptimize(remote::snappy_decode(c));
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(body().raw_bytes));
}
BENCHMARK(BM_RemoteWrite_SnappyDecode);

// protobuf parse only; arg 1 = arena sized by arena_options_for, 0 = default arena.
void BM_RemoteWrite_Parse(benchmark::State& state) {
  const std::string raw = raw_body();
  for (auto _ : state) {
    google::protobuf::Arena arena(state.range(0) ? remote::arena_options_for(raw.size())
                                                 : google::protobuf::ArenaOptions());
    auto* req = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
    benchmark::DoNotOptimize(req->ParseFromArray(raw.data(), int(raw.size())));
  }
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(raw.size()));
}
BENCHMARK(BM_RemoteWrite_Parse)->Arg(0)->Arg(1);

void BM_RemoteWrite_ParseNoArena(benchmark::State& state) {
  const std::string raw = raw_body();
  for (auto _ : state) {
    prometheus::WriteRequest req;
    benchmark::DoNotOptimize(req.ParseFromArray(raw.data(), int(raw.size())));
  }
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(raw.size()));
}
BENCHMARK(BM_RemoteWrite_ParseNoArena);

// The receiver's fast path: decoded in place into a reused view (no
// libprotobuf, no per-string allocation); compare with Parse + CheckKnownFields.
void BM_RemoteWrite_DecodeView(benchmark::State& state) {
  const std::string raw = raw_body();
  remote::WriteRequestView view;
  for (auto _ : state) benchmark::DoNotOptimize(remote::decode_write_request_view(raw, &view));
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(raw.size()));
}
BENCHMARK(BM_RemoteWrite_DecodeView);

void BM_RemoteWrite_CheckKnownFields(benchmark::State& state) {
  const std::string raw = raw_body();
  google::protobuf::Arena arena;
  auto* req = remote::parse_write_request(raw, &arena).value();
  for (auto _ : state) benchmark::DoNotOptimize(remote::check_known_fields(*req));
  state.SetItemsProcessed(state.iterations() * body().samples);
}
BENCHMARK(BM_RemoteWrite_CheckKnownFields);

// Snappy + parse + wire-type check: everything before storage.
void BM_RemoteWrite_Decode(benchmark::State& state) {
  const std::string& c = body().compressed;
  for (auto _ : state) {
    auto raw = remote::snappy_decode(c);
    google::protobuf::Arena arena(remote::arena_options_for(raw->size()));
    benchmark::DoNotOptimize(remote::parse_write_request(*raw, &arena));
  }
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(c.size()));
}
BENCHMARK(BM_RemoteWrite_Decode);

void BM_RemoteWrite_Encode(benchmark::State& state) {
  google::protobuf::Arena arena;
  auto* req = remote::decode_write_request(body().compressed, &arena).value();
  for (auto _ : state) benchmark::DoNotOptimize(remote::encode_write_request(*req));
  state.SetItemsProcessed(state.iterations() * body().samples);
  state.SetBytesProcessed(state.iterations() * int64_t(body().raw_bytes));
}
BENCHMARK(BM_RemoteWrite_Encode);

// Label conversion, sorting check and validation, into an appender that
// drops everything: the receiver's own cost per sample.
class NullAppendable : public tsdb::Appendable {
  class App : public tsdb::Appender {
   public:
    absl::StatusOr<tsdb::SeriesRef> append(tsdb::SeriesRef, const tsdb::Labels& l, int64_t,
                                           double) override {
      return tsdb::SeriesRef(l.size());
    }
    void update_metadata(const std::string&, const tsdb::MetricMetadata&) override {}
    absl::Status commit() override { return absl::OkStatus(); }
    void rollback() override {}
  };

 public:
  std::unique_ptr<tsdb::Appender> appender() override { return std::make_unique<App>(); }
};

void BM_RemoteWrite_IngestNullStorage(benchmark::State& state) {
  const std::string raw = raw_body();
  NullAppendable sink;
  for (auto _ : state) {
    state.PauseTiming();
    auto arena = std::make_unique<google::protobuf::Arena>(remote::arena_options_for(raw.size()));
    auto* req = remote::parse_write_request(raw, arena.get()).value();
    state.ResumeTiming();
    benchmark::DoNotOptimize(remote::ingest_write_request(*req, sink));
    state.PauseTiming();
    arena.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * body().samples);
}
BENCHMARK(BM_RemoteWrite_IngestNullStorage);

void BM_RemoteWrite_IngestViewNullStorage(benchmark::State& state) {
  const std::string raw = raw_body();
  NullAppendable sink;
  remote::WriteRequestView view;
  remote::decode_write_request_view(raw, &view);
  for (auto _ : state) benchmark::DoNotOptimize(remote::ingest_write_request(view, sink));
  state.SetItemsProcessed(state.iterations() * body().samples);
}
BENCHMARK(BM_RemoteWrite_IngestViewNullStorage);

// The whole handler into a real head: decode, validate, append, commit.
// Each iteration sends the next round (later timestamps) of the same series.
// Arg 0: in memory (the receive path alone); arg 1: with the WAL in a
// temporary directory (default fsync policy), so the difference is the WAL.
void BM_RemoteWrite_HandleIntoHead(benchmark::State& state) {
  constexpr int kRounds = 64;
  const Workload& w = workload(kRounds);
  metrics::Registry reg;
  tsdb::DBOptions opts;
  std::string tmp;
  auto fresh_dir = [&] {
    if (state.range(0) == 0) return std::string();
    if (!tmp.empty()) std::filesystem::remove_all(tmp);
    char templ[] = "/tmp/strata-bench-wal.XXXXXX";
    tmp = mkdtemp(templ);
    return tmp;
  };
  opts.dir = fresh_dir();
  auto db = std::move(tsdb::DB::open(opts, &reg).value());
  auto handler = std::make_unique<api::remote::WriteHandler>(*db, reg);
  api::HttpRequest req;
  req.method = "POST";
  req.headers = {{"content-type", "application/x-protobuf"}, {"content-encoding", "snappy"}};
  int round = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    if (round == kRounds) {  // start over on a fresh head, untimed
      state.PauseTiming();
      handler.reset();
      db.reset();
      opts.dir = fresh_dir();
      db = std::move(tsdb::DB::open(opts, &reg).value());
      handler = std::make_unique<api::remote::WriteHandler>(*db, reg);
      round = 0;
      state.ResumeTiming();
    }
    req.body = w.bodies[size_t(round)][0].compressed;
    api::HttpResponse resp;
    handler->handle(req, resp);
    if (resp.status != 204) state.SkipWithError(resp.body.c_str());
    samples += w.bodies[size_t(round)][0].samples;
    ++round;
  }
  state.SetItemsProcessed(samples);
  handler.reset();
  db.reset();
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
}
BENCHMARK(BM_RemoteWrite_HandleIntoHead)->Arg(0)->Arg(1);

// Decompressed body to committed head samples, arg 0 through libprotobuf
// (parse, wire check, ingest moving the strings), arg 1 through the in-place
// view, arg 2 the view plus the series cache (the receiver's fast path).
void BM_RemoteWrite_DecodeIngestIntoHead(benchmark::State& state) {
  constexpr int kRounds = 64;
  const Workload& w = workload(kRounds);
  std::vector<std::string> raws;
  for (int r = 0; r < kRounds; ++r) raws.push_back(remote::snappy_decode(w.bodies[size_t(r)][0].compressed).value());
  metrics::Registry reg;
  tsdb::DBOptions opts;
  opts.dir = "";
  auto db = std::move(tsdb::DB::open(opts, &reg).value());
  const bool view_path = state.range(0) >= 1;
  remote::SeriesRefCache cache;
  remote::SeriesRefCache* use_cache = state.range(0) == 2 ? &cache : nullptr;
  prometheus::WriteRequest msg;
  remote::WriteRequestView view;
  int round = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    if (round == kRounds) {
      state.PauseTiming();
      db = std::move(tsdb::DB::open(opts, &reg).value());
      cache.~SeriesRefCache();  // refs of the old head
      new (&cache) remote::SeriesRefCache();
      round = 0;
      state.ResumeTiming();
    }
    const std::string& raw = raws[size_t(round)];
    tsdb::IngestResult r;
    if (view_path) {
      remote::decode_write_request_view(raw, &view);
      r = remote::ingest_write_request(view, *db, {}, use_cache);
    } else {
      if (!remote::parse_write_request_into(raw, &msg).ok()) state.SkipWithError("parse");
      r = remote::ingest_write_request(msg, *db);
    }
    samples += int64_t(r.samples_written);
    ++round;
  }
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_RemoteWrite_DecodeIngestIntoHead)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace strata::bench

BENCHMARK_MAIN();
