#include "tsdb/index/postings.h"

#include <algorithm>
#include <queue>

namespace strata::tsdb {

PostingList intersect(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.size() > b.size()) std::swap(a, b);
  PostingList out;
  out.reserve(a.size());
  // Galloping through the longer list pays off when sizes differ a lot.
  if (a.size() * 16 < b.size()) {
    auto lo = b.begin();
    for (uint32_t x : a) {
      lo = std::lower_bound(lo, b.end(), x);
      if (lo == b.end()) break;
      if (*lo == x) out.push_back(x);
    }
    return out;
  }
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

PostingList merge_union(const std::vector<const PostingList*>& lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return *lists[0];
  size_t total = 0;
  for (auto* l : lists) total += l->size();
  PostingList out;
  out.reserve(total);
  if (lists.size() == 2) {
    std::set_union(lists[0]->begin(), lists[0]->end(), lists[1]->begin(), lists[1]->end(),
                   std::back_inserter(out));
    return out;
  }
  for (auto* l : lists) out.insert(out.end(), l->begin(), l->end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

PostingList subtract(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  PostingList out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace strata::tsdb
