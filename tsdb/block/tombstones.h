// Tombstones: deleted time intervals per series of one block (from
// /api/v1/admin/tsdb/delete_series), stored in the block's `tombstones` file
// and applied when the block is read; clean_tombstones rewrites the block
// without the deleted samples. Value type; not thread-safe (Block guards it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/interval.h"

namespace strata::tsdb {

inline constexpr uint32_t kTombstonesMagic = 0x5354544D;  // "STTM"
inline constexpr uint8_t kTombstonesVersion = 1;

class Tombstones {
 public:
  // Adds [mint, maxt] to the series' deleted intervals, merging overlaps.
  void add(uint32_t series, Interval iv);
  // Sorted, disjoint intervals of the series (nullptr when none).
  const std::vector<Interval>* get(uint32_t series) const;
  bool empty() const { return by_series_.empty(); }
  // Number of (series, interval) entries.
  uint64_t count() const;
  const std::map<uint32_t, std::vector<Interval>>& all() const { return by_series_; }

  std::string encode() const;
  static absl::StatusOr<Tombstones> decode(std::string_view data);
  // A missing file reads as no tombstones.
  static absl::StatusOr<Tombstones> read(FileSystem* fs, const std::string& path);
  // Durably replaces the file (temporary file, fsync, rename).
  absl::Status write(FileSystem* fs, const std::string& path) const;

 private:
  std::map<uint32_t, std::vector<Interval>> by_series_;
};

}  // namespace strata::tsdb
