// Retention, as Prometheus' BeyondTimeRetention / BeyondSizeRetention: whole
// blocks are dropped, never parts of them. Pure functions; the BlockStore
// deletes the chosen directories.
#pragma once

#include <cstdint>
#include <vector>

#include "tsdb/block/meta.h"

namespace strata::tsdb {

struct RetentionBlock {
  BlockMeta meta;
  uint64_t size_bytes = 0;
};

// Indices of blocks past the time limit: sorted newest first (by max time),
// every block whose max time is more than `retention_ms` before the newest
// block's max time is deleted, and so is every older one; the newest block is
// always kept. retention_ms <= 0 disables.
std::vector<size_t> beyond_time_retention(const std::vector<RetentionBlock>& blocks,
                                          int64_t retention_ms);

// Indices of blocks past the size limit: starting from `head_bytes` (the WAL
// and head chunk files, which count against the limit), block sizes are added
// newest first; the block that crosses `max_bytes` and all older ones are
// deleted. max_bytes <= 0 disables.
std::vector<size_t> beyond_size_retention(const std::vector<RetentionBlock>& blocks,
                                          int64_t max_bytes, uint64_t head_bytes);

}  // namespace strata::tsdb
