// Head truncation: dropping data that moved to blocks, removing series left
// without samples, and checkpointing the WAL.
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {

size_t Head::gc(int64_t mint_ms) {
  std::vector<MemSeries*> doomed;
  uint32_t n = next_id_.load();
  for (uint32_t id = 0; id < n; ++id) {
    MemSeries* s = by_id(id);
    if (!s) continue;
    std::lock_guard<std::mutex> lock(series_lock(id));
    size_t keep = 0;
    for (size_t i = 0; i < s->sealed.size(); ++i) {
      if (s->sealed[i].maxt_ms >= mint_ms) s->sealed[keep++] = std::move(s->sealed[i]);
    }
    num_chunks_.fetch_sub(s->sealed.size() - keep, std::memory_order_relaxed);
    s->sealed.resize(keep);
    if (s->open && s->open_maxt_ms < mint_ms) {
      s->open.reset();
      num_chunks_.fetch_sub(1, std::memory_order_relaxed);
    }
    if (s->empty() && s->pending.load(std::memory_order_relaxed) == 0) {
      s->dead = true;
      doomed.push_back(s);
    }
  }
  for (MemSeries* s : doomed) {
    HashStripe& stripe = hash_stripes_[s->hash & (kStripes - 1)];
    {
      std::lock_guard<std::mutex> lock(stripe.mu);
      auto it = stripe.by_hash.find(s->hash);
      if (it != stripe.by_hash.end()) {
        if (it->second == s) {
          if (s->next_in_bucket) it->second = s->next_in_bucket;
          else stripe.by_hash.erase(it);
        } else {
          for (MemSeries* p = it->second; p; p = p->next_in_bucket) {
            if (p->next_in_bucket == s) {
              p->next_in_bucket = s->next_in_bucket;
              break;
            }
          }
        }
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    for (size_t i = 0; i < s->num_labels; ++i) pairs.emplace_back(s->syms[2 * i], s->syms[2 * i + 1]);
    postings_.remove(s->id, pairs);
    set_by_id(s->id, nullptr);
    num_series_.fetch_sub(1, std::memory_order_relaxed);
    graveyard_.push_back(s);
  }
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
  size_t removed;
  uint32_t last_segment = 0;
  {
    // Holding the WAL lock keeps commits from logging samples for a series
    // while it is being removed.
    std::lock_guard<std::mutex> wlock(wal_mu_);
    if (wal_) {
      auto r = wal_->roll();
      if (!r.ok()) return r.status();
      last_segment = *r;
    }
    removed = gc(mint_ms);
  }
  for (MemSeries* s : old) delete s;
  int64_t mt = min_time_.load();
  while (mt < mint_ms && !min_time_.compare_exchange_weak(mt, mint_ms)) {
  }
  log::info("tsdb", "Head truncated", {{"mint", mint_ms}, {"series_removed", removed}});
  if (!wal_) return absl::OkStatus();
  return annotate(write_checkpoint(last_segment, mint_ms), "checkpointing WAL");
}

}  // namespace strata::tsdb
