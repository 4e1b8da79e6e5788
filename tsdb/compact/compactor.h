// Compactor: merges blocks into one new block (compaction, clean_tombstones)
// and counts it in self-metrics. The merged block is complete and durable when
// compact() returns; deleting the source blocks is the caller's job and must
// come after. Thread-safe (no shared mutable state besides metrics).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/block/block.h"
#include "tsdb/block/meta.h"

namespace strata::tsdb {

class Compactor {
 public:
  Compactor(FileSystem* fs, std::string dir, bool compress_chunks, metrics::Registry* registry);

  // Writes the union of `blocks` as one block into the data dir: tombstones
  // applied, overlapping samples deduplicated (for equal timestamps the block
  // later in the list wins), level = max level + 1, sources = union. The
  // returned meta has an empty ulid when no sample was left. `stop` (may be
  // null) is checked per series: when it turns true the partial block is
  // removed and the status is Cancelled (not counted as a failure).
  absl::StatusOr<BlockMeta> compact(const std::vector<std::shared_ptr<Block>>& blocks,
                                    const std::atomic<bool>* stop = nullptr);

 private:
  FileSystem* fs_;
  std::string dir_;
  bool compress_;
  metrics::Counter* compactions_;
  metrics::Counter* failed_;
  metrics::Histogram* duration_;
};

}  // namespace strata::tsdb
