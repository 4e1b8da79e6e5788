#include "tsdb/head/head_postings.h"

#include <algorithm>
#include <mutex>

#include "absl/container/flat_hash_set.h"

namespace strata::tsdb {
namespace {

void insert_sorted(PostingList& l, uint32_t id) {
  // Growing by a quarter instead of doubling: a series sits in ~10 lists, and
  // the spare room of doubled lists would cost ~20 bytes per series.
  if (l.size() == l.capacity()) l.reserve(l.size() + l.size() / 4 + 4);
  // Ids are handed out in increasing order, so this is nearly always a push_back.
  if (l.empty() || l.back() < id) {
    l.push_back(id);
    return;
  }
  auto it = std::lower_bound(l.begin(), l.end(), id);
  if (it == l.end() || *it != id) l.insert(it, id);
}

// Removes the sorted ids `gone` from the sorted list in one pass.
void remove_sorted(PostingList& l, const std::vector<uint32_t>& gone) {
  auto g = gone.begin();
  auto out = l.begin();
  for (auto it = l.begin(); it != l.end(); ++it) {
    while (g != gone.end() && *g < *it) ++g;
    if (g != gone.end() && *g == *it) continue;
    *out++ = *it;
  }
  l.erase(out, l.end());
  // Give memory back when a list shrank a lot (churned-away targets).
  if (l.capacity() > 64 && l.size() < l.capacity() / 4) l.shrink_to_fit();
}

}  // namespace

void HeadPostings::add(uint32_t id, const std::vector<std::pair<uint32_t, uint32_t>>& label_syms) {
  std::unique_lock lock(mu_);
  for (const auto& [n, v] : label_syms) insert_sorted(index_[n][v], id);
  insert_sorted(all_, id);
}

void HeadPostings::add_names(const std::vector<uint32_t>& names) {
  std::unique_lock lock(mu_);
  for (uint32_t n : names) index_[n];
}

void HeadPostings::add_all(const std::vector<uint32_t>& ids) {
  std::unique_lock lock(mu_);
  all_.reserve(all_.size() + ids.size());
  for (uint32_t id : ids) insert_sorted(all_, id);
}

void HeadPostings::remove(
    const std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>>>& series) {
  if (series.empty()) return;
  // Which ids leave which list, each sorted.
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> by_pair;
  std::vector<uint32_t> ids;
  ids.reserve(series.size());
  for (const auto& [id, pairs] : series) {
    ids.push_back(id);
    for (const auto& p : pairs) by_pair[p].push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (auto& [p, v] : by_pair) std::sort(v.begin(), v.end());
  std::unique_lock lock(mu_);
  for (const auto& [p, gone] : by_pair) {
    auto it = index_.find(p.first);
    if (it == index_.end()) continue;
    auto vit = it->second.find(p.second);
    if (vit == it->second.end()) continue;
    remove_sorted(vit->second, gone);
    if (vit->second.empty()) it->second.erase(vit);
    if (it->second.empty()) index_.erase(it);
  }
  remove_sorted(all_, ids);
}

PostingList HeadPostings::get(uint32_t name, uint32_t value) const {
  std::shared_lock lock(mu_);
  auto it = index_.find(name);
  if (it == index_.end()) return {};
  auto vit = it->second.find(value);
  if (vit == it->second.end()) return {};
  return vit->second;
}

PostingList HeadPostings::all() const {
  std::shared_lock lock(mu_);
  return all_;
}

std::vector<uint32_t> HeadPostings::values(uint32_t name) const {
  std::shared_lock lock(mu_);
  std::vector<uint32_t> out;
  auto it = index_.find(name);
  if (it == index_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [v, l] : it->second) out.push_back(v);
  return out;
}

std::vector<uint32_t> HeadPostings::names() const {
  std::shared_lock lock(mu_);
  std::vector<uint32_t> out;
  out.reserve(index_.size());
  for (const auto& [n, v] : index_) out.push_back(n);
  return out;
}

}  // namespace strata::tsdb
