#include "tsdb/block/merge_querier.h"

#include <algorithm>
#include <queue>

#include "base/status.h"

namespace strata::tsdb {
namespace {

std::vector<std::string> union_sorted(std::vector<std::vector<std::string>> lists, size_t limit) {
  std::vector<std::string> out;
  for (auto& l : lists) {
    for (auto& s : l) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace

std::vector<Series> merge_series_sets(std::vector<std::vector<Series>> sets) {
  std::vector<Series> out;
  size_t nonempty = 0, total = 0;
  for (const auto& s : sets) {
    nonempty += !s.empty();
    total += s.size();
  }
  if (nonempty <= 1) {
    for (auto& s : sets) {
      if (!s.empty()) return std::move(s);
    }
    return out;
  }
  out.reserve(total);
  // Heap of (set index, position) ordered by labels, ties by set index so the
  // chunks of equal series are appended in source order.
  std::vector<size_t> pos(sets.size(), 0);
  auto greater = [&](size_t a, size_t b) {
    int c = Labels::compare(sets[a][pos[a]].labels(), sets[b][pos[b]].labels());
    return c != 0 ? c > 0 : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
  for (size_t i = 0; i < sets.size(); ++i) {
    if (!sets[i].empty()) heap.push(i);
  }
  while (!heap.empty()) {
    size_t i = heap.top();
    heap.pop();
    Series& s = sets[i][pos[i]];
    if (!out.empty() && out.back().labels() == s.labels()) {
      Series& prev = out.back();
      std::vector<ChunkRef> chunks = prev.chunks();
      chunks.insert(chunks.end(), s.chunks().begin(), s.chunks().end());
      prev = Series(std::move(prev.mutable_labels()), std::move(chunks),
                    std::min(prev.mint_ms(), s.mint_ms()), std::max(prev.maxt_ms(), s.maxt_ms()));
    } else {
      out.push_back(std::move(s));
    }
    if (++pos[i] < sets[i].size()) heap.push(i);
  }
  return out;
}

absl::StatusOr<std::vector<Series>> MergeQuerier::select(bool sorted, const SelectHints* hints,
                                                         const Matchers& matchers) {
  std::vector<std::vector<Series>> sets;
  sets.reserve(queriers_.size());
  for (auto& q : queriers_) {
    STRATA_ASSIGN_OR_RETURN(auto s, q->select(true, hints, matchers));
    sets.push_back(std::move(s));
  }
  (void)sorted;  // always sorted: merging needs it anyway
  return merge_series_sets(std::move(sets));
}

absl::StatusOr<std::vector<std::string>> MergeQuerier::label_names(const Matchers& matchers,
                                                                    size_t limit) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    STRATA_ASSIGN_OR_RETURN(auto l, q->label_names(matchers, 0));
    lists.push_back(std::move(l));
  }
  return union_sorted(std::move(lists), limit);
}

absl::StatusOr<std::vector<std::string>> MergeQuerier::label_values(const std::string& name,
                                                                     const Matchers& matchers,
                                                                     size_t limit) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    STRATA_ASSIGN_OR_RETURN(auto l, q->label_values(name, matchers, 0));
    lists.push_back(std::move(l));
  }
  return union_sorted(std::move(lists), limit);
}

}  // namespace strata::tsdb
