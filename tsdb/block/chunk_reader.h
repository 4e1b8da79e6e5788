// ChunkReader: reads a block's chunk segments through mmap. Uncompressed pages
// are served straight from the mapping; zstd pages are decompressed on first
// use and kept in a small cache. Every page's CRC is checked the first time it
// is used (or all at once by verify()). A returned chunk owns a reference to
// its mapping or page buffer, so it outlives the reader. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/chunkenc/chunk_ref.h"

namespace strata::tsdb {

class ChunkReader {
 public:
  // Maps every segment file of `dir` (a block's chunks/ directory) and checks
  // their headers.
  static absl::StatusOr<std::unique_ptr<ChunkReader>> open(FileSystem* fs, const std::string& dir);

  // The chunk at `ref` with mint/maxt left 0 (the index knows them).
  absl::StatusOr<ChunkRef> chunk(uint64_t ref) const;
  // Walks every page and checks its CRC (and that zstd pages decompress).
  absl::Status verify() const;
  uint64_t size_bytes() const { return size_bytes_; }

 private:
  struct Segment {
    std::shared_ptr<MappedFile> map;
    // One flag per page offset that has passed its CRC check.
    std::unique_ptr<std::mutex> mu;
    mutable std::unordered_map<uint64_t, bool> verified;
  };
  struct Page {
    std::string_view raw;                // uncompressed page bytes
    std::shared_ptr<const void> owner;   // keeps `raw` alive
  };
  ChunkReader() = default;
  absl::StatusOr<Page> page(uint32_t segment, uint64_t offset) const;

  std::vector<Segment> segments_;
  uint64_t size_bytes_ = 0;

  // LRU of decompressed pages, by (segment << 40 | offset).
  static constexpr size_t kCachePages = 64;  // 4 MiB of 64 KiB pages per block
  mutable std::mutex cache_mu_;
  mutable std::list<std::pair<uint64_t, std::shared_ptr<const std::string>>> lru_;
  mutable std::unordered_map<uint64_t, decltype(lru_)::iterator> cache_;
};

}  // namespace strata::tsdb
