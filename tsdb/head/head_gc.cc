// Head truncation: dropping data that moved to blocks, removing series left
// without samples (from the hash sets, postings and id array), and
// checkpointing the WAL so replay only reads what the head still holds.
#include <algorithm>
#include <limits>

#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/checkpoint.h"

namespace strata::tsdb {

size_t Head::gc(int64_t mint_ms, int64_t* oldest_ms) {
  *oldest_ms = std::numeric_limits<int64_t>::max();
  std::vector<MemSeries*> doomed;
  for_each_series([&](uint32_t id, MemSeries* s) {
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
    if (!s->empty()) *oldest_ms = std::min(*oldest_ms, s->min_time());
    if (!s->empty() || s->pending > 0) return;
    s->flags |= MemSeries::kDead;
    // Unlinking while the series lock is held means no appender can pin it
    // after seeing it in the hash set and before it is marked dead.
    HashStripe& stripe = hash_stripes_[stripe_of(s->hash)];
    {
      std::lock_guard<std::mutex> slock(stripe.mu);
      stripe.set.erase(s);
    }
    doomed.push_back(s);
  });
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

void Head::raise_min_time(int64_t mint_ms, int64_t oldest_ms) {
  // Samples committed since the reset before the scan may be older than
  // anything the scan saw (their series was scanned first).
  int64_t target = std::min(oldest_ms, applied_min_since_gc_.load());
  // An empty head keeps the truncation point, as before.
  if (target == std::numeric_limits<int64_t>::max()) target = mint_ms;
  // Out-of-order chunks may straddle mint_ms; data before it is gone anyway.
  target = std::max(target, mint_ms);
  int64_t cur = min_time_.load();
  while (cur < target && !min_time_.compare_exchange_weak(cur, target)) {
  }
  // A commit that lowered applied_min_since_gc_ after the read above but
  // before the raise found min_time_ still low and left it alone: lower it
  // now. A commit after this point lowers min_time_ itself.
  int64_t late = applied_min_since_gc_.load();
  cur = min_time_.load();
  while (late < cur && !min_time_.compare_exchange_weak(cur, late)) {
  }
}

absl::Status Head::truncate(int64_t mint_ms, const std::atomic<bool>* stop) {
  std::lock_guard<std::mutex> tlock(truncate_mu_);
  // The snapshot holds data this truncation drops, and the checkpoint below
  // deletes segments it relies on: it goes first.
  if (wal_) STRATA_RETURN_IF_ERROR(annotate(remove_snapshot(), "removing head snapshot"));
  // Series unlinked by the previous truncation are no longer referenced.
  std::vector<MemSeries*> old;
  old.swap(graveyard_);
  int64_t cur = min_valid_time_.load();
  while (mint_ms > cur && !min_valid_time_.compare_exchange_weak(cur, mint_ms)) {
  }
  double t0 = monotonic_seconds();
  // Every commit applied from here on is either seen by the scan (its
  // series is scanned after it) or recorded here (see raise_min_time()).
  applied_min_since_gc_.store(std::numeric_limits<int64_t>::max());
  int64_t oldest = 0;
  size_t removed = gc(mint_ms, &oldest);
  for (MemSeries* s : old) MemSeries::destroy(s);
  raise_min_time(mint_ms, oldest);
  log::info("tsdb", "Head GC completed",
            {{"mint", mint_ms},
             {"series_removed", removed},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  if (!wal_) return absl::OkStatus();
  absl::Status s = checkpoint(mint_ms, stop);
  if (absl::IsCancelled(s)) return s;
  if (!s.ok()) {
    counters_.wal_truncations_failed->inc();
    return annotate(s, "checkpointing WAL");
  }
  counters_.wal_truncations->inc();
  return absl::OkStatus();
}

absl::Status Head::checkpoint(int64_t mint_ms, const std::atomic<bool>* stop) {
  double t0 = monotonic_seconds();
  // Every commit acknowledged so far is in a segment <= last.
  STRATA_ASSIGN_OR_RETURN(uint32_t last, wal_->roll());
  CheckpointOptions o;
  o.keep_series = [this](uint64_t ref) { return ref <= UINT32_MAX && by_id(uint32_t(ref)); };
  o.mint_ms = mint_ms;
  o.metadata = metadata_.snapshot();
  o.segment_bytes = opts_.wal.segment_bytes;
  o.stop = stop;
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
