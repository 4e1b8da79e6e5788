// HeadStats: a snapshot of the head's size and time range, for
// /api/v1/status/tsdb, runtimeinfo and the DB's decision when to cut a block.
// Plain value type.
#pragma once

#include <cstdint>

namespace strata::tsdb {

struct HeadStats {
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  int64_t min_time_ms = 0;
  int64_t max_time_ms = 0;
};

}  // namespace strata::tsdb
