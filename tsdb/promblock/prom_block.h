// PromBlock: one Prometheus TSDB block directory (meta.json, index,
// chunks/, tombstones) opened read-only, and its tsdb::Querier. Series come
// out in label order, float (XOR) chunks zero-copy from the segment
// mappings, deleted intervals (tombstones) filtered out. Native histogram
// chunks cannot be represented in Strata: they are left out (a series with
// only those is skipped) and counted in skipped_histogram_series(). A block
// is shared by its queriers and their series (shared_ptr); it never
// changes after open(), so any thread may query it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/meta.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/promblock/prom_chunks.h"
#include "tsdb/promblock/prom_index.h"
#include "tsdb/storage.h"

namespace strata::tsdb::prom {

class PromBlock : public std::enable_shared_from_this<PromBlock> {
 public:
  // Opens `dir`; errors name the block directory and what was wrong.
  static absl::StatusOr<std::shared_ptr<PromBlock>> open(FileSystem* fs, const std::string& dir);

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const PromIndex& index() const { return *index_; }
  const PromChunks& chunks() const { return *chunks_; }
  const Tombstones& tombstones() const { return tombstones_; }

  // Queries [mint, maxt] (inclusive) of this block.
  std::unique_ptr<Querier> querier(int64_t mint_ms, int64_t maxt_ms);

  // Series (counted once per select that met them) whose histogram chunks
  // were left out.
  uint64_t skipped_histogram_series() const { return skipped_histograms_.load(); }
  void count_skipped_histogram_series() { skipped_histograms_.fetch_add(1); }

 private:
  PromBlock() = default;
  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<PromIndex> index_;
  std::unique_ptr<PromChunks> chunks_;
  Tombstones tombstones_;
  std::atomic<uint64_t> skipped_histograms_{0};
};

}  // namespace strata::tsdb::prom
