// Block: one opened, immutable block directory — meta.json, the mmap'd index
// and chunk segments — plus its tombstones, which are the only mutable part
// (delete_series). Blocks are shared: queriers and the Series they return keep
// the mappings alive, so the DB may drop a block (retention, compaction)
// while queries still read it. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/chunk_reader.h"
#include "tsdb/block/index_reader.h"
#include "tsdb/block/meta.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

struct BlockOpenOptions {
  // Also check every chunk page's CRC at open (reads all chunk data). Without
  // it pages are checked when first read and a corrupt one fails that query.
  bool verify_chunks = false;
};

class Block : public std::enable_shared_from_this<Block> {
 public:
  // Errors read "cannot open block <dir>: <what>: <why>" with DataLoss for
  // corrupt content, so the caller can set the block aside and go on.
  static absl::StatusOr<std::shared_ptr<Block>> open(const std::string& dir, FileSystem* fs,
                                                     BlockOpenOptions opts = {});

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const IndexReader& index() const { return *index_; }
  const ChunkReader& chunks() const { return *chunks_; }
  // Bytes of the block's files on disk.
  uint64_t size_bytes() const { return size_bytes_; }
  // A snapshot of the tombstones.
  std::shared_ptr<const Tombstones> tombstones() const;

  // Queries [mint, maxt] (inclusive) of this block.
  std::unique_ptr<Querier> querier(int64_t mint_ms, int64_t maxt_ms);

  // Marks the samples of matching series in [mint, maxt] deleted and durably
  // rewrites the tombstones file.
  absl::Status delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms);

 private:
  Block() = default;

  FileSystem* fs_ = nullptr;
  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<IndexReader> index_;
  std::unique_ptr<ChunkReader> chunks_;
  uint64_t size_bytes_ = 0;
  mutable std::mutex mu_;
  std::shared_ptr<const Tombstones> tombstones_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::tsdb
