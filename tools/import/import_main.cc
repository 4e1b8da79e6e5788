#include "tools/import/import_main.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/filesystem.h"
#include "tsdb/promblock/prom_import.h"

namespace strata::tools {

int import_main(int argc, char** argv) {
  if (argc < 1 || std::strcmp(argv[0], "prometheus-tsdb") != 0) {
    std::fprintf(stderr, "stratatool: error: expected \"import prometheus-tsdb\", try --help\n");
    return 2;
  }
  std::string src, dst;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--storage.tsdb.path=", 0) == 0) {
      dst = a.substr(std::strlen("--storage.tsdb.path="));
    } else if (a == "--storage.tsdb.path" && i + 1 < argc) {
      dst = argv[++i];
    } else if (!a.empty() && a[0] != '-' && src.empty()) {
      src = a;
    } else {
      std::fprintf(stderr, "stratatool: error: unexpected argument %s, try --help\n", a.c_str());
      return 2;
    }
  }
  if (src.empty() || dst.empty()) {
    std::fprintf(stderr,
                 "stratatool: error: usage: stratatool import prometheus-tsdb SRC_DIR "
                 "--storage.tsdb.path=DST_DIR\n");
    return 2;
  }
  auto r = tsdb::prom::import_prom_dir(posix_file_system(), src, dst);
  if (!r.ok()) {
    std::fprintf(stderr, "stratatool: import failed: %s\n", std::string(r.status().message()).c_str());
    return 1;
  }
  uint64_t series = 0, samples = 0;
  for (const auto& m : r->written) {
    std::printf("wrote block %s [%lld, %lld) %llu series, %llu samples\n", m.ulid.c_str(),
                (long long)m.min_time_ms, (long long)m.max_time_ms,
                (unsigned long long)m.stats.num_series, (unsigned long long)m.stats.num_samples);
    series += m.stats.num_series;
    samples += m.stats.num_samples;
  }
  std::printf("imported %zu Prometheus block(s) into %zu Strata block(s): %llu samples\n",
              r->source_blocks, r->written.size(), (unsigned long long)samples);
  if (!r->written.empty()) {
    // Strata's retention counts back from the newest block: history older
    // than --storage.tsdb.retention.time goes at the first maintenance.
    int64_t mint = r->written.front().min_time_ms, maxt = mint;
    for (const auto& m : r->written) {
      mint = std::min(mint, m.min_time_ms);
      maxt = std::max(maxt, m.max_time_ms);
    }
    const int64_t span_ms = maxt - mint;
    const int64_t days = (span_ms + 86400000 - 1) / 86400000;
    if (days > 15) {
      std::fprintf(stderr,
                   "note: the imported history spans %lld days; start strata with "
                   "--storage.tsdb.retention.time=%lldd or more (the default is 15d), or its "
                   "retention deletes the oldest imported blocks\n",
                   (long long)days, (long long)days);
    }
  }
  if (r->skipped_histogram_series > 0) {
    std::fprintf(stderr,
                 "warning: %llu series hold native histogram chunks, which Strata does not "
                 "store; their histogram samples were not imported\n",
                 (unsigned long long)r->skipped_histogram_series);
  }
  if (r->head_not_imported) {
    std::fprintf(stderr,
                 "warning: %s has a wal/ or chunks_head/ directory; samples still in "
                 "Prometheus' head (the last ~2-3 hours) were not imported. To include them, "
                 "call POST /api/v1/admin/tsdb/snapshot on Prometheus (--web.enable-admin-api) "
                 "and import the snapshot directory\n",
                 src.c_str());
  }
  return 0;
}

}  // namespace strata::tools
