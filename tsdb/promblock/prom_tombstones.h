// Reading a Prometheus block's `tombstones` file (Prometheus'
// docs/format/tombstones.md): magic 0x0130BA30, version 1, then (series ref
// uvarint, mint varint, maxt varint) entries and a CRC32C of the entries.
// The result is Strata's Tombstones keyed by series id (offset / 16), so the
// querier applies it like a Strata block's. Free function; no state.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/tombstones.h"

namespace strata::tsdb::prom {

inline constexpr uint32_t kTombstonesMagic = 0x0130BA30;

// A missing file reads as no tombstones; DataLoss (naming the file and
// offset) when it is corrupt.
absl::StatusOr<Tombstones> read_prom_tombstones(FileSystem* fs, const std::string& path);
// The same over the file's bytes (`path` only names it in errors).
absl::StatusOr<Tombstones> decode_prom_tombstones(std::string_view data, const std::string& path);

}  // namespace strata::tsdb::prom
