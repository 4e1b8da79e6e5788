// FileSystem: every file the TSDB touches goes through this interface, so that
// tests can inject torn writes, flipped bytes and lost unsynced data (LevelDB's
// Env idea). PosixFileSystem is the real one. Implementations are thread-safe;
// file objects are not (one owner at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata {

// Append-only file.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status append(std::string_view data) = 0;
  // Hands buffered data to the OS (survives a process crash, not a power loss).
  virtual absl::Status flush() = 0;
  // Makes appended data durable (fdatasync).
  virtual absl::Status sync() = 0;
  virtual absl::Status close() = 0;
  virtual uint64_t size() const = 0;
};

// Read-only random access.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to n bytes at offset into *out (fewer at end of file).
  virtual absl::Status read_at(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t size() const = 0;
};

// A read-only memory mapping of a whole file; data() stays valid until destroyed.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (truncating) or, with `append`, opens for appending.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                                      bool append = false) = 0;
  virtual absl::StatusOr<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<MappedFile>> map(const std::string& path) = 0;
  virtual absl::StatusOr<std::string> read_file(const std::string& path) = 0;

  virtual bool exists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> file_size(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, sorted.
  virtual absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  virtual absl::Status mkdirs(const std::string& dir) = 0;
  // Atomic replace of `to` (files or directories).
  virtual absl::Status rename(const std::string& from, const std::string& to) = 0;
  virtual absl::Status remove(const std::string& path) = 0;
  virtual absl::Status remove_all(const std::string& path) = 0;
  virtual absl::Status truncate(const std::string& path, uint64_t size) = 0;
  // fsyncs a directory so that renames/creations in it are durable.
  virtual absl::Status sync_dir(const std::string& dir) = 0;
  // Total bytes of regular files under `path` (recursive).
  virtual absl::StatusOr<uint64_t> disk_usage(const std::string& path) = 0;
};

// The process-wide POSIX file system.
FileSystem* posix_file_system();

// Joins path segments with '/'.
std::string join_path(std::string_view a, std::string_view b);

}  // namespace strata
