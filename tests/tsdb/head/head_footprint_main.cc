// tsdb_head_footprint: measures the head's heap bytes per series. Builds
// `--series` label sets shaped like bench/loadgen's (job, instance, region,
// env, service, __name__ and one or two family labels; 500 series per
// instance), then appends `--samples` rounds 15 s apart through appenders
// of 2,000 series, and prints the heap growth (glibc mallinfo2) and the RSS
// growth divided by the series count. Not a test: figures vary by machine.
// Half the series are integer counters; the other half gauges, by default
// full-precision random walks (the worst case for compression), with
// `--values realistic` byte gauges in multiples of 4,096 as exporters send.
//
//   tsdb_head_footprint [--series N] [--samples N] [--values worst|realistic]
#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

size_t heap_bytes() {
  malloc_trim(0);
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

size_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * size_t(sysconf(_SC_PAGESIZE));
}

std::vector<Labels> make_labels(uint64_t n) {
  static const char* kJobs[] = {"api", "node", "db", "cache", "frontend", "worker"};
  static const char* kRegions[] = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1"};
  static const char* kNames[] = {"http_requests_total",
                                 "grpc_server_handled_total",
                                 "node_network_receive_bytes_total",
                                 "node_filesystem_avail_bytes",
                                 "queue_depth",
                                 "http_request_duration_seconds_bucket"};
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  static const char* kStatus[] = {"200", "201", "204", "400", "404", "500"};
  static const char* kHandlers[] = {"/api/v1/users", "/api/v1/orders", "/api/v1/items",
                                    "/api/v1/login", "/healthz",       "/metrics"};
  std::vector<Labels> out;
  out.reserve(n);
  for (uint64_t k = 0; k < n; ++k) {
    uint64_t i = k / 500, j = k % 500;
    std::string inst = "10." + std::to_string((i >> 16) & 255) + "." +
                       std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255) + ":" +
                       std::to_string(9100 + i % 7);
    out.push_back(Labels::from_strings(
        {"job", kJobs[i % 6], "instance", inst, "region", kRegions[(i / 6) % 4], "env",
         i % 10 == 9 ? "staging" : "prod", "service", "svc-" + std::to_string(i % 97), "__name__",
         kNames[j % 6], "method", kMethods[(j / 6) % 4], "status", kStatus[(j / 24) % 6], "handler",
         kHandlers[(j / 144) % 6]}));
  }
  return out;
}

int run(uint64_t series, int samples, bool realistic) {
  std::vector<Labels> labels = make_labels(series);
  std::vector<double> values(series);
  std::vector<double> incs(series);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  for (uint64_t i = 0; i < series; ++i) {
    values[i] = std::floor(1000 * std::exp(10 * u(rng)));
    incs[i] = std::exp(5 * u(rng));
  }
  std::vector<SeriesRef> refs(series, 0);
  size_t heap0 = heap_bytes(), rss0 = rss_bytes();
  {
    metrics::Registry reg;
    Head head(HeadOptions{}, &reg);
    size_t heap_empty = heap_bytes();
    for (int r = 0; r < samples; ++r) {
      int64_t t = 1700000000000 + int64_t(r) * 15000 + int64_t(rng() % 50);
      for (uint64_t b = 0; b < series; b += 2000) {
        auto app = head.appender();
        for (uint64_t i = b; i < std::min(series, b + 2000); ++i) {
          if (i % 2 == 0)
            values[i] += std::floor(incs[i] * (0.5 + u(rng)));  // counters
          else
            values[i] = values[i] * (0.98 + 0.04 * u(rng));  // gauges
          if (realistic && i % 2 == 1) values[i] = std::floor(values[i] / 4096) * 4096;
          auto ref = app->append(refs[i], labels[i], t, values[i]);
          if (!ref.ok()) {
            std::fprintf(stderr, "append: %s\n", std::string(ref.status().message()).c_str());
            return 1;
          }
          refs[i] = *ref;
        }
        if (!app->commit().ok()) return 1;
      }
    }
    size_t heap1 = heap_bytes(), rss1 = rss_bytes();
    std::printf("series=%llu samples_per_series=%d values=%s\n", (unsigned long long)series,
                samples, realistic ? "realistic" : "worst");
    std::printf("empty head heap:      %zu bytes\n", heap_empty - heap0);
    std::printf("heap bytes/series:    %.1f (excluding the empty head)\n",
                double(heap1 - heap_empty) / double(series));
    std::printf("rss bytes/series:     %.1f (including the empty head)\n",
                double(rss1 > rss0 ? rss1 - rss0 : 0) / double(series));
    std::printf("series+chunks/series: %.1f (MemSeries, labels, chunk buffers)\n",
                double(head.series_bytes()) / double(series));
    std::printf("symbol bytes:         %zu\n", head.symbols().string_bytes());
    // Where the series bytes go (allocated sizes, malloc's own 8 bytes not
    // counted).
    size_t open_bytes = 0, open_used = 0, sealed_bytes = 0, sealed_used = 0, nsealed = 0,
           compact = 0, list = 0, structs = 0;
    for (uint32_t id = 0; id < uint32_t(series); ++id) {
      const MemSeries* s = head.by_id(id);
      if (!s) continue;
      structs += s->allocated_bytes() - s->sealed.allocated_bytes() -
                 (s->open.buf ? s->open.buf->allocated_bytes() : 0);
      if (s->open.buf) open_bytes += s->open.buf->allocated_bytes(), open_used += s->open.buf->size();
      list += s->sealed.allocated_bytes();
      for (const SealedChunk& c : s->sealed) {
        ++nsealed;
        sealed_bytes += c.buf->allocated_bytes();
        sealed_used += c.buf->size();
        compact += c.buf->encoding() == ChunkEncoding::kCompact;
        list -= c.buf->allocated_bytes();
      }
    }
    double n = double(series);
    std::printf("  series struct+labels %.1f\n", double(structs) / n);
    std::printf("  open chunk           %.1f allocated, %.1f used\n", open_bytes / n, open_used / n);
    std::printf("  sealed chunks        %.1f allocated, %.1f used, %.2f per series, %.0f%% compact\n",
                sealed_bytes / n, sealed_used / n, nsealed / n, 100.0 * double(compact) / double(nsealed ? nsealed : 1));
    std::printf("  chunk lists          %.1f\n", list / n);
  }
  return 0;
}

}  // namespace
}  // namespace strata::tsdb

int main(int argc, char** argv) {
  uint64_t series = 100000;
  int samples = 40;
  bool realistic = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--series")) series = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--samples")) samples = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--values")) realistic = !std::strcmp(argv[i + 1], "realistic");
  }
  return strata::tsdb::run(series, samples, realistic);
}
