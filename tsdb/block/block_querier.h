// BlockQuerier: tsdb::Querier over one block for [mint, maxt] (inclusive).
// Series come out in label order (the index is sorted), read from the index
// as the SeriesSet is iterated, with chunks zero-copy from the block's
// mapping; series with tombstones in range get their deleted samples filtered
// into a re-encoded in-memory chunk. The querier and its sets hold a
// reference to the block. Thread-compatible.
#pragma once

#include <memory>

#include "tsdb/block/block.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

class BlockQuerier final : public Querier {
 public:
  BlockQuerier(std::shared_ptr<Block> block, int64_t mint_ms, int64_t maxt_ms);

  std::unique_ptr<SeriesSet> select(const SelectOptions& opts, const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                        size_t limit) override;
  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                         const Matchers& matchers,
                                                         size_t limit) override;

 private:
  // The ids matching `matchers` that have a chunk overlapping the range.
  absl::StatusOr<std::vector<uint32_t>> ids_in_range(const Matchers& matchers);

  std::shared_ptr<Block> block_;
  std::shared_ptr<const Tombstones> tombstones_;
  int64_t mint_;
  int64_t maxt_;
};

// Replaces `chunks` by in-memory compact chunks holding their samples in
// [mint, maxt] outside the deleted intervals `ivs`. Returns false when no
// sample is left, DataLoss for a corrupt chunk.
absl::StatusOr<bool> apply_tombstones(std::vector<ChunkRef>* chunks,
                                      const std::vector<Interval>& ivs, int64_t mint_ms,
                                      int64_t maxt_ms);

}  // namespace strata::tsdb
