#include "tsdb/compact/compactor.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <set>

#include "base/clock.h"
#include "base/status.h"
#include "tsdb/block/block_querier.h"
#include "tsdb/block/block_writer.h"

namespace strata::tsdb {
namespace {

// Walks one block's series in index (= label) order.
struct Cursor {
  const Block* block;
  std::shared_ptr<const Tombstones> tombstones;
  uint32_t id = 0;
  Labels labels;
};

absl::Status load(Cursor* c) {
  if (c->id >= c->block->index().num_series()) return absl::OkStatus();
  return c->block->index().series(c->id, &c->labels, nullptr);
}

}  // namespace

Compactor::Compactor(FileSystem* fs, std::string dir, bool compress_chunks,
                     metrics::Registry* registry)
    : fs_(fs), dir_(std::move(dir)), compress_(compress_chunks) {
  compactions_ = &registry->counter("strata_tsdb_compactions_total",
                                    "Total number of block compactions that succeeded.");
  failed_ = &registry->counter("strata_tsdb_compactions_failed_total",
                               "Total number of block compactions that failed.");
  duration_ = &registry->histogram("strata_tsdb_compaction_duration_seconds",
                                   "Duration of block compactions.",
                                   metrics::exponential_buckets(1, 2, 14));
}

absl::StatusOr<BlockMeta> Compactor::compact(const std::vector<std::shared_ptr<Block>>& blocks,
                                             const std::atomic<bool>* stop) {
  if (blocks.empty()) return absl::InvalidArgumentError("compact: no blocks");
  double start = monotonic_seconds();
  BlockWriterOptions opts;
  opts.compress_chunks = compress_;
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  std::set<std::string> sources;
  for (const auto& b : blocks) {
    const BlockMeta& m = b->meta();
    mint = std::min(mint, m.min_time_ms);
    maxt = std::max(maxt, m.max_time_ms);
    opts.level = std::max(opts.level, m.compaction.level + 1);
    sources.insert(m.compaction.sources.begin(), m.compaction.sources.end());
    if (m.compaction.sources.empty()) sources.insert(m.ulid);
    opts.parents.push_back({m.ulid, m.min_time_ms, m.max_time_ms});
  }
  opts.sources.assign(sources.begin(), sources.end());
  auto fail = [&](const absl::Status& s) {
    failed_->inc();
    return annotate(s, "compacting " + std::to_string(blocks.size()) + " blocks into " + dir_);
  };
  auto w = BlockWriter::create(fs_, dir_, mint, maxt, opts);
  if (!w.ok()) return fail(w.status());

  std::vector<Cursor> cursors;
  for (const auto& b : blocks) {
    cursors.push_back({b.get(), b->tombstones(), 0, {}});
    if (auto s = load(&cursors.back()); !s.ok()) return fail(s);
  }
  auto greater = [&](size_t a, size_t b) {
    int c = Labels::compare(cursors[a].labels, cursors[b].labels);
    return c != 0 ? c > 0 : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
  for (size_t i = 0; i < cursors.size(); ++i) {
    if (cursors[i].block->index().num_series() > 0) heap.push(i);
  }
  std::vector<ChunkMeta> metas;
  while (!heap.empty()) {
    // The writer's destructor removes the unfinished block directory.
    if (stop && stop->load(std::memory_order_relaxed))
      return absl::CancelledError("compaction abandoned: storage is shutting down");
    Labels labels = cursors[heap.top()].labels;
    std::vector<ChunkRef> chunks;
    // Pop every cursor positioned on these labels, in block order.
    std::vector<size_t> same;
    while (!heap.empty() && cursors[heap.top()].labels == labels) {
      same.push_back(heap.top());
      heap.pop();
    }
    std::sort(same.begin(), same.end());
    for (size_t i : same) {
      Cursor& c = cursors[i];
      if (auto s = c.block->index().series(c.id, nullptr, &metas); !s.ok()) return fail(s);
      std::vector<ChunkRef> own;
      for (const ChunkMeta& m : metas) {
        auto ch = c.block->chunks().chunk(m.ref);
        if (!ch.ok()) return fail(ch.status());
        ch->mint_ms = m.mint_ms;
        ch->maxt_ms = m.maxt_ms;
        own.push_back(std::move(*ch));
      }
      bool keep = true;
      if (const auto* ivs = c.tombstones->get(c.id)) {
        auto kept = apply_tombstones(&own, *ivs, std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max());
        if (!kept.ok()) return fail(kept.status());
        keep = *kept;
      }
      if (keep) chunks.insert(chunks.end(), own.begin(), own.end());
      ++c.id;
      if (auto s = load(&c); !s.ok()) return fail(s);
      if (c.id < c.block->index().num_series()) heap.push(i);
    }
    if (chunks.empty()) continue;
    Series s(std::move(labels), std::move(chunks), mint, maxt - 1);
    if (auto st = (*w)->add_series(s); !st.ok()) return fail(st);
  }
  auto meta = (*w)->finish();
  if (!meta.ok()) return fail(meta.status());
  compactions_->inc();
  duration_->observe(monotonic_seconds() - start);
  return meta;
}

}  // namespace strata::tsdb
