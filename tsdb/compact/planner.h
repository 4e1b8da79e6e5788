// Compaction planning, as Prometheus' LeveledCompactor: block ranges grow by
// a factor of 3 from the 2 h head block (6 h, 18 h, 54 h, ...) up to 10 % of
// the retention time and at most 31 d. Overlapping blocks are merged first;
// otherwise the newest block is left alone and the smallest range that a
// group of adjacent blocks fills (or that lies wholly before the newest
// block) is merged. Pure functions over BlockMeta.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tsdb/block/meta.h"

namespace strata::tsdb {

inline constexpr int64_t kDefaultBlockRangeMs = int64_t(2) * 3600 * 1000;

// min, min*factor, min*factor^2, ... (steps values).
std::vector<int64_t> exponential_block_ranges(int64_t min_ms, int steps, int factor);
// Prometheus' defaults: 10 steps of x3 from `block_range_ms`, cut at
// min(retention/10, 31 d). A zero retention means no cut but 31 d.
std::vector<int64_t> compaction_ranges(int64_t retention_ms,
                                       int64_t block_range_ms = kDefaultBlockRangeMs);

// Indices into `metas` of the blocks to merge next, empty when nothing is
// due. `metas` in any order; `num_tombstones` of each block should be filled
// from its tombstones so heavily deleted blocks get rewritten.
std::vector<size_t> plan_compaction(const std::vector<BlockMeta>& metas,
                                    const std::vector<int64_t>& ranges);

// The head's range [mint, maxt) to write as a block when the head spans more
// than 1.5 block ranges (Prometheus' head.compactable()): the block range that
// holds the head's oldest sample.
std::optional<std::pair<int64_t, int64_t>> head_cut_range(int64_t head_mint_ms,
                                                          int64_t head_maxt_ms,
                                                          int64_t block_range_ms);

}  // namespace strata::tsdb
