#include "tsdb/block/postings_for_matchers.h"

#include <algorithm>
#include <numeric>

#include "tsdb/index/postings_for_matchers.h"

namespace strata::tsdb {
namespace {

// A block's index as a PostingsIndex: lists are served from the mapping and
// copied into PostingLists; values are sorted, so a regex's literal prefix
// narrows the scan to the values sharing it.
class BlockPostingsIndex final : public PostingsIndex {
 public:
  explicit BlockPostingsIndex(const IndexReader& ix) : ix_(ix) {}

  PostingList postings(std::string_view name, std::string_view value) const override {
    auto span = ix_.postings(name, value);
    return PostingList(span.begin(), span.end());
  }
  PostingList union_where(std::string_view name, std::string_view prefix,
                          absl::FunctionRef<bool(std::string_view)> pred) const override {
    const auto* vs = ix_.values(name);
    if (!vs) return {};
    auto it = vs->begin();
    if (!prefix.empty()) {
      it = std::lower_bound(vs->begin(), vs->end(), prefix,
                            [](const IndexReader::ValueEntry& e, std::string_view p) {
                              return e.value < p;
                            });
    }
    std::vector<PostingList> lists;
    for (; it != vs->end(); ++it) {
      if (!prefix.empty() && it->value.substr(0, prefix.size()) != prefix) break;
      if (!pred(it->value)) continue;
      auto span = ix_.postings_at(it->offset);
      lists.emplace_back(span.begin(), span.end());
    }
    std::vector<const PostingList*> ptrs;
    ptrs.reserve(lists.size());
    for (const auto& l : lists) ptrs.push_back(&l);
    return merge_union(ptrs);
  }
  PostingList all() const override {
    PostingList out(ix_.num_series());
    std::iota(out.begin(), out.end(), 0u);
    return out;
  }

 private:
  const IndexReader& ix_;
};

}  // namespace

PostingList postings_for_matchers(const IndexReader& ix, const Matchers& matchers) {
  return postings_for_matchers(BlockPostingsIndex(ix), matchers);
}

}  // namespace strata::tsdb
