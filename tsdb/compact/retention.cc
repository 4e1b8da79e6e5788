#include "tsdb/compact/retention.h"

#include <algorithm>
#include <numeric>

namespace strata::tsdb {
namespace {

std::vector<size_t> newest_first(const std::vector<RetentionBlock>& blocks) {
  std::vector<size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), size_t(0));
  // As Prometheus' deletableBlocks: by max time, newest first.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return blocks[a].meta.max_time_ms > blocks[b].meta.max_time_ms;
  });
  return order;
}

}  // namespace

std::vector<size_t> beyond_time_retention(const std::vector<RetentionBlock>& blocks,
                                          int64_t retention_ms) {
  if (blocks.empty() || retention_ms <= 0) return {};
  std::vector<size_t> order = newest_first(blocks);
  const int64_t newest_maxt = blocks[order[0]].meta.max_time_ms;
  for (size_t i = 1; i < order.size(); ++i) {
    if (newest_maxt - blocks[order[i]].meta.max_time_ms > retention_ms) {
      return std::vector<size_t>(order.begin() + long(i), order.end());
    }
  }
  return {};
}

std::vector<size_t> beyond_size_retention(const std::vector<RetentionBlock>& blocks,
                                          int64_t max_bytes, uint64_t head_bytes) {
  if (blocks.empty() || max_bytes <= 0) return {};
  std::vector<size_t> order = newest_first(blocks);
  uint64_t total = head_bytes;
  for (size_t i = 0; i < order.size(); ++i) {
    total += blocks[order[i]].size_bytes;
    if (total > uint64_t(max_bytes)) return std::vector<size_t>(order.begin() + long(i), order.end());
  }
  return {};
}

}  // namespace strata::tsdb
