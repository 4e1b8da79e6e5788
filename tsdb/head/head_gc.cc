// Head truncation: dropping data that moved to blocks, removing series left
// without samples (from the hash sets, postings and id array), and
// checkpointing the WAL so replay only reads what the head still holds.
#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/checkpoint.h"

namespace strata::tsdb {

size_t Head::gc(int64_t mint_ms) {
  std::vector<MemSeries*> doomed;
  uint32_t n = next_id_.load();
  for (uint32_t id = 0; id < n; ++id) {
    MemSeries* s = by_id(id);
    if (!s) continue;
    std::lock_guard<std::mutex> lock(series_lock(id));
    int before = s->num_chunks();
    s->truncate_before(mint_ms);
    add_chunks(s->num_chunks() - before);
    if (s->flags & MemSeries::kHasTombstones) {
      std::lock_guard<std::mutex> tlock(tomb_mu_);
      auto it = tombstones_.find(id);
      if (it != tombstones_.end()) {
        auto& ivs = it->second;
        ivs.erase(std::remove_if(ivs.begin(), ivs.end(),
                                 [&](const Interval& iv) { return iv.maxt_ms < mint_ms; }),
                  ivs.end());
        if (ivs.empty()) tombstones_.erase(it);
      }
      if (tombstones_.find(id) == tombstones_.end())
        s->flags &= uint8_t(~MemSeries::kHasTombstones);
    }
    // Series with staged samples stay: their appender will commit into them.
    if (!s->empty() || s->pending > 0) continue;
    s->flags |= MemSeries::kDead;
    // Unlinking while the series lock is held means no appender can pin it
    // after seeing it in the hash set and before it is marked dead.
    HashStripe& stripe = hash_stripes_[stripe_of(s->hash)];
    {
      std::lock_guard<std::mutex> slock(stripe.mu);
      stripe.set.erase(s);
    }
    doomed.push_back(s);
  }
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>>> gone;
  gone.reserve(doomed.size());
  for (MemSeries* s : doomed) gone.emplace_back(s->id, s->label_syms());
  postings_.remove(gone);
  for (MemSeries* s : doomed) {
    set_by_id(s->id, nullptr);
    drop_tombstones(s->id);
    num_series_.fetch_sub(1, std::memory_order_relaxed);
    graveyard_.push_back(s);
  }
  counters_.series_removed->inc(double(doomed.size()));
  return doomed.size();
}

absl::Status Head::truncate(int64_t mint_ms) {
  std::lock_guard<std::mutex> tlock(truncate_mu_);
  // Series unlinked by the previous truncation are no longer referenced.
  std::vector<MemSeries*> old;
  old.swap(graveyard_);
  int64_t cur = min_valid_time_.load();
  while (mint_ms > cur && !min_valid_time_.compare_exchange_weak(cur, mint_ms)) {
  }
  double t0 = monotonic_seconds();
  size_t removed = gc(mint_ms);
  for (MemSeries* s : old) MemSeries::destroy(s);
  int64_t mt = min_time_.load();
  while (mt < mint_ms && !min_time_.compare_exchange_weak(mt, mint_ms)) {
  }
  log::info("tsdb", "Head GC completed",
            {{"mint", mint_ms},
             {"series_removed", removed},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  if (!wal_) return absl::OkStatus();
  absl::Status s = checkpoint(mint_ms);
  if (!s.ok()) {
    counters_.wal_truncations_failed->inc();
    return annotate(s, "checkpointing WAL");
  }
  counters_.wal_truncations->inc();
  return absl::OkStatus();
}

absl::Status Head::checkpoint(int64_t mint_ms) {
  double t0 = monotonic_seconds();
  // Every commit acknowledged so far is in a segment <= last.
  STRATA_ASSIGN_OR_RETURN(uint32_t last, wal_->roll());
  CheckpointOptions o;
  o.keep_series = [this](uint64_t ref) { return ref <= UINT32_MAX && by_id(uint32_t(ref)); };
  o.mint_ms = mint_ms;
  o.metadata = metadata_.snapshot();
  o.segment_bytes = opts_.wal.segment_bytes;
  std::string wal_dir = join_path(opts_.dir, "wal");
  STRATA_ASSIGN_OR_RETURN(CheckpointStats st, write_checkpoint(opts_.fs, wal_dir, last, o));
  wal_->refresh_size();
  for (const std::string& d : st.damage) {
    counters_.wal_corruptions->inc();
    log::warn("tsdb", "WAL corruption while checkpointing, skipped the rest of the file",
              {{"where", d}});
  }
  log::info("tsdb", "WAL checkpoint complete",
            {{"last_segment", last},
             {"series", st.series_kept},
             {"samples", st.samples_kept},
             {"tombstones", st.tombstones_kept},
             {"bytes", st.bytes},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  return absl::OkStatus();
}

}  // namespace strata::tsdb
