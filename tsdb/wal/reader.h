// WalReader walks the intact records of a range of segment files in order
// (a WAL directory or a checkpoint directory). It stops at the first damaged
// record — cut short, zeroed, unknown type, bad checksum, or a payload its
// consumer could not decode (mark_damaged) — and says where; repair_wal()
// then cuts the log there. Segments are memory-mapped one at a time; a
// payload view is valid until the next call to next(). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/wal/record.h"

namespace strata::tsdb {

// Where and why reading stopped early.
struct WalDamage {
  std::string dir;
  uint32_t segment = 0;
  uint64_t offset = 0;  // of the first damaged record
  std::string reason;
};

class WalReader {
 public:
  // Segments of `dir` with first <= index <= last.
  static absl::StatusOr<std::unique_ptr<WalReader>> open(FileSystem* fs, std::string dir,
                                                         uint32_t first = 0,
                                                         uint32_t last = UINT32_MAX);
  // The next intact record. False at the end, at damage (damage() is set) or
  // on an I/O error (status() is not OK).
  bool next(WalFrame* frame);
  // The consumer found the payload of the record last returned malformed:
  // reading ends there, as for any other damage.
  void mark_damaged(std::string reason);

  const std::optional<WalDamage>& damage() const { return damage_; }
  absl::Status status() const { return status_; }
  const std::vector<uint32_t>& segments() const { return segments_; }
  // Segment and offset of the record last returned.
  uint32_t segment() const { return idx_ < segments_.size() ? segments_[idx_] : 0; }
  uint64_t offset() const { return record_offset_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  WalReader(FileSystem* fs, std::string dir, std::vector<uint32_t> segments)
      : fs_(fs), dir_(std::move(dir)), segments_(std::move(segments)) {}
  bool open_segment();

  FileSystem* fs_;
  std::string dir_;
  std::vector<uint32_t> segments_;
  std::unique_ptr<MappedFile> map_;
  size_t idx_ = 0;
  std::string_view data_;
  bool mapped_ = false;
  uint64_t offset_ = 0;
  uint64_t record_offset_ = 0;
  uint64_t bytes_read_ = 0;
  std::optional<WalDamage> damage_;
  absl::Status status_;
};

// Cuts the log at the damage: truncates that segment at the offset and
// deletes every later segment of the same directory.
absl::Status repair_wal(FileSystem* fs, const WalDamage& damage);

}  // namespace strata::tsdb
