#include "tsdb/wal/reader.h"

#include "base/status.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {

absl::StatusOr<std::unique_ptr<WalReader>> WalReader::open(FileSystem* fs, std::string dir,
                                                           uint32_t first, uint32_t last) {
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> all, list_wal_segments(fs, dir));
  std::vector<uint32_t> segs;
  for (uint32_t s : all)
    if (s >= first && s <= last) segs.push_back(s);
  return std::unique_ptr<WalReader>(new WalReader(fs, std::move(dir), std::move(segs)));
}

bool WalReader::open_segment() {
  std::string path = join_path(dir_, wal_segment_name(segments_[idx_]));
  auto m = fs_->map(path);
  if (!m.ok()) {
    status_ = annotate(m.status(), "reading WAL");
    return false;
  }
  map_ = std::move(*m);  // unmaps the previous segment
  data_ = map_->data();
  offset_ = 0;
  mapped_ = true;
  return true;
}

bool WalReader::next(WalFrame* frame) {
  if (damage_ || !status_.ok()) return false;
  while (idx_ < segments_.size()) {
    if (!mapped_ && !open_segment()) return false;
    if (offset_ < data_.size()) {
      std::string reason;
      record_offset_ = offset_;
      if (!parse_wal_record(data_, offset_, frame, &reason)) {
        damage_ = WalDamage{dir_, segments_[idx_], offset_, std::move(reason)};
        return false;
      }
      offset_ += frame->size;
      bytes_read_ += frame->size;
      return true;
    }
    ++idx_;
    mapped_ = false;
  }
  return false;
}

void WalReader::mark_damaged(std::string reason) {
  damage_ = WalDamage{dir_, segment(), record_offset_, std::move(reason)};
}

absl::Status repair_wal(FileSystem* fs, const WalDamage& damage) {
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> segs, list_wal_segments(fs, damage.dir));
  for (uint32_t seg : segs) {
    std::string path = join_path(damage.dir, wal_segment_name(seg));
    if (seg == damage.segment) {
      STRATA_RETURN_IF_ERROR(fs->truncate(path, damage.offset));
      // fdatasync makes the new length durable too.
      STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->open_writable(path, true));
      STRATA_RETURN_IF_ERROR(f->sync());
      STRATA_RETURN_IF_ERROR(f->close());
    } else if (seg > damage.segment) {
      STRATA_RETURN_IF_ERROR(fs->remove(path));
    }
  }
  return fs->sync_dir(damage.dir);
}

}  // namespace strata::tsdb
