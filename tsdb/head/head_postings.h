// HeadPostings: the head's inverted index, label name -> value -> sorted
// series ids, keyed by interned symbol ids, plus the list of all ids.
// Removal is batched: truncation removes thousands of series at once, and
// erasing them one by one from long lists would cost O(series x list length)
// under the writer lock.
// Thread-safe: many readers, one writer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/index/postings.h"

namespace strata::tsdb {

class HeadPostings {
 public:
  // Adds id to (name, value) for each pair and to the all-series list.
  void add(uint32_t id, const std::vector<std::pair<uint32_t, uint32_t>>& label_syms);
  // Bulk loading into an index nobody reads yet (snapshot loading, WAL
  // replay): first add_names() with every label name to come and add_all()
  // with all ids (increasing, above those present); then set_values() or
  // add_bulk(), from several threads at once as long as each works on other
  // names.
  using ValueLists = absl::flat_hash_map<uint32_t, PostingList>;
  void add_names(const std::vector<uint32_t>& names);
  void add_all(const std::vector<uint32_t>& ids);
  void set_values(uint32_t name, ValueLists values) { index_.find(name)->second = std::move(values); }
  // Keeps the pairs whose name % nshards == shard: for_each(emit) calls
  // emit(id, name, value) with ids increasing and above those present.
  template <typename ForEach>
  void add_bulk(uint32_t shard, uint32_t nshards, ForEach&& for_each) {
    uint32_t last_name = UINT32_MAX;
    ValueLists* values = nullptr;
    for_each([&](uint32_t id, uint32_t name, uint32_t value) {
      if (name % nshards != shard) return;
      // The outer map does not change meanwhile, so the pointer stays valid.
      if (name != last_name) {
        values = &index_.find(name)->second;
        last_name = name;
      }
      PostingList& l = (*values)[value];
      if (l.size() == l.capacity()) l.reserve(l.size() + l.size() / 4 + 4);
      if (l.empty() || l.back() < id) {
        l.push_back(id);
      } else if (auto it = std::lower_bound(l.begin(), l.end(), id); it == l.end() || *it != id) {
        l.insert(it, id);  // not expected; kept correct anyway
      }
    });
  }
  // f(name, value, list) for every list, the lists of one name one after
  // another. f is called with the lock held and must not call back in.
  template <typename F>
  void for_each_list(F&& f) const {
    std::shared_lock lock(mu_);
    for (const auto& [name, values] : index_)
      for (const auto& [value, list] : values) f(name, value, list);
  }
  // Removes every id of `series` (id, its label pairs) in one pass per list.
  void remove(
      const std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>>>& series);

  // A copy of one list (empty when absent).
  PostingList get(uint32_t name, uint32_t value) const;
  PostingList all() const;
  // The lists of every value of `name` for which pred(value) holds, merged.
  // pred is called with the lock held and must not call back in.
  template <typename Pred>
  PostingList union_where(uint32_t name, Pred&& pred) const {
    std::shared_lock lock(mu_);
    auto it = index_.find(name);
    if (it == index_.end()) return {};
    std::vector<const PostingList*> lists;
    for (const auto& [value, list] : it->second) {
      if (pred(value)) lists.push_back(&list);
    }
    return merge_union(lists);
  }
  // Every value id of `name`; every name id.
  std::vector<uint32_t> values(uint32_t name) const;
  std::vector<uint32_t> names() const;
  // f(name, value, series count) for every pair, for status pages.
  template <typename F>
  void for_each(F&& f) const {
    std::shared_lock lock(mu_);
    for (const auto& [name, values] : index_)
      for (const auto& [value, list] : values) f(name, value, list.size());
  }

 private:
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<uint32_t, absl::flat_hash_map<uint32_t, PostingList>> index_;
  PostingList all_;
};

}  // namespace strata::tsdb
