// Series ids matching a list of label matchers, with Prometheus' semantics:
// matchers that do not match "" select series; those that do are applied by
// subtracting the series their inverse selects, so an absent label counts as
// "". Equality and literal alternations (`a|b|c`) look lists up directly;
// other matchers test each value of their label (an index that keeps values
// sorted scans only those sharing a regex's literal prefix).
//
// One algorithm for every index: the head's in-memory postings and a block's
// index file each implement the small PostingsIndex interface (one virtual
// call per list, never per series). Pure function; thread-safe when `ix` is.
#pragma once

#include <string_view>

#include "absl/functional/function_ref.h"
#include "tsdb/index/postings.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb {

// What matcher selection needs from an index.
class PostingsIndex {
 public:
  virtual ~PostingsIndex() = default;
  // The series with label name=value (empty when none).
  virtual PostingList postings(std::string_view name, std::string_view value) const = 0;
  // The union of the lists of every value of `name` for which pred(value)
  // holds. Values not starting with `prefix` may be skipped unseen (pred is
  // false for them anyway).
  virtual PostingList union_where(std::string_view name, std::string_view prefix,
                                  absl::FunctionRef<bool(std::string_view)> pred) const = 0;
  // Every series.
  virtual PostingList all() const = 0;
};

PostingList postings_for_matchers(const PostingsIndex& ix, const Matchers& matchers);

}  // namespace strata::tsdb
