// The head snapshot: on a clean shutdown the head writes its in-memory state
// (series with their labels and chunks, tombstones, metadata, time bounds)
// to <dir>/head_snapshot, recording how far into the WAL that state goes, so
// the next start loads it instead of replaying the WAL and replays only the
// segments after it (Prometheus' memory-snapshot-on-shutdown). Format:
// tsdb/docs/format/head_snapshot.md.
//
// The WAL stays the source of truth: a snapshot that is missing, damaged,
// from another format version, or no longer matches the WAL (a segment it
// covers changed size, a checkpoint or block newer than it exists) is
// ignored and deleted, and the head replays the whole WAL instead. Head
// truncation deletes the snapshot before it checkpoints the WAL. Exemplars
// are not in it: they live in memory only and do not survive any restart.
#pragma once

#include <cstdint>

namespace strata::tsdb {

// File name inside the head's directory (next to wal/); written as
// kHeadSnapshotFile + ".tmp" and renamed once complete and fsynced.
inline constexpr const char* kHeadSnapshotFile = "head_snapshot";
// "SHSN" little endian, then the version byte.
inline constexpr uint32_t kHeadSnapshotMagic = 0x4e534853;
inline constexpr uint8_t kHeadSnapshotVersion = 2;

// Section types (one byte each, framed like WAL records).
enum class SnapshotSection : uint8_t {
  kHeader = 1,
  kSymbols = 2,
  kSeries = 3,
  kTombstones = 4,
  kMetadata = 5,
  kEnd = 6,
  kPostings = 7,
};

}  // namespace strata::tsdb
