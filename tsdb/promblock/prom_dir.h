// PromDir: a Prometheus data directory (or a snapshot directory made by
// POST /api/v1/admin/tsdb/snapshot) opened read-only: its persisted blocks,
// oldest first, as one tsdb::Queryable whose queriers merge the blocks
// overlapping the range (overlapping blocks are merged sample by sample).
// The head (`wal/`, `chunks_head/`) is not read: only persisted blocks are;
// has_head_data() tells callers to warn about it. Blocks being written
// (`*.tmp`) and directories without meta.json are ignored. Immutable after
// open(); any thread may query it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/promblock/prom_block.h"
#include "tsdb/storage.h"

namespace strata::tsdb::prom {

class PromDir final : public Queryable {
 public:
  // Fails on the first block that does not open, unless `set_aside_corrupt`:
  // then a block that fails with DataLoss is left out and its error listed
  // in corrupted() (the server keeps serving the rest, as for its own
  // blocks).
  static absl::StatusOr<std::unique_ptr<PromDir>> open(FileSystem* fs, const std::string& dir,
                                                       bool set_aside_corrupt = false);

  // Sorted by (min time, max time).
  const std::vector<std::shared_ptr<PromBlock>>& blocks() const { return blocks_; }
  // Whether the directory holds a non-empty `wal/` or `chunks_head/`, whose
  // samples (the last hours) are not read.
  bool has_head_data() const { return has_head_data_; }
  uint64_t skipped_histogram_series() const;
  // The errors of the blocks open() set aside.
  const std::vector<std::string>& corrupted() const { return corrupted_; }

  absl::StatusOr<std::unique_ptr<Querier>> querier(int64_t mint_ms, int64_t maxt_ms) override;

 private:
  std::vector<std::shared_ptr<PromBlock>> blocks_;
  bool has_head_data_ = false;
  std::vector<std::string> corrupted_;
};

// Groups of blocks (indices into `blocks`, sorted by min time) whose time
// ranges overlap, transitively; each group becomes one block on import.
std::vector<std::vector<size_t>> overlapping_groups(
    const std::vector<std::shared_ptr<PromBlock>>& blocks);

}  // namespace strata::tsdb::prom
