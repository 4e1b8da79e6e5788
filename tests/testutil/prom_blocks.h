// Real Prometheus 2.42 blocks for tests: starts /usr/bin/prometheus with the
// remote-write receiver and the admin API, remote-writes known samples
// (counters with resets, `series` series over `span_ms`, every fourth one
// four times as dense, oldest first) so
// that Prometheus cuts several 2 h blocks, deletes one series' range (a
// tombstone in a persisted block), takes a snapshot (which adds the head as
// a block) and copies it to `dest_dir`. Prometheus keeps running so a test
// can ask it queries; stop it by destroying `prometheus`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"

namespace strata::testutil {

struct PromBlocksSpec {
  int series = 300;
  // Prometheus compacts its head while it spans more than 3 h, so 5.5 h
  // persists at least two blocks wherever the 2 h boundaries fall.
  int64_t span_ms = 11 * 1800 * 1000;
  int64_t step_ms = 60 * 1000;
};

struct PromBlocks {
  std::unique_ptr<ServerProcess> prometheus;
  std::string snapshot_dir;      // dest_dir: the snapshot's block directories
  int64_t mint_ms = 0;           // first and last sample time written
  int64_t maxt_ms = 0;
  std::vector<RwSeries> written; // everything written, before the deletion
  // The deleted range of `deleted_selector` (inclusive).
  std::string deleted_selector;
  int64_t deleted_mint_ms = 0;
  int64_t deleted_maxt_ms = 0;
};

absl::StatusOr<PromBlocks> make_prom_blocks(const std::string& dest_dir,
                                            const PromBlocksSpec& spec = {});

}  // namespace strata::testutil
