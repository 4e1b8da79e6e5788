#include "tsdb/block/block.h"

#include "base/status.h"
#include "tsdb/block/block_querier.h"
#include "tsdb/block/postings_for_matchers.h"

namespace strata::tsdb {

absl::StatusOr<std::shared_ptr<Block>> Block::open(const std::string& dir, FileSystem* fs,
                                                   BlockOpenOptions opts) {
  auto fail = [&](const absl::Status& s, const char* what) {
    return annotate(s, "cannot open block " + dir + ": " + what);
  };
  std::shared_ptr<Block> b(new Block());
  b->fs_ = fs;
  b->dir_ = dir;
  auto meta = read_meta(fs, dir);
  if (!meta.ok()) return annotate(meta.status(), "cannot open block " + dir);
  b->meta_ = std::move(*meta);
  auto index = IndexReader::open(fs, join_path(dir, kIndexFileName));
  if (!index.ok()) return fail(index.status(), "reading index");
  b->index_ = std::move(*index);
  if (b->index_->num_series() != b->meta_.stats.num_series) {
    return fail(absl::DataLossError("index has " + std::to_string(b->index_->num_series()) +
                                    " series, meta.json says " +
                                    std::to_string(b->meta_.stats.num_series)),
                "checking index");
  }
  auto chunks = ChunkReader::open(fs, join_path(dir, kChunksDirName));
  if (!chunks.ok()) return fail(chunks.status(), "reading chunks");
  b->chunks_ = std::move(*chunks);
  if (opts.verify_chunks) {
    if (auto s = b->chunks_->verify(); !s.ok()) return fail(s, "verifying chunks");
  }
  auto tomb = Tombstones::read(fs, join_path(dir, kTombstonesFileName));
  if (!tomb.ok()) return fail(tomb.status(), "reading tombstones");
  b->tombstones_ = std::make_shared<const Tombstones>(std::move(*tomb));
  auto du = fs->disk_usage(dir);
  b->size_bytes_ = du.ok() ? *du : b->index_->size_bytes() + b->chunks_->size_bytes();
  return b;
}

std::shared_ptr<const Tombstones> Block::tombstones() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tombstones_;
}

std::unique_ptr<Querier> Block::querier(int64_t mint_ms, int64_t maxt_ms) {
  return std::make_unique<BlockQuerier>(shared_from_this(), mint_ms, maxt_ms);
}

absl::Status Block::delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) {
  if (maxt_ms < meta_.min_time_ms || mint_ms >= meta_.max_time_ms) return absl::OkStatus();
  PostingList ids = postings_for_matchers(*index_, matchers);
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<Tombstones>(*tombstones_);
  bool changed = false;
  std::vector<ChunkMeta> chunks;
  for (uint32_t id : ids) {
    STRATA_RETURN_IF_ERROR(index_->series(id, nullptr, &chunks));
    for (const ChunkMeta& c : chunks) {
      if (c.maxt_ms >= mint_ms && c.mint_ms <= maxt_ms) {
        next->add(id, {mint_ms, maxt_ms});
        changed = true;
        break;
      }
    }
  }
  if (!changed) return absl::OkStatus();
  auto s = next->write(fs_, join_path(dir_, kTombstonesFileName));
  if (!s.ok()) return annotate(s, "deleting series in block " + meta_.ulid);
  tombstones_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace strata::tsdb
