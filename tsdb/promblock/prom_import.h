// Importing a Prometheus data directory into a Strata data directory: every
// persisted Prometheus block (blocks overlapping each other are merged into
// one) is rewritten as a Strata block with Strata's BlockWriter, tombstoned
// samples left out, so a Strata server started on the destination serves
// that history. Only float samples are imported (native histogram chunks
// are counted and skipped); the Prometheus head (wal/, chunks_head/) is not
// read. The destination must not be in use by a running server. Used by
// `stratatool import prometheus-tsdb`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/meta.h"

namespace strata::tsdb::prom {

struct PromImportResult {
  size_t source_blocks = 0;
  std::vector<BlockMeta> written;  // the Strata blocks created, oldest first
  uint64_t skipped_histogram_series = 0;
  bool head_not_imported = false;  // the source had wal/ or chunks_head/ data
};

// Imports the blocks of `src_dir` into `dst_dir` (created if missing).
// FailedPrecondition when the source holds no block, or when `dst_dir` has
// a Strata WAL and the import reaches past its newest block (Strata would
// drop the WAL's older samples on replay); the errors of the
// reader (DataLoss naming the file and offset) otherwise. Blocks written
// before an error stay (each is complete).
absl::StatusOr<PromImportResult> import_prom_dir(FileSystem* fs, const std::string& src_dir,
                                                 const std::string& dst_dir);

}  // namespace strata::tsdb::prom
