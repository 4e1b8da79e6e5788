// ChunkWriter: writes a block's chunk segment files (`chunks/000001`, ...).
// Chunks are packed into pages of about kPageTarget bytes; each page is
// zstd-compressed when that saves space and carries a CRC-32C. A chunk is
// addressed by a 64-bit ref (segment, page offset, offset in the page); see
// tsdb/docs/format/chunks.md. Owned by one BlockWriter; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/chunkenc/chunk_ref.h"

namespace strata::tsdb {

inline constexpr uint32_t kChunkSegmentMagic = 0x5354434B;  // "STCK"
inline constexpr uint8_t kChunkSegmentVersion = 1;
inline constexpr size_t kChunkSegmentHeaderSize = 8;
inline constexpr size_t kChunkPageHeaderSize = 9;  // compression u8, stored u32, raw u32
// 64 KiB pages: big enough for zstd to find cross-series redundancy (shared
// timestamps, interval headers), small enough that reading one series' chunk
// decompresses little else (~20 µs).
inline constexpr size_t kPageTarget = 64 * 1024;
// New segment file past 512 MiB, like Prometheus' chunk segments.
inline constexpr uint64_t kMaxSegmentBytes = 512ull << 20;
enum class PageCompression : uint8_t { kNone = 0, kZstd = 1 };

// Chunk ref layout: segment number (1-based) in bits 48..63, the page's byte
// offset in its segment in bits 18..47, the chunk's offset inside the
// uncompressed page in bits 0..17.
inline uint64_t make_chunk_ref(uint64_t segment, uint64_t page_offset, uint64_t in_page) {
  return (segment << 48) | (page_offset << 18) | in_page;
}
inline uint32_t chunk_ref_segment(uint64_t ref) { return uint32_t(ref >> 48); }
inline uint64_t chunk_ref_page(uint64_t ref) { return (ref >> 18) & ((1ull << 30) - 1); }
inline uint32_t chunk_ref_in_page(uint64_t ref) { return uint32_t(ref & ((1u << 18) - 1)); }

class ChunkWriter {
 public:
  // Creates `dir` (the block's chunks/ directory). With `compress`, pages are
  // zstd-compressed when that saves at least 1/16 of their size.
  static absl::StatusOr<std::unique_ptr<ChunkWriter>> create(FileSystem* fs, std::string dir,
                                                             bool compress);
  ~ChunkWriter();

  // Queues one encoded chunk; its ref is final once finish() succeeds.
  absl::StatusOr<uint64_t> add(ChunkEncoding encoding, std::string_view data);
  // Writes the last page and syncs and closes every segment.
  absl::Status finish();
  uint64_t bytes_written() const { return total_bytes_; }

 private:
  ChunkWriter(FileSystem* fs, std::string dir, bool compress)
      : fs_(fs), dir_(std::move(dir)), compress_(compress) {}
  absl::Status flush_page();
  absl::Status open_segment();

  FileSystem* fs_;
  std::string dir_;
  bool compress_;
  std::unique_ptr<WritableFile> file_;
  uint32_t segment_ = 0;
  std::string page_;
  uint64_t total_bytes_ = 0;
};

// "000001": the file name of segment `n`.
std::string chunk_segment_name(uint32_t n);

}  // namespace strata::tsdb
