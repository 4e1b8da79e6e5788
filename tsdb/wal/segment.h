// WAL segment files: `wal/00000000`, `wal/00000001`, ... (8 decimal digits),
// each a sequence of framed records (record.h). SegmentFile appends to one
// segment through the FileSystem and knows how to undo a failed write, so a
// torn record never sits in the middle of the log. Not thread-safe: the
// owner (WalWriter, the checkpoint writer) serialises calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"

namespace strata::tsdb {

std::string wal_segment_name(uint32_t index);
// True for names of exactly 8 decimal digits; sets *index.
bool parse_wal_segment_name(std::string_view name, uint32_t* index);
// Sorted indexes of the segment files in `dir`.
absl::StatusOr<std::vector<uint32_t>> list_wal_segments(FileSystem* fs, const std::string& dir);
// Total bytes of the segment files in `dir`.
uint64_t wal_segments_bytes(FileSystem* fs, const std::string& dir);

class SegmentFile {
 public:
  // Creates `dir/<index>` (empty) and makes its directory entry durable.
  static absl::StatusOr<std::unique_ptr<SegmentFile>> create(FileSystem* fs, const std::string& dir,
                                                             uint32_t index);
  ~SegmentFile();

  uint32_t index() const { return index_; }
  uint64_t size() const { return size_; }
  // Appends and hands the bytes to the OS. On failure the file is cut back to
  // its previous size (so the log stays well-formed) and the error returned;
  // if even that fails, the file is no longer usable().
  absl::Status write(std::string_view bytes);
  // fdatasync; no-op when nothing was written since the last sync. After it
  // failed, the state of the unsynced bytes is unknown (the kernel may have
  // dropped them and will not report that again): the owner must abandon()
  // the file, never sync it again and trust the answer.
  absl::Status sync();
  bool dirty() const { return dirty_; }
  bool usable() const { return file_ && !broken_; }
  const std::string& path() const { return path_; }
  // fsyncs and closes.
  absl::Status close();
  // Closes without syncing (after a failed sync); later calls fail.
  void abandon();

 private:
  SegmentFile(FileSystem* fs, std::string path, uint32_t index, std::unique_ptr<WritableFile> file);
  FileSystem* fs_;
  std::string path_;
  uint32_t index_;
  std::unique_ptr<WritableFile> file_;
  uint64_t size_ = 0;
  bool dirty_ = false;
  bool broken_ = false;
};

}  // namespace strata::tsdb
