// FaultInjectionFileSystem: a FileSystem wrapping another (the POSIX one by
// default) that remembers, per file, how much of it was fsynced, so tests can
// simulate what survives a power loss (drop_unsynced_data: every file cut to
// its synced length, files whose directory entry was never synced removed),
// tear the next write (only a prefix reaches the file, then an error), fail
// writes or syncs, and damage files in place (flip a byte, zero a range).
// A failed sync behaves like Linux after a writeback error ("fsyncgate"):
// the bytes unsynced at that moment are doubtful; a later sync of the same
// file succeeds without making them durable, so a power loss zeroes them
// (the pages never reached the disk) unless the file was cut back before
// them.
// What a process crash (SIGKILL) leaves is simply what the wrapped file
// system holds: every byte handed to write(2). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/filesystem.h"

namespace strata::testutil {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base = posix_file_system()) : base_(base) {}

  // --- faults ---
  // Cuts every file written through this object to its last fsynced size and
  // removes files created since their directory was last fsynced.
  absl::Status drop_unsynced_data();
  // The next append keeps only `keep_bytes` of its data, then fails.
  void tear_next_write(size_t keep_bytes);
  // While set, appends / syncs fail with an I/O error (nothing written).
  void set_fail_writes(bool on);
  void set_fail_syncs(bool on);
  uint64_t syncs() const;

  // In-place damage of an existing file (not through a WritableFile).
  static absl::Status flip_byte(const std::string& path, uint64_t offset, uint8_t mask = 0x01);
  static absl::Status zero_range(const std::string& path, uint64_t offset, uint64_t len);

  // --- FileSystem ---
  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                              bool append = false) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) override {
    return base_->open_readable(path);
  }
  absl::StatusOr<std::unique_ptr<MappedFile>> map(const std::string& path) override {
    return base_->map(path);
  }
  absl::StatusOr<std::string> read_file(const std::string& path) override {
    return base_->read_file(path);
  }
  bool exists(const std::string& path) override { return base_->exists(path); }
  absl::StatusOr<uint64_t> file_size(const std::string& path) override {
    return base_->file_size(path);
  }
  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override {
    return base_->list_dir(dir);
  }
  absl::Status mkdirs(const std::string& dir) override { return base_->mkdirs(dir); }
  absl::Status rename(const std::string& from, const std::string& to) override;
  absl::Status remove(const std::string& path) override;
  absl::Status remove_all(const std::string& path) override;
  absl::Status truncate(const std::string& path, uint64_t size) override;
  absl::Status sync_dir(const std::string& dir) override;
  absl::StatusOr<uint64_t> disk_usage(const std::string& path) override {
    return base_->disk_usage(path);
  }

 private:
  friend class FaultWritableFile;
  struct FileState {
    uint64_t synced = 0;       // bytes known durable
    bool entry_synced = true;  // its directory was fsynced since creation
    // [lost_from, lost_to): unsynced when a sync failed; never durable.
    uint64_t lost_from = 0, lost_to = 0;
  };
  // Hooks for FaultWritableFile.
  absl::Status before_append(std::string_view data, size_t* keep);
  absl::Status before_sync();
  void synced(const std::string& path, uint64_t size);
  void sync_failed(const std::string& path, uint64_t size);

  FileSystem* base_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;
  bool tear_ = false;
  size_t tear_keep_ = 0;
  bool fail_writes_ = false;
  bool fail_syncs_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace strata::testutil
