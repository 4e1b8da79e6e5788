// MergeQuerier: one Querier over several (blocks oldest first, then the
// head). Series with equal labels from different sources become one Series
// whose chunks are those of each source in source order, so where sources
// overlap in time the samples are merged and, for equal timestamps, the later
// (newer) source wins. Label names and values are unioned. Output is sorted by
// labels. Owns its sub-queriers; thread-compatible.
#pragma once

#include <memory>
#include <vector>

#include "tsdb/storage.h"

namespace strata::tsdb {

class MergeQuerier final : public Querier {
 public:
  // `queriers` in priority order: later ones win on equal timestamps.
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers)
      : queriers_(std::move(queriers)) {}

  absl::StatusOr<std::vector<Series>> select(bool sorted, const SelectHints* hints,
                                             const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                        size_t limit) override;
  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                         const Matchers& matchers,
                                                         size_t limit) override;

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

// Merges per-source result lists (each sorted by labels) into one sorted list,
// joining equal label sets as described above.
std::vector<Series> merge_series_sets(std::vector<std::vector<Series>> sets);

}  // namespace strata::tsdb
