#include "tsdb/head/select_postings.h"

#include <algorithm>

namespace strata::tsdb {
namespace {

// Postings of the series whose `name` label value matches m (absent
// labels are not included).
PostingList matching_values(const SymbolTable& syms, const HeadPostings& p, const Matcher& m) {
  auto name_id = syms.find(m.name());
  if (!name_id) return {};
  if (m.type() == MatchType::kEqual) {
    auto v = syms.find(m.value());
    return v ? p.get(*name_id, *v) : PostingList{};
  }
  if (m.type() == MatchType::kRegexMatch && !m.literal_set().empty()) {
    std::vector<PostingList> lists;
    for (const std::string& lit : m.literal_set()) {
      if (auto v = syms.find(lit)) lists.push_back(p.get(*name_id, *v));
    }
    std::vector<const PostingList*> ptrs;
    for (auto& l : lists) ptrs.push_back(&l);
    return merge_union(ptrs);
  }
  return p.union_where(*name_id, [&](uint32_t v) { return m.matches(syms.get(v)); });
}

}  // namespace

// Following Prometheus: matchers that do not match "" select; those that do
// are applied by subtracting the series their inverse selects (so absent
// labels count as "").
PostingList select_postings(const SymbolTable& syms, const HeadPostings& postings,
                            const Matchers& matchers) {
  std::vector<PostingList> positive;
  std::vector<PostingList> negative;
  for (const Matcher& m : matchers) {
    if (!m.matches_empty()) {
      if (m.is_negative()) {
        // e.g. l!="" or l!~".*x|": the series having l with a matching value.
        auto name_id = syms.find(m.name());
        positive.push_back(
            name_id
                ? postings.union_where(*name_id, [&](uint32_t v) { return m.matches(syms.get(v)); })
                : PostingList{});
      } else {
        positive.push_back(matching_values(syms, postings, m));
      }
      if (positive.back().empty()) return {};
      continue;
    }
    // m matches "": drop series whose value does not match.
    auto name_id = syms.find(m.name());
    if (!name_id) continue;  // nobody has the label: everyone matches
    negative.push_back(
        postings.union_where(*name_id, [&](uint32_t v) { return !m.matches(syms.get(v)); }));
  }
  PostingList result;
  if (positive.empty()) {
    result = postings.all();
  } else {
    std::sort(positive.begin(), positive.end(),
              [](const PostingList& a, const PostingList& b) { return a.size() < b.size(); });
    result = std::move(positive[0]);
    for (size_t i = 1; i < positive.size() && !result.empty(); ++i)
      result = intersect(result, positive[i]);
  }
  for (const PostingList& n : negative) {
    if (result.empty()) break;
    result = subtract(result, n);
  }
  return result;
}

}  // namespace strata::tsdb
