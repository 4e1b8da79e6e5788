// BlockWriter: writes one immutable block directory for [mint, maxt) — the
// chunk segments as series arrive, then the index, tombstones and meta.json —
// into `<ulid>.tmp`, fsyncs every file and the directories, and renames it to
// `<ulid>` so a block is either complete or absent. Samples are re-encoded as
// compact chunks. Used by head cuts, compaction and clean_tombstones. One
// owner, not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/chunk_writer.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/block/meta.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

struct BlockWriterOptions {
  // zstd pages in chunk segments (tsdb/docs/format/chunks.md).
  bool compress_chunks = true;
  // Lineage written to meta.json; a fresh block is level 1, its own source.
  int level = 1;
  std::vector<std::string> sources;
  std::vector<BlockMeta::Parent> parents;
  // Fixed id (tests, golden files); a new ULID when empty.
  std::string ulid;
};

class BlockWriter {
 public:
  // `parent_dir` is the data directory the block directory is created in.
  // Only samples with mint_ms <= t < maxt_ms are written.
  static absl::StatusOr<std::unique_ptr<BlockWriter>> create(FileSystem* fs, std::string parent_dir,
                                                             int64_t mint_ms, int64_t maxt_ms,
                                                             BlockWriterOptions opts = {});
  ~BlockWriter();

  // Adds one series; calls must come in strictly increasing label order.
  // Samples must be sorted by time without duplicates. A series with no
  // sample in range is skipped.
  absl::Status add_series(const Labels& labels, const int64_t* t, const uint64_t* v_bits, size_t n);
  // Reads every sample of `s` in range and adds it.
  absl::Status add_series(const Series& s);

  // Finishes the block and returns its meta. When no series had samples
  // nothing is kept and the returned meta has an empty ulid (as Prometheus,
  // which writes no empty blocks).
  absl::StatusOr<BlockMeta> finish();
  // Removes the temporary directory (also done by the destructor if finish()
  // was not reached).
  void abort();

 private:
  BlockWriter(FileSystem* fs, std::string parent_dir, BlockMeta meta);

  FileSystem* fs_;
  std::string parent_dir_;
  std::string tmp_dir_;
  BlockMeta meta_;
  std::unique_ptr<ChunkWriter> chunks_;
  std::vector<IndexSeries> series_;
  std::vector<int64_t> t_buf_;
  std::vector<uint64_t> v_buf_;
  std::string chunk_buf_;
  bool done_ = false;
};

// Writes every series `q` holds in [mint, maxt) as one block (the head cut:
// pass Head::querier(mint, maxt - 1)). Empty ulid when there was no sample.
absl::StatusOr<BlockMeta> write_block_from_querier(FileSystem* fs, const std::string& parent_dir,
                                                   Querier* q, int64_t mint_ms, int64_t maxt_ms,
                                                   BlockWriterOptions opts = {});

}  // namespace strata::tsdb
