#include "tsdb/block/block_writer.h"

#include <algorithm>
#include <cstring>

#include "base/clock.h"
#include "base/status.h"
#include "tsdb/chunkenc/compact_chunk.h"
#include "tsdb/block/tombstones.h"

namespace strata::tsdb {

BlockWriter::BlockWriter(FileSystem* fs, std::string parent_dir, BlockMeta meta)
    : fs_(fs), parent_dir_(std::move(parent_dir)), meta_(std::move(meta)) {
  tmp_dir_ = join_path(parent_dir_, meta_.ulid + ".tmp");
}

BlockWriter::~BlockWriter() {
  if (!done_) abort();
}

absl::StatusOr<std::unique_ptr<BlockWriter>> BlockWriter::create(FileSystem* fs,
                                                                 std::string parent_dir,
                                                                 int64_t mint_ms, int64_t maxt_ms,
                                                                 BlockWriterOptions opts) {
  BlockMeta meta;
  meta.ulid = opts.ulid.empty() ? new_ulid(now_ms()) : opts.ulid;
  meta.min_time_ms = mint_ms;
  meta.max_time_ms = maxt_ms;
  meta.compaction.level = opts.level;
  meta.compaction.sources = opts.sources.empty() ? std::vector<std::string>{meta.ulid} : opts.sources;
  meta.compaction.parents = opts.parents;
  std::unique_ptr<BlockWriter> w(new BlockWriter(fs, std::move(parent_dir), std::move(meta)));
  if (fs->exists(w->tmp_dir_)) STRATA_RETURN_IF_ERROR(fs->remove_all(w->tmp_dir_));
  STRATA_RETURN_IF_ERROR(fs->mkdirs(w->tmp_dir_));
  auto cw = ChunkWriter::create(fs, join_path(w->tmp_dir_, kChunksDirName), opts.compress_chunks);
  if (!cw.ok()) return annotate(cw.status(), "creating block " + w->meta_.ulid);
  w->chunks_ = std::move(*cw);
  return w;
}

absl::Status BlockWriter::add_series(const Labels& labels, const int64_t* t,
                                     const uint64_t* v_bits, size_t n) {
  if (!series_.empty() && !(series_.back().labels < labels)) {
    return absl::InvalidArgumentError("block writer: series " + labels.to_string() +
                                      " out of label order");
  }
  size_t lo = size_t(std::lower_bound(t, t + n, meta_.min_time_ms) - t);
  size_t hi = size_t(std::lower_bound(t, t + n, meta_.max_time_ms) - t);
  if (lo >= hi) return absl::OkStatus();
  IndexSeries s{labels, {}};
  size_t total = hi - lo;
  size_t num_chunks = (total + kMaxCompactChunkSamples - 1) / kMaxCompactChunkSamples;
  for (size_t c = 0; c < num_chunks; ++c) {
    // Even split, so no chunk is a tiny remainder.
    size_t a = lo + total * c / num_chunks, b = lo + total * (c + 1) / num_chunks;
    chunk_buf_.clear();
    encode_compact_chunk(t + a, v_bits + a, b - a, &chunk_buf_);
    auto ref = chunks_->add(ChunkEncoding::kCompact, chunk_buf_);
    if (!ref.ok()) return annotate(ref.status(), "writing block " + meta_.ulid);
    s.chunks.push_back({t[a], t[b - 1], *ref});
  }
  meta_.stats.num_samples += total;
  meta_.stats.num_chunks += num_chunks;
  ++meta_.stats.num_series;
  series_.push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status BlockWriter::add_series(const Series& s) {
  t_buf_.clear();
  v_buf_.clear();
  SampleIterator it = s.iterator();
  if (it.seek(meta_.min_time_ms)) {
    do {
      if (it.t() >= meta_.max_time_ms) break;
      double v = it.v();
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      t_buf_.push_back(it.t());
      v_buf_.push_back(bits);
    } while (it.next());
  }
  if (!it.status().ok()) return annotate(it.status(), "reading series " + s.labels().to_string());
  return add_series(s.labels(), t_buf_.data(), v_buf_.data(), t_buf_.size());
}

absl::StatusOr<BlockMeta> BlockWriter::finish() {
  if (series_.empty()) {
    abort();
    BlockMeta empty = meta_;
    empty.ulid.clear();
    return empty;
  }
  auto fail = [&](const absl::Status& s) {
    abort();
    return annotate(s, "writing block " + meta_.ulid);
  };
  if (auto s = chunks_->finish(); !s.ok()) return fail(s);
  if (auto s = write_index(fs_, join_path(tmp_dir_, kIndexFileName), series_); !s.ok()) return fail(s);
  series_.clear();
  series_.shrink_to_fit();
  if (auto s = Tombstones().write(fs_, join_path(tmp_dir_, kTombstonesFileName)); !s.ok()) {
    return fail(s);
  }
  if (auto s = write_meta(fs_, tmp_dir_, meta_); !s.ok()) return fail(s);
  std::string final_dir = join_path(parent_dir_, meta_.ulid);
  if (auto s = fs_->rename(tmp_dir_, final_dir); !s.ok()) return fail(s);
  done_ = true;
  if (auto s = fs_->sync_dir(parent_dir_); !s.ok()) return annotate(s, "syncing " + parent_dir_);
  return meta_;
}

void BlockWriter::abort() {
  done_ = true;
  chunks_.reset();
  (void)fs_->remove_all(tmp_dir_);
}

absl::StatusOr<BlockMeta> write_block_from_querier(FileSystem* fs, const std::string& parent_dir,
                                                   Querier* q, int64_t mint_ms, int64_t maxt_ms,
                                                   BlockWriterOptions opts) {
  STRATA_ASSIGN_OR_RETURN(auto all, Matcher::make(MatchType::kRegexMatch, std::string(kMetricName), ".+"));
  std::unique_ptr<SeriesSet> set = q->select({.sorted = true}, {all});
  STRATA_ASSIGN_OR_RETURN(auto w, BlockWriter::create(fs, parent_dir, mint_ms, maxt_ms, opts));
  // Streamed: one series' chunks at a time, not the whole head range.
  while (set->next()) STRATA_RETURN_IF_ERROR(w->add_series(set->at()));
  STRATA_RETURN_IF_ERROR(set->status());
  return w->finish();
}

}  // namespace strata::tsdb
