// Head tombstones: delete_series() logs (ref, interval) records to the WAL and
// remembers the intervals per series; queries filter the samples under them
// (head_read.cc). clean_tombstones() — or the first later sample that lands
// inside an interval — deletes the hidden samples for real by re-encoding the
// series, after which the tombstones are dropped. Replay rebuilds the same
// state because it applies tombstone records and samples with the same rules.
#include <algorithm>

#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/head/select_postings.h"

namespace strata::tsdb {
namespace {

// Inserts iv into sorted, disjoint intervals, merging overlapping and
// adjacent ones.
void add_interval(std::vector<Interval>* ivs, Interval iv) {
  std::vector<Interval> out;
  out.reserve(ivs->size() + 1);
  bool placed = false;
  for (const Interval& x : *ivs) {
    if (x.maxt_ms < iv.mint_ms && x.maxt_ms + 1 < iv.mint_ms) {
      out.push_back(x);
    } else if (x.mint_ms > iv.maxt_ms && x.mint_ms - 1 > iv.maxt_ms) {
      if (!placed) out.push_back(iv), placed = true;
      out.push_back(x);
    } else {
      iv.mint_ms = std::min(iv.mint_ms, x.mint_ms);
      iv.maxt_ms = std::max(iv.maxt_ms, x.maxt_ms);
    }
  }
  if (!placed) out.push_back(iv);
  *ivs = std::move(out);
}

bool overlaps(const MemSeries& s, int64_t mint, int64_t maxt) {
  if (!s.open.empty() && s.open.t >= mint && s.open.mint_ms() <= maxt) return true;
  for (const SealedChunk& c : s.sealed)
    if (c.maxt_ms >= mint && c.mint_ms <= maxt) return true;
  if (s.ooo()) {
    for (const SealedChunk& c : s.ooo()->sealed)
      if (c.maxt_ms >= mint && c.mint_ms <= maxt) return true;
    for (const auto& e : s.ooo()->open)
      if (e.t >= mint && e.t <= maxt) return true;
  }
  return false;
}

}  // namespace

absl::Status Head::delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) {
  if (mint_ms > maxt_ms) return absl::OkStatus();
  std::vector<WalTombstone> ts;
  for (uint32_t id : select_postings(symbols_, postings_, matchers)) {
    MemSeries* s = by_id(id);
    if (!s) continue;
    std::lock_guard<std::mutex> lock(series_lock(id));
    if (overlaps(*s, mint_ms, maxt_ms)) ts.push_back({id, mint_ms, maxt_ms});
  }
  if (ts.empty()) return absl::OkStatus();
  WriteGuard guard(this);
  if (wal_) {
    WalBatch batch;
    std::string payload;
    encode_tombstones(ts, &payload);
    batch.add(WalRecordType::kTombstones, payload);
    STRATA_RETURN_IF_ERROR(annotate(wal_->write(batch), "writing WAL tombstones"));
  }
  for (const WalTombstone& t : ts) {
    MemSeries* s = by_id(uint32_t(t.ref));
    if (!s) continue;
    std::lock_guard<std::mutex> lock(series_lock(s->id));
    add_tombstone_locked(s, {t.mint_ms, t.maxt_ms});
  }
  log::info("tsdb", "Head series deleted",
            {{"series", ts.size()}, {"mint", mint_ms}, {"maxt", maxt_ms}});
  return absl::OkStatus();
}

void Head::add_tombstone_locked(MemSeries* s, Interval iv) {
  std::lock_guard<std::mutex> lock(tomb_mu_);
  add_interval(&tombstones_[s->id], iv);
  s->flags |= MemSeries::kHasTombstones;
}

std::vector<Interval> Head::tombstones_of(uint32_t id) const {
  std::lock_guard<std::mutex> lock(tomb_mu_);
  auto it = tombstones_.find(id);
  return it == tombstones_.end() ? std::vector<Interval>{} : it->second;
}

void Head::drop_tombstones(uint32_t id) {
  std::lock_guard<std::mutex> lock(tomb_mu_);
  tombstones_.erase(id);
}

void Head::clean_series_locked(MemSeries* s) {
  std::vector<Interval> ivs = tombstones_of(s->id);
  std::vector<OooChunks::Entry> keep;
  for (const auto& e : s->all_samples())
    if (!in_intervals(ivs, e.t)) keep.push_back(e);
  int before = s->num_chunks();
  s->rewrite(keep, opts_.chunk_range_ms);
  add_chunks(s->num_chunks() - before);
  drop_tombstones(s->id);
  s->flags &= uint8_t(~MemSeries::kHasTombstones);
}

absl::Status Head::clean_tombstones() {
  std::vector<uint32_t> ids;
  {
    std::lock_guard<std::mutex> lock(tomb_mu_);
    for (const auto& [id, ivs] : tombstones_) ids.push_back(id);
  }
  for (uint32_t id : ids) {
    MemSeries* s = by_id(id);
    if (!s) {
      drop_tombstones(id);
      continue;
    }
    std::lock_guard<std::mutex> lock(series_lock(id));
    if (s->flags & MemSeries::kHasTombstones) clean_series_locked(s);
  }
  return absl::OkStatus();
}

}  // namespace strata::tsdb
