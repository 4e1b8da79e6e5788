// BlockMeta: the contents of a block's meta.json — its id, time range, stats
// and compaction lineage — in Prometheus' field names. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"

namespace strata::tsdb {

inline constexpr int kBlockMetaVersion = 1;
inline constexpr char kMetaFileName[] = "meta.json";
inline constexpr char kIndexFileName[] = "index";
inline constexpr char kChunksDirName[] = "chunks";
inline constexpr char kTombstonesFileName[] = "tombstones";

struct BlockMeta {
  std::string ulid;
  int64_t min_time_ms = 0;  // inclusive
  int64_t max_time_ms = 0;  // exclusive, like Prometheus
  struct Stats {
    uint64_t num_samples = 0;
    uint64_t num_series = 0;
    uint64_t num_chunks = 0;
    uint64_t num_tombstones = 0;
  } stats;
  struct Parent {
    std::string ulid;
    int64_t min_time_ms = 0;
    int64_t max_time_ms = 0;
  };
  struct Compaction {
    int level = 1;
    std::vector<std::string> sources;  // level-1 blocks this one descends from
    std::vector<Parent> parents;       // the blocks compacted into this one
    bool failed = false;
  } compaction;
  int version = kBlockMetaVersion;
};

std::string meta_to_json(const BlockMeta& m);
absl::StatusOr<BlockMeta> meta_from_json(std::string_view json);
// Writes <dir>/meta.json durably (temporary file, fsync, rename).
absl::Status write_meta(FileSystem* fs, const std::string& dir, const BlockMeta& m);
absl::StatusOr<BlockMeta> read_meta(FileSystem* fs, const std::string& dir);

// A new ULID: 48-bit milliseconds then 80 random bits, 26 characters of
// Crockford base32, so ids sort by creation time like Prometheus' blocks.
std::string new_ulid(int64_t t_ms);
// Whether `s` looks like a ULID (26 Crockford base32 characters).
bool is_ulid(std::string_view s);

}  // namespace strata::tsdb
