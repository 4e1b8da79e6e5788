#include "tsdb/block/postings_for_matchers.h"

#include <algorithm>
#include <numeric>

namespace strata::tsdb {
namespace {

// Union of the lists of every value of m.name() for which pred holds.
template <typename Pred>
PostingList union_where(const IndexReader& ix, const std::string& name, const std::string& prefix,
                        Pred&& pred) {
  const auto* vs = ix.values(name);
  if (!vs) return {};
  auto it = vs->begin();
  if (!prefix.empty()) {
    it = std::lower_bound(vs->begin(), vs->end(), prefix,
                          [](const IndexReader::ValueEntry& e, const std::string& p) {
                            return e.value < p;
                          });
  }
  std::vector<PostingList> lists;
  for (; it != vs->end(); ++it) {
    if (!prefix.empty() && it->value.substr(0, prefix.size()) != prefix) break;
    if (!pred(it->value)) continue;
    auto span = ix.postings_at(it->offset);
    lists.emplace_back(span.begin(), span.end());
  }
  std::vector<const PostingList*> ptrs;
  ptrs.reserve(lists.size());
  for (const auto& l : lists) ptrs.push_back(&l);
  return merge_union(ptrs);
}

// Series whose value of m.name() matches m (series without the label excluded).
PostingList matching_values(const IndexReader& ix, const Matcher& m) {
  if (m.type() == MatchType::kEqual) {
    auto span = ix.postings(m.name(), m.value());
    return PostingList(span.begin(), span.end());
  }
  if (m.type() == MatchType::kRegexMatch && !m.literal_set().empty()) {
    std::vector<PostingList> lists;
    for (const std::string& lit : m.literal_set()) {
      auto span = ix.postings(m.name(), lit);
      if (!span.empty()) lists.emplace_back(span.begin(), span.end());
    }
    std::vector<const PostingList*> ptrs;
    for (const auto& l : lists) ptrs.push_back(&l);
    return merge_union(ptrs);
  }
  const std::string& prefix = m.type() == MatchType::kRegexMatch ? m.prefix() : std::string();
  return union_where(ix, m.name(), prefix, [&](std::string_view v) { return m.matches(v); });
}

}  // namespace

PostingList postings_for_matchers(const IndexReader& ix, const Matchers& matchers) {
  static const std::string kNoPrefix;
  std::vector<PostingList> positive, negative;
  for (const Matcher& m : matchers) {
    if (!m.matches_empty()) {
      positive.push_back(m.is_negative()
                             ? union_where(ix, m.name(), kNoPrefix,
                                           [&](std::string_view v) { return m.matches(v); })
                             : matching_values(ix, m));
      if (positive.back().empty()) return {};
      continue;
    }
    // m matches "": drop the series whose value does not match.
    if (!ix.values(m.name())) continue;
    negative.push_back(union_where(ix, m.name(), kNoPrefix,
                                   [&](std::string_view v) { return !m.matches(v); }));
  }
  PostingList result;
  if (positive.empty()) {
    result.resize(ix.num_series());
    std::iota(result.begin(), result.end(), 0u);
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
    result = subtract(result, n);
  }
  return result;
}

}  // namespace strata::tsdb
