#include "tsdb/promblock/prom_dir.h"

#include <algorithm>

#include "base/status.h"
#include "tsdb/block/merge_querier.h"

namespace strata::tsdb::prom {
namespace {

bool non_empty_dir(FileSystem* fs, const std::string& dir) {
  if (!fs->exists(dir)) return false;
  auto names = fs->list_dir(dir);
  return names.ok() && !names->empty();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PromDir>> PromDir::open(FileSystem* fs, const std::string& dir,
                                                       bool set_aside_corrupt) {
  auto out = std::make_unique<PromDir>();
  auto names = fs->list_dir(dir);
  if (!names.ok()) return annotate(names.status(), "cannot read Prometheus data directory " + dir);
  for (const std::string& n : *names) {
    if (!is_ulid(n)) continue;  // also skips `<ulid>.tmp`, wal, chunks_head, snapshots
    const std::string bdir = join_path(dir, n);
    if (!fs->exists(join_path(bdir, kMetaFileName))) continue;
    auto b = PromBlock::open(fs, bdir);
    if (!b.ok()) {
      if (!set_aside_corrupt || b.status().code() != absl::StatusCode::kDataLoss) return b.status();
      out->corrupted_.emplace_back(b.status().message());
      continue;
    }
    out->blocks_.push_back(*std::move(b));
  }
  std::sort(out->blocks_.begin(), out->blocks_.end(), [](const auto& a, const auto& b) {
    return std::pair(a->meta().min_time_ms, a->meta().max_time_ms) <
           std::pair(b->meta().min_time_ms, b->meta().max_time_ms);
  });
  out->has_head_data_ =
      non_empty_dir(fs, join_path(dir, "wal")) || non_empty_dir(fs, join_path(dir, "chunks_head"));
  return out;
}

uint64_t PromDir::skipped_histogram_series() const {
  uint64_t n = 0;
  for (const auto& b : blocks_) n += b->skipped_histogram_series();
  return n;
}

absl::StatusOr<std::unique_ptr<Querier>> PromDir::querier(int64_t mint_ms, int64_t maxt_ms) {
  std::vector<std::unique_ptr<Querier>> qs;
  for (const auto& b : blocks_) {
    // Block ranges are [min, max): max is exclusive.
    if (b->meta().max_time_ms <= mint_ms || b->meta().min_time_ms > maxt_ms) continue;
    qs.push_back(b->querier(mint_ms, maxt_ms));
  }
  return std::unique_ptr<Querier>(std::make_unique<MergeQuerier>(std::move(qs)));
}

std::vector<std::vector<size_t>> overlapping_groups(
    const std::vector<std::shared_ptr<PromBlock>>& blocks) {
  std::vector<std::vector<size_t>> groups;
  int64_t group_max = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockMeta& m = blocks[i]->meta();
    if (groups.empty() || m.min_time_ms >= group_max) {
      groups.push_back({i});
      group_max = m.max_time_ms;
    } else {
      groups.back().push_back(i);
      group_max = std::max(group_max, m.max_time_ms);
    }
  }
  return groups;
}

}  // namespace strata::tsdb::prom
