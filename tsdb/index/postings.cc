#include "tsdb/index/postings.h"

#include <algorithm>
#include <mutex>
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

void MemPostings::insert_sorted(PostingList& l, uint32_t id) {
  // Ids are handed out in increasing order, so this is nearly always a push_back.
  if (l.empty() || l.back() < id) {
    l.push_back(id);
    return;
  }
  auto it = std::lower_bound(l.begin(), l.end(), id);
  if (it == l.end() || *it != id) l.insert(it, id);
}

void MemPostings::add(uint32_t id, const std::vector<std::pair<uint32_t, uint32_t>>& label_syms) {
  std::unique_lock lock(mu_);
  for (const auto& [n, v] : label_syms) insert_sorted(index_[n][v], id);
  insert_sorted(all_, id);
}

void MemPostings::remove(uint32_t id,
                         const std::vector<std::pair<uint32_t, uint32_t>>& label_syms) {
  std::unique_lock lock(mu_);
  auto erase = [id](PostingList& l) {
    auto it = std::lower_bound(l.begin(), l.end(), id);
    if (it != l.end() && *it == id) l.erase(it);
  };
  for (const auto& [n, v] : label_syms) {
    auto it = index_.find(n);
    if (it == index_.end()) continue;
    auto vit = it->second.find(v);
    if (vit == it->second.end()) continue;
    erase(vit->second);
    if (vit->second.empty()) it->second.erase(vit);
    if (it->second.empty()) index_.erase(it);
  }
  erase(all_);
}

PostingList MemPostings::get(uint32_t name, uint32_t value) const {
  std::shared_lock lock(mu_);
  auto it = index_.find(name);
  if (it == index_.end()) return {};
  auto vit = it->second.find(value);
  if (vit == it->second.end()) return {};
  return vit->second;
}

PostingList MemPostings::all() const {
  std::shared_lock lock(mu_);
  return all_;
}

std::vector<uint32_t> MemPostings::values(uint32_t name) const {
  std::shared_lock lock(mu_);
  std::vector<uint32_t> out;
  auto it = index_.find(name);
  if (it == index_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [v, l] : it->second) out.push_back(v);
  return out;
}

std::vector<uint32_t> MemPostings::names() const {
  std::shared_lock lock(mu_);
  std::vector<uint32_t> out;
  out.reserve(index_.size());
  for (const auto& [n, v] : index_) out.push_back(n);
  return out;
}

}  // namespace strata::tsdb
