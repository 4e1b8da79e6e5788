// PromChunks: the chunk segment files of a Prometheus block (`chunks/000001`,
// ...; Prometheus' docs/format/chunks.md), mapped read-only. chunk() resolves
// a chunk reference (segment sequence in the upper 32 bits, offset in the
// lower 32) to the chunk's encoding and bytes after checking bounds and the
// CRC32C. XOR chunks are bit-compatible with Strata's kXor and are handed out
// zero-copy; the ChunkRef shares ownership of the segment mapping. Immutable
// after open(); any thread may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/chunkenc/chunk_ref.h"

namespace strata::tsdb::prom {

inline constexpr uint32_t kChunksMagic = 0x85BD40DD;
// Prometheus' chunk encoding bytes (tsdb/chunkenc).
inline constexpr uint8_t kPromEncXor = 1;
inline constexpr uint8_t kPromEncHistogram = 2;
inline constexpr uint8_t kPromEncFloatHistogram = 3;

// One chunk as stored: its Prometheus encoding byte and data.
struct PromChunk {
  uint8_t encoding = 0;
  ChunkRef chunk{0, 0, {}, nullptr, ChunkEncoding::kXor};  // encoding kXor when `encoding` is kPromEncXor
};

class PromChunks {
 public:
  // Maps every segment of `dir` (the block's chunks directory), checking
  // each one's header.
  static absl::StatusOr<std::unique_ptr<PromChunks>> open(FileSystem* fs, const std::string& dir);

  // The chunk at `ref`, its CRC verified. DataLoss when out of bounds or
  // corrupt.
  absl::StatusOr<PromChunk> chunk(uint64_t ref) const;

 private:
  struct Segment {
    std::string path;
    std::shared_ptr<const MappedFile> file;
  };
  std::vector<Segment> segments_;  // index = the sequence of a chunk ref
};

}  // namespace strata::tsdb::prom
