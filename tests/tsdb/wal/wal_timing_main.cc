// tsdb_wal_timing: measures the head's durability paths on this machine.
//   1. commit throughput: `--threads` appenders, each committing batches of
//      `--batch` samples of its own series, with the WAL on (fsync policy
//      `--sync`), `--samples` rounds over `--series` series;
//   2. replay (start-up) time of the WAL that phase 1 wrote.
// Prints one line per phase. Not a test: figures depend on the machine.
//
//   tsdb_wal_timing [--series N] [--samples N] [--threads N] [--batch N]
//                   [--sync always|interval|never] [--dir DIR] [--workers N]
//                   [--replay-only 1]
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

size_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * size_t(sysconf(_SC_PAGESIZE));
}

Labels make_labels(uint64_t k) {
  static const char* kJobs[] = {"api", "node", "db", "cache", "frontend", "worker"};
  static const char* kNames[] = {"http_requests_total",
                                 "grpc_server_handled_total",
                                 "node_network_receive_bytes_total",
                                 "node_filesystem_avail_bytes",
                                 "queue_depth",
                                 "http_request_duration_seconds_bucket"};
  uint64_t i = k / 500, j = k % 500;
  std::string inst = "10." + std::to_string((i >> 16) & 255) + "." +
                     std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255) + ":9100";
  return Labels::from_strings({"__name__", kNames[j % 6], "job", kJobs[i % 6], "instance", inst,
                               "service", "svc-" + std::to_string(i % 97), "series",
                               std::to_string(j)});
}

struct Args {
  uint64_t series = 1000000;
  int samples = 10;
  int threads = 2;
  int batch = 2000;
  int workers = 0;
  std::string sync = "never";
  std::string dir;
  bool replay_only = false;  // --replay-only 1: replay an existing --dir
};

int run(const Args& a) {
  std::string dir = a.dir;
  bool own_dir = dir.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/strata-wal-timing-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  HeadOptions o;
  o.dir = dir;
  o.replay_workers = a.workers;
  if (!parse_wal_sync_policy(a.sync, &o.wal.sync)) {
    std::fprintf(stderr, "bad --sync %s\n", a.sync.c_str());
    return 2;
  }
  std::vector<Labels> labels(a.replay_only ? 0 : a.series);
  for (uint64_t i = 0; i < labels.size(); ++i) labels[i] = make_labels(i);
  if (!a.replay_only) {
    metrics::Registry reg;
    auto h = Head::open(o, &reg);
    if (!h.ok()) return 1;
    double t0 = monotonic_seconds();
    std::vector<std::thread> ts;
    for (int th = 0; th < a.threads; ++th) {
      ts.emplace_back([&, th] {
        std::vector<SeriesRef> refs(a.series, 0);
        for (int r = 0; r < a.samples; ++r) {
          int64_t t = 1700000000000 + int64_t(r) * 15000;
          for (uint64_t b = uint64_t(th) * a.batch; b < a.series;
               b += uint64_t(a.threads) * a.batch) {
            auto app = (*h)->appender();
            for (uint64_t i = b; i < std::min(a.series, b + a.batch); ++i) {
              auto ref = app->append(refs[i], labels[i], t, double(i + r));
              if (ref.ok()) refs[i] = *ref;
            }
            if (!app->commit().ok()) std::abort();
          }
        }
      });
    }
    for (auto& t : ts) t.join();
    double dt = monotonic_seconds() - t0;
    double n = double(a.series) * a.samples;
    std::printf(
        "commit: %d threads, sync=%s, batch=%d: %.0f samples/s (%.2f s for %.0f samples, "
        "%llu series; WAL %.1f MiB)\n",
        a.threads, a.sync.c_str(), a.batch, n / dt, dt, n, (unsigned long long)a.series,
        double((*h)->wal_size_bytes()) / (1 << 20));
    (void)(*h)->close();
  }
  labels.clear();
  labels.shrink_to_fit();
  size_t rss0 = rss_bytes();
  {
    metrics::Registry reg;
    double t0 = monotonic_seconds();
    auto h = Head::open(o, &reg);
    double dt = monotonic_seconds() - t0;
    if (!h.ok()) return 1;
    std::printf("replay: %.2f s for %llu series, %.0f samples (%.0f samples/s), RSS +%.0f MiB\n",
                dt, (unsigned long long)(*h)->stats().num_series, double(a.series) * a.samples,
                double(a.series) * a.samples / dt, double(rss_bytes() - rss0) / (1 << 20));
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace strata::tsdb

int main(int argc, char** argv) {
  strata::tsdb::Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--series")
      a.series = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--samples")
      a.samples = std::atoi(v.c_str());
    else if (k == "--threads")
      a.threads = std::atoi(v.c_str());
    else if (k == "--batch")
      a.batch = std::atoi(v.c_str());
    else if (k == "--workers")
      a.workers = std::atoi(v.c_str());
    else if (k == "--sync")
      a.sync = v;
    else if (k == "--dir")
      a.dir = v;
    else if (k == "--replay-only")
      a.replay_only = v == "1";
  }
  strata::log::configure(strata::log::Level::kWarn, strata::log::Format::kLogfmt);
  return strata::tsdb::run(a);
}
