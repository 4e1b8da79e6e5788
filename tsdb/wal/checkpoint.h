// WAL checkpoints. When the head drops data older than mint, the segments
// that held it are folded into `wal/checkpoint.<N>/` — a directory of segment
// files in the WAL's own framing, holding what segments <= N (and the
// previous checkpoint) still contribute: series records of series that are
// still alive, samples and tombstones at or after mint, and the metadata the
// head knows. Replay reads the newest checkpoint, then segments > N, so its
// work stays bounded by what the head holds.
//
// A checkpoint is derived from the log, not from memory, so replaying it
// plus the later segments gives exactly what replaying the whole log would
// have given for t >= mint. It is written to `checkpoint.<N>.tmp`, fsynced,
// renamed and the directory fsynced before anything it replaces is deleted.
// Not thread-safe; the head calls it from truncate() only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/labels/metric_metadata.h"

namespace strata::tsdb {

std::string checkpoint_dir_name(uint32_t last_segment);  // "checkpoint.00000012"
// True for "checkpoint.<8 digits>" (not ".tmp"); sets *last_segment.
bool parse_checkpoint_dir_name(std::string_view name, uint32_t* last_segment);

// The newest complete checkpoint in `wal_dir`, after removing leftovers of
// interrupted checkpoint writes. nullopt when there is none.
absl::StatusOr<std::optional<uint32_t>> find_checkpoint(FileSystem* fs, const std::string& wal_dir);

struct CheckpointOptions {
  // Series refs still alive in the head; records of others are dropped.
  std::function<bool(uint64_t ref)> keep_series;
  int64_t mint_ms = 0;  // samples and tombstones ending before are dropped
  // Written as metadata records (oldest first per family), replacing the
  // metadata records of the log.
  std::vector<std::pair<std::string, MetricMetadata>> metadata;
  uint64_t segment_bytes = uint64_t(128) << 20;
  // Checked between records: when it turns true the write is abandoned with
  // a Cancelled status, leaving a `.tmp` directory the next checkpoint
  // removes and every input in place. May be null.
  const std::atomic<bool>* stop = nullptr;
};

struct CheckpointStats {
  uint64_t series_kept = 0, series_dropped = 0;
  uint64_t samples_kept = 0, samples_dropped = 0;
  uint64_t tombstones_kept = 0;
  uint64_t bytes = 0;
  // Damage met while reading the inputs (the rest of that file is skipped).
  std::vector<std::string> damage;
};

// Writes `wal_dir/checkpoint.<last_segment>` from the newest existing
// checkpoint and the segments up to last_segment, then deletes those
// segments and older checkpoints.
absl::StatusOr<CheckpointStats> write_checkpoint(FileSystem* fs, const std::string& wal_dir,
                                                 uint32_t last_segment,
                                                 const CheckpointOptions& opts);

}  // namespace strata::tsdb
