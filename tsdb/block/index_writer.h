// The block index: symbol table, series (label refs + chunk metas), postings
// lists and the label name -> value -> postings table, each section with a
// CRC-32C, addressed by a table of contents at the end of the file. The byte
// layout is in tsdb/docs/format/index.md. build_index() is a pure function;
// write_index() writes and syncs the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/filesystem.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {

inline constexpr uint32_t kIndexMagic = 0x53545849;  // "STXI"
inline constexpr uint8_t kIndexVersion = 1;
inline constexpr size_t kIndexHeaderSize = 8;
inline constexpr int kIndexSections = 5;  // symbols, series, series offsets, postings, table
inline constexpr size_t kIndexTocSize = kIndexSections * 8 + 4;

// Where one chunk of a series lives and which samples it holds.
struct ChunkMeta {
  int64_t mint_ms;
  int64_t maxt_ms;  // inclusive
  uint64_t ref;     // chunk ref (tsdb/block/chunk_writer.h)
};

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;  // sorted, non-overlapping
};

// The index bytes for `series`, which must be sorted by labels and unique.
// Series ids are positions in this list.
std::string build_index(const std::vector<IndexSeries>& series);
absl::Status write_index(FileSystem* fs, const std::string& path,
                         const std::vector<IndexSeries>& series);

}  // namespace strata::tsdb
