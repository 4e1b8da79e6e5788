#include "tsdb/wal/segment.h"

#include <algorithm>
#include <cstdio>

#include "base/status.h"

namespace strata::tsdb {

std::string wal_segment_name(uint32_t index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08u", index);
  return buf;
}

bool parse_wal_segment_name(std::string_view name, uint32_t* index) {
  if (name.size() != 8) return false;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *index = uint32_t(v);
  return true;
}

absl::StatusOr<std::vector<uint32_t>> list_wal_segments(FileSystem* fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(dir));
  std::vector<uint32_t> out;
  for (const std::string& n : names) {
    uint32_t i;
    if (parse_wal_segment_name(n, &i)) out.push_back(i);
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t wal_segments_bytes(FileSystem* fs, const std::string& dir) {
  auto segs = list_wal_segments(fs, dir);
  if (!segs.ok()) return 0;
  uint64_t total = 0;
  for (uint32_t s : *segs) {
    auto n = fs->file_size(join_path(dir, wal_segment_name(s)));
    if (n.ok()) total += *n;
  }
  return total;
}

SegmentFile::SegmentFile(FileSystem* fs, std::string path, uint32_t index,
                         std::unique_ptr<WritableFile> file)
    : fs_(fs), path_(std::move(path)), index_(index), file_(std::move(file)) {}

SegmentFile::~SegmentFile() { (void)close(); }

absl::StatusOr<std::unique_ptr<SegmentFile>> SegmentFile::create(FileSystem* fs,
                                                                 const std::string& dir,
                                                                 uint32_t index) {
  std::string path = join_path(dir, wal_segment_name(index));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->open_writable(path, false));
  // Records in a file whose directory entry is lost after a power cut would
  // be lost with it.
  STRATA_RETURN_IF_ERROR(annotate(fs->sync_dir(dir), "creating WAL segment " + path));
  return std::unique_ptr<SegmentFile>(new SegmentFile(fs, std::move(path), index, std::move(f)));
}

absl::Status SegmentFile::write(std::string_view bytes) {
  if (broken_ || !file_)
    return absl::FailedPreconditionError("WAL segment " + path_ + " is unusable");
  absl::Status s = file_->append(bytes);
  if (s.ok()) s = file_->flush();
  if (s.ok()) {
    size_ += bytes.size();
    dirty_ = true;
    return s;
  }
  // Part of the bytes may have reached the file: cut them off and reopen, so
  // the next record follows the last complete one.
  file_.reset();
  absl::Status fix = fs_->truncate(path_, size_);
  if (fix.ok()) {
    auto f = fs_->open_writable(path_, true);
    if (f.ok())
      file_ = std::move(*f);
    else
      fix = f.status();
  }
  if (!fix.ok()) broken_ = true;
  return annotate(s, "writing WAL segment " + path_);
}

absl::Status SegmentFile::sync() {
  if (!dirty_ || !file_) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(annotate(file_->sync(), "syncing WAL segment " + path_));
  dirty_ = false;
  return absl::OkStatus();
}

void SegmentFile::abandon() {
  if (file_) (void)file_->close();  // what close() reports is as untrustworthy
  file_.reset();
  broken_ = true;
  dirty_ = false;
}

absl::Status SegmentFile::close() {
  if (!file_) return absl::OkStatus();
  absl::Status s = sync();
  absl::Status c = file_->close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace strata::tsdb
