#include "tsdb/compact/planner.h"

#include <algorithm>
#include <numeric>

namespace strata::tsdb {
namespace {

constexpr int64_t kMaxBlockDurationMs = int64_t(31) * 24 * 3600 * 1000;

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Groups of consecutive blocks (sorted by min time) that fall into the same
// aligned range of width tr; blocks wider than their range are skipped.
std::vector<std::vector<size_t>> split_by_range(const std::vector<BlockMeta>& m,
                                                const std::vector<size_t>& order, int64_t tr) {
  std::vector<std::vector<size_t>> out;
  for (size_t i = 0; i < order.size();) {
    const BlockMeta& b = m[order[i]];
    int64_t t0 = tr * floor_div(b.min_time_ms, tr);
    if (b.max_time_ms > t0 + tr) {
      ++i;
      continue;
    }
    std::vector<size_t> group;
    for (; i < order.size(); ++i) {
      const BlockMeta& x = m[order[i]];
      if (x.min_time_ms < t0 || x.max_time_ms > t0 + tr) break;
      group.push_back(order[i]);
    }
    if (!group.empty()) out.push_back(std::move(group));
  }
  return out;
}

}  // namespace

std::vector<int64_t> exponential_block_ranges(int64_t min_ms, int steps, int factor) {
  std::vector<int64_t> out;
  int64_t r = min_ms;
  for (int i = 0; i < steps; ++i, r *= factor) out.push_back(r);
  return out;
}

std::vector<int64_t> compaction_ranges(int64_t retention_ms, int64_t block_range_ms) {
  int64_t max_ms = retention_ms > 0 ? std::min(retention_ms / 10, kMaxBlockDurationMs)
                                    : kMaxBlockDurationMs;
  std::vector<int64_t> out;
  for (int64_t r : exponential_block_ranges(block_range_ms, 10, 3)) {
    if (r > max_ms && !out.empty()) break;
    out.push_back(r);
  }
  return out;
}

std::vector<size_t> plan_compaction(const std::vector<BlockMeta>& metas,
                                    const std::vector<int64_t>& ranges) {
  std::vector<size_t> order(metas.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return metas[a].min_time_ms < metas[b].min_time_ms;
  });
  if (order.empty()) return {};
  // 1. Overlapping blocks (e.g. after out-of-order ingestion or a backfill).
  std::vector<size_t> overlapping;
  int64_t global_maxt = metas[order[0]].max_time_ms;
  for (size_t i = 1; i < order.size(); ++i) {
    const BlockMeta& d = metas[order[i]];
    if (d.min_time_ms < global_maxt) {
      if (overlapping.empty()) overlapping.push_back(order[i - 1]);
      overlapping.push_back(order[i]);
    } else if (!overlapping.empty()) {
      break;
    }
    global_maxt = std::max(global_maxt, d.max_time_ms);
  }
  if (!overlapping.empty()) return overlapping;

  // 2. Leave the newest block out: it gives a backup tool a block range of
  // time to copy it before it is merged away.
  order.pop_back();
  if (!order.empty() && ranges.size() >= 2) {
    int64_t high_time = metas[order.back()].min_time_ms;
    for (size_t r = 1; r < ranges.size(); ++r) {
      for (const auto& p : split_by_range(metas, order, ranges[r])) {
        bool failed = std::any_of(p.begin(), p.end(),
                                  [&](size_t i) { return metas[i].compaction.failed; });
        if (failed) continue;
        int64_t mint = metas[p.front()].min_time_ms, maxt = metas[p.back()].max_time_ms;
        if ((maxt - mint == ranges[r] || maxt <= high_time) && p.size() > 1) return p;
      }
    }
  }
  // 3. Big enough blocks with more than 5 % tombstones are rewritten alone.
  for (size_t k = order.size(); k-- > 0;) {
    const BlockMeta& m = metas[order[k]];
    if (m.max_time_ms - m.min_time_ms < ranges[ranges.size() / 2]) {
      if (m.stats.num_tombstones > 0 && m.stats.num_tombstones >= m.stats.num_series) {
        return {order[k]};
      }
      break;
    }
    if (double(m.stats.num_tombstones) / double(m.stats.num_series + 1) > 0.05) return {order[k]};
  }
  return {};
}

std::optional<std::pair<int64_t, int64_t>> head_cut_range(int64_t head_mint_ms,
                                                          int64_t head_maxt_ms,
                                                          int64_t block_range_ms) {
  if (head_maxt_ms < head_mint_ms) return std::nullopt;  // empty head
  if (head_maxt_ms - head_mint_ms <= block_range_ms / 2 * 3) return std::nullopt;
  int64_t mint = head_mint_ms;
  int64_t maxt = floor_div(mint, block_range_ms) * block_range_ms + block_range_ms;
  return std::make_pair(mint, maxt);
}

}  // namespace strata::tsdb
