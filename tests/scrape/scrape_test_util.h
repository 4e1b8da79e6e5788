// Helpers for scrape/'s tests: an in-memory DB and a dump of what it holds.
#pragma once

#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/metrics.h"
#include "tsdb/db.h"
#include "tsdb/series.h"

namespace strata::scrape::testing {

struct MemDb {
  metrics::Registry registry;
  std::unique_ptr<tsdb::DB> db = std::move(*tsdb::DB::open(tsdb::DBOptions{""}, &registry));
};

// Every series as its labels' text -> samples (t, v); stale markers as the
// value -1e300 so tests can compare them.
using Dump = std::map<std::string, std::vector<std::pair<int64_t, double>>>;
inline constexpr double kStale = -1e300;

inline Dump dump(tsdb::DB& db) {
  Dump out;
  auto q = db.querier(std::numeric_limits<int64_t>::min() / 2, std::numeric_limits<int64_t>::max() / 2);
  if (!q.ok()) return out;
  auto m = tsdb::Matcher::make(tsdb::MatchType::kRegexMatch, "__name__", ".+");
  auto set = (*q)->select({}, {*m});
  while (set->next()) {
    auto& s = set->at();
    auto& samples = out[s.labels().to_string()];
    auto it = s.iterator();
    while (it.next()) {
      double v = it.v();
      if (std::bit_cast<uint64_t>(v) == tsdb::kStaleNaNBits) v = kStale;
      samples.push_back({it.t(), v});
    }
  }
  return out;
}

}  // namespace strata::scrape::testing
