// BlockStore: the set of open blocks of one data directory and everything
// done to them — loading at startup, cutting a head range into a block,
// compaction, retention, deletions (tombstones), snapshots — plus the merge
// querier over blocks and the head. tsdb::DB owns one and calls it; the head
// itself (WAL, truncation) stays the DB's. Blocks that fail to open are set
// aside (listed by corrupted(), left on disk) and the rest keeps serving.
//
// Thread-safe: queriers take a snapshot of the block list; mutations
// (write_head_block, compact, apply_retention, clean_tombstones) serialise on
// an internal mutex and swap the list atomically, so a query never sees a
// block twice or a gap.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/block/block.h"
#include "tsdb/compact/compactor.h"
#include "tsdb/compact/planner.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

struct BlockStoreOptions {
  int64_t block_range_ms = kDefaultBlockRangeMs;
  int64_t retention_ms = int64_t(15) * 24 * 3600 * 1000;  // --storage.tsdb.retention.time
  int64_t retention_bytes = 0;                            // --storage.tsdb.retention.size; 0 = off
  bool compress_chunks = true;
  BlockOpenOptions open;
};

class BlockStore {
 public:
  // Opens every block directory in `dir` (creating `dir`), removing leftovers
  // of interrupted writes (`*.tmp`) and blocks already merged into another
  // one (a compaction that stopped before deleting its sources).
  static absl::StatusOr<std::unique_ptr<BlockStore>> open(FileSystem* fs, std::string dir,
                                                          BlockStoreOptions opts,
                                                          metrics::Registry* registry);

  // The open blocks sorted by min time (a snapshot).
  std::vector<std::shared_ptr<Block>> blocks() const;
  // "cannot open block ...: ..." for each block set aside.
  std::vector<std::string> corrupted() const;
  // Max time (exclusive) of the newest block; INT64_MIN without blocks. The
  // head must not accept samples before it after a restart.
  int64_t max_time_ms() const;

  // Querier over the blocks overlapping [mint, maxt], merged with `head`
  // (may be null), which wins on equal timestamps.
  std::unique_ptr<Querier> querier(int64_t mint_ms, int64_t maxt_ms,
                                   std::unique_ptr<Querier> head);

  // Writes the samples `head` holds in [mint, maxt) as a level-1 block and
  // loads it. Pass head = Head::querier(mint, maxt - 1); see head_cut_range().
  // Empty ulid when the range held no sample. Truncate the head afterwards.
  absl::StatusOr<BlockMeta> write_head_block(Querier* head, int64_t mint_ms, int64_t maxt_ms);

  // Compacts until the planner finds nothing more; returns the number of
  // compactions. Sources are deleted only after the merged block is durable
  // and loaded. `stop` (may be null) is checked before each compaction and
  // inside it: when it turns true, compact() returns Cancelled promptly and
  // leaves the blocks as they were.
  absl::StatusOr<int> compact(const std::atomic<bool>* stop = nullptr);

  // Deletes blocks past retention. `head_bytes`: bytes of the WAL and head
  // chunk directories, counted against the size limit. Returns the number of
  // blocks deleted.
  absl::StatusOr<int> apply_retention(uint64_t head_bytes);

  // Tombstones matching series in [mint, maxt] in every overlapping block
  // (the head's part is the DB's).
  absl::Status delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms);
  // Rewrites every block that has tombstones without the deleted samples.
  absl::Status clean_tombstones();

  // Hard-links every block into `<dir>/snapshots/<name>/` and, with `head`,
  // writes the head's [head_mint, head_maxt] there as one more block. Returns
  // the snapshot directory name (Prometheus' `20060102T150405Z-<hex>`).
  absl::StatusOr<std::string> snapshot(Querier* head, int64_t head_mint_ms, int64_t head_maxt_ms);

  // Total bytes of the loaded blocks.
  uint64_t size_bytes() const;

 private:
  BlockStore(FileSystem* fs, std::string dir, BlockStoreOptions opts, metrics::Registry* registry);
  // Re-reads the directory: opens new blocks, keeps open ones, drops vanished
  // ones; deletes `*.tmp` leftovers and blocks listed as parents of others.
  absl::Status reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status delete_blocks(const std::vector<std::string>& ulids)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void update_gauges();

  FileSystem* fs_;
  std::string dir_;
  BlockStoreOptions opts_;
  std::vector<int64_t> ranges_;
  Compactor compactor_;
  metrics::Counter* retention_time_;
  metrics::Counter* retention_size_;
  metrics::Counter* corrupted_total_;
  metrics::Gauge* blocks_loaded_;
  metrics::Gauge* blocks_bytes_;

  std::mutex write_mu_;  // serialises all changes to the directory
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Block>> blocks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> corrupted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::tsdb
