// Postings: sorted lists of series ids, and the set operations queries combine
// them with. MemPostings is the head's inverted index, label name -> value ->
// ids, keyed by interned symbol ids. Thread-safe: many readers, one writer.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace strata::tsdb {

using PostingList = std::vector<uint32_t>;  // sorted, unique series ids

PostingList intersect(std::span<const uint32_t> a, std::span<const uint32_t> b);
PostingList merge_union(const std::vector<const PostingList*>& lists);
PostingList subtract(std::span<const uint32_t> a, std::span<const uint32_t> b);

class MemPostings {
 public:
  // Adds id to (name, value) and to the all-series list.
  void add(uint32_t id, const std::vector<std::pair<uint32_t, uint32_t>>& label_syms);
  // Removes id from all lists it is in.
  void remove(uint32_t id, const std::vector<std::pair<uint32_t, uint32_t>>& label_syms);

  // A copy of one list (empty when absent).
  PostingList get(uint32_t name, uint32_t value) const;
  PostingList all() const;
  // Copies of the lists of every value of `name` for which pred(value) holds,
  // merged. pred is called with the lock held and must not call back in.
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
  // Number of series per (name, value), for status pages.
  template <typename F>
  void for_each(F&& f) const {
    std::shared_lock lock(mu_);
    for (const auto& [name, values] : index_)
      for (const auto& [value, list] : values) f(name, value, list.size());
  }

 private:
  static void insert_sorted(PostingList& l, uint32_t id);
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<uint32_t, absl::flat_hash_map<uint32_t, PostingList>> index_;
  PostingList all_;
};

}  // namespace strata::tsdb
