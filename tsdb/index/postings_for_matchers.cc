#include "tsdb/index/postings_for_matchers.h"

#include <algorithm>

namespace strata::tsdb {
namespace {

// Series whose value of m.name() matches m (series without the label excluded).
PostingList matching_values(const PostingsIndex& ix, const Matcher& m) {
  if (m.type() == MatchType::kEqual) return ix.postings(m.name(), m.value());
  if (m.type() == MatchType::kRegexMatch && !m.literal_set().empty()) {
    std::vector<PostingList> lists;
    for (const std::string& lit : m.literal_set()) {
      PostingList l = ix.postings(m.name(), lit);
      if (!l.empty()) lists.push_back(std::move(l));
    }
    std::vector<const PostingList*> ptrs;
    ptrs.reserve(lists.size());
    for (const auto& l : lists) ptrs.push_back(&l);
    return merge_union(ptrs);
  }
  std::string_view prefix = m.type() == MatchType::kRegexMatch ? m.prefix() : std::string_view();
  return ix.union_where(m.name(), prefix, [&](std::string_view v) { return m.matches(v); });
}

}  // namespace

PostingList postings_for_matchers(const PostingsIndex& ix, const Matchers& matchers) {
  std::vector<PostingList> positive, negative;
  for (const Matcher& m : matchers) {
    if (!m.matches_empty()) {
      // A negative matcher that does not match "" (l!="", l!~".*x|")
      // selects the series having l with a matching value.
      positive.push_back(m.is_negative()
                             ? ix.union_where(m.name(), {},
                                              [&](std::string_view v) { return m.matches(v); })
                             : matching_values(ix, m));
      if (positive.back().empty()) return {};
      continue;
    }
    // m matches "": drop the series whose value does not match (nobody
    // having the label drops nothing).
    negative.push_back(
        ix.union_where(m.name(), {}, [&](std::string_view v) { return !m.matches(v); }));
  }
  PostingList result;
  if (positive.empty()) {
    result = ix.all();
  } else {
    std::sort(positive.begin(), positive.end(),
              [](const PostingList& a, const PostingList& b) { return a.size() < b.size(); });
    result = std::move(positive[0]);
    for (size_t i = 1; i < positive.size() && !result.empty(); ++i) {
      result = intersect(result, positive[i]);
    }
  }
  for (const PostingList& n : negative) {
    if (result.empty()) break;
    if (!n.empty()) result = subtract(result, n);
  }
  return result;
}

}  // namespace strata::tsdb
