#include "tsdb/head/select_postings.h"

#include "tsdb/index/postings_for_matchers.h"

namespace strata::tsdb {
namespace {

// The head's postings as a PostingsIndex: strings resolve to symbol ids
// first. Values are kept unordered, so a regex prefix cannot narrow the scan.
class HeadPostingsIndex final : public PostingsIndex {
 public:
  HeadPostingsIndex(const SymbolTable& syms, const HeadPostings& postings)
      : syms_(syms), postings_(postings) {}

  PostingList postings(std::string_view name, std::string_view value) const override {
    auto n = syms_.find(name);
    if (!n) return {};
    auto v = syms_.find(value);
    return v ? postings_.get(*n, *v) : PostingList{};
  }
  PostingList union_where(std::string_view name, std::string_view /*prefix*/,
                          absl::FunctionRef<bool(std::string_view)> pred) const override {
    auto n = syms_.find(name);
    if (!n) return {};
    return postings_.union_where(*n, [&](uint32_t v) { return pred(syms_.get(v)); });
  }
  PostingList all() const override { return postings_.all(); }

 private:
  const SymbolTable& syms_;
  const HeadPostings& postings_;
};

}  // namespace

PostingList select_postings(const SymbolTable& syms, const HeadPostings& postings,
                            const Matchers& matchers) {
  return postings_for_matchers(HeadPostingsIndex(syms, postings), matchers);
}

}  // namespace strata::tsdb
