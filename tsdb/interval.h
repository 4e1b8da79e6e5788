// Interval: a closed time range of deleted samples (a tombstone). The head
// keeps them per series in memory and logs them to the WAL; blocks store them
// in their tombstones file (block/tombstones.h). Plain value type.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata::tsdb {

struct Interval {
  int64_t mint_ms;  // inclusive
  int64_t maxt_ms;  // inclusive
  bool operator==(const Interval&) const = default;
};

// Whether t lies in one of the sorted, disjoint intervals.
inline bool in_intervals(const std::vector<Interval>& ivs, int64_t t) {
  auto it = std::upper_bound(ivs.begin(), ivs.end(), t,
                             [](int64_t x, const Interval& iv) { return x < iv.mint_ms; });
  if (it == ivs.begin()) return false;
  --it;
  return t <= it->maxt_ms;
}

}  // namespace strata::tsdb
