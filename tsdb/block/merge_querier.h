// MergeQuerier: one Querier over several (blocks oldest first, then the
// head). select() is a lazy k-way merge of the sources' sorted SeriesSets:
// series with equal labels from different sources become one Series whose
// chunks are those of each source in source order (chained, never re-copied),
// so where sources overlap in time the samples are merged and, for equal
// timestamps, the later (newer) source wins. Label names and values are
// unioned. Output is sorted by labels. Owns its sub-queriers;
// thread-compatible.
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

  std::unique_ptr<SeriesSet> select(const SelectOptions& opts, const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                        size_t limit) override;
  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                         const Matchers& matchers,
                                                         size_t limit) override;

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

// Merges sets (each sorted by labels, in priority order) into one sorted set,
// joining equal label sets as described above.
std::unique_ptr<SeriesSet> merge_series_sets(std::vector<std::unique_ptr<SeriesSet>> sets);

}  // namespace strata::tsdb
