#include "tsdb/promblock/prom_import.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_join.h"
#include "base/status.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/promblock/prom_dir.h"

namespace strata::tsdb::prom {
namespace {

// Refuses an import that would lose samples. Strata's head never holds data
// an existing block covers: on replay it drops WAL samples older than the
// newest block's end. So when `dst` has a WAL, the imported blocks must end
// no later than the Strata blocks already there (whose end the head is
// already past).
absl::Status check_destination(FileSystem* fs, const std::string& dst, int64_t import_maxt) {
  const std::string wal = join_path(dst, "wal");
  if (!fs->exists(wal)) return absl::OkStatus();
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> segments, fs->list_dir(wal));
  if (segments.empty()) return absl::OkStatus();
  int64_t strata_maxt = INT64_MIN;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(dst));
  for (const std::string& n : names) {
    if (!is_ulid(n) || !fs->exists(join_path(join_path(dst, n), kMetaFileName))) continue;
    STRATA_ASSIGN_OR_RETURN(BlockMeta m, read_meta(fs, join_path(dst, n)));
    strata_maxt = std::max(strata_maxt, m.max_time_ms);
  }
  if (import_maxt <= strata_maxt) return absl::OkStatus();
  return absl::FailedPreconditionError(
      dst + " holds a write-ahead log (wal/) of a Strata server, and the imported blocks end at " +
      std::to_string(import_maxt) + " ms, after its newest block: on its next start Strata would "
      "drop the samples of its WAL older than that. Import into a fresh data directory, or serve "
      "the Prometheus directory read-only alongside with --storage.prometheus-tsdb.path");
}

}  // namespace

absl::StatusOr<PromImportResult> import_prom_dir(FileSystem* fs, const std::string& src_dir,
                                                 const std::string& dst_dir) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<PromDir> src, PromDir::open(fs, src_dir));
  PromImportResult r;
  r.source_blocks = src->blocks().size();
  r.head_not_imported = src->has_head_data();
  if (src->blocks().empty()) {
    return absl::FailedPreconditionError(
        src_dir + " holds no Prometheus block (a directory <ULID>/ with meta.json); to import "
                  "the newest samples still in Prometheus' head, take a snapshot with "
                  "POST /api/v1/admin/tsdb/snapshot and import snapshots/<name>");
  }
  const auto& blocks = src->blocks();
  int64_t import_maxt = INT64_MIN;
  for (const auto& b : blocks) import_maxt = std::max(import_maxt, b->meta().max_time_ms);
  STRATA_RETURN_IF_ERROR(check_destination(fs, dst_dir, import_maxt));
  STRATA_RETURN_IF_ERROR(fs->mkdirs(dst_dir));
  for (const std::vector<size_t>& group : overlapping_groups(blocks)) {
    int64_t mint = blocks[group[0]]->meta().min_time_ms;
    int64_t maxt = mint;
    std::vector<std::unique_ptr<Querier>> qs;
    std::vector<std::string> sources;
    for (size_t i : group) {
      const BlockMeta& m = blocks[i]->meta();
      mint = std::min(mint, m.min_time_ms);
      maxt = std::max(maxt, m.max_time_ms);
      sources.push_back(m.ulid);
    }
    // Block ranges are [min, max); queriers take inclusive ranges.
    for (size_t i : group) qs.push_back(blocks[i]->querier(mint, maxt - 1));
    MergeQuerier q(std::move(qs));
    // A fresh level-1 block with a new ULID: Strata's planner may compact
    // it with its neighbours like any block cut from the head.
    auto meta = write_block_from_querier(fs, dst_dir, &q, mint, maxt);
    if (!meta.ok()) {
      return annotate(meta.status(), "importing Prometheus block(s) " + absl::StrJoin(sources, ", "));
    }
    if (!meta->ulid.empty()) r.written.push_back(*std::move(meta));
  }
  r.skipped_histogram_series = src->skipped_histogram_series();
  return r;
}

}  // namespace strata::tsdb::prom
