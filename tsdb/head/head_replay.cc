// Head::open and WAL replay. The opening thread reads records (checkpoint
// first, then the segments after it), checks their checksums, decodes them,
// creates series and hands samples to worker threads, each owning the
// series whose id falls in its shard — so samples are applied without locks,
// in log order per series, while the next records are decoded. Tombstone
// records wait for the workers to drain (they are rare). A damaged record
// ends replay there: the log is cut at that point, logged and counted, and
// the head opens with everything before it.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <span>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {

class HeadReplayer {
 public:
  explicit HeadReplayer(Head* head) : h_(head) {
    int n = head->opts_.replay_workers;
    if (n <= 0) n = std::max(1, int(std::thread::hardware_concurrency()) - 1);
    n_shards_ = size_t(std::min(n, 64));
    shards_.reset(new Shard[n_shards_]);
  }
  ~HeadReplayer() {
    for (Shard& s : shards()) {
      {
        std::lock_guard<std::mutex> lock(s.mu);
        s.stop = true;
      }
      s.cv.notify_all();
    }
    for (Shard& s : shards()) {
      if (s.thread.joinable()) s.thread.join();
      delete s.filling;
      for (Batch* b : s.queue) delete b;
    }
    for (Batch* b : pool_) delete b;
  }

  absl::Status run();

 private:
  // 8192 samples (192 KiB) per hand-over: the queue lock is taken once per
  // batch, and a batch fits in L2 while it is applied.
  static constexpr size_t kBatchSamples = 8192;
  static constexpr size_t kMaxQueued = 8;  // per shard: bounds replay memory

  struct Item {
    uint32_t id;
    int64_t t;
    uint64_t bits;
  };
  using Batch = std::vector<Item>;
  struct Shard {
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;       // work arrived / stop
    std::condition_variable idle_cv;  // queue drained
    std::deque<Batch*> queue;
    bool busy = false;
    bool stop = false;
    Batch* filling = nullptr;  // main thread only
    // Written by the worker, read after a barrier.
    int64_t mint = std::numeric_limits<int64_t>::max();
    int64_t maxt = std::numeric_limits<int64_t>::min();
    uint64_t applied = 0, unknown = 0;
  };

  // Replays one directory; false in *stop when damage ended the log.
  absl::Status replay_dir(const std::string& dir, uint32_t first, bool checkpoint, bool* stop);
  bool on_series(std::string_view payload);
  bool on_samples(std::string_view payload);
  bool on_tombstones(std::string_view payload);
  bool on_metadata(std::string_view payload);
  uint32_t canonical(uint64_t ref) const;
  // Hands the shard's filling batch over; `waiting` when the caller then
  // waits for it (a barrier).
  void submit(Shard* s, bool waiting);
  void barrier();
  void work(Shard* s);
  void apply(Shard* s, const Batch& b);
  Batch* take_batch();
  void give_batch(Batch* b);

  std::span<Shard> shards() { return {shards_.get(), n_shards_}; }

  Head* h_;
  std::unique_ptr<Shard[]> shards_;
  size_t n_shards_ = 0;
  std::mutex pool_mu_;
  std::vector<Batch*> pool_;
  // Refs whose series record named labels another ref already had (a series
  // removed and re-created before a checkpoint could drop the old one).
  absl::flat_hash_map<uint32_t, uint32_t> aliases_;
  std::vector<LabelView> labels_;
  std::vector<LabelView> sorted_;
  std::vector<WalSample> samples_;
  std::vector<WalTombstone> tombs_;
  std::vector<WalMetadata> md_;
  // Series created by replay, indexed in bulk when it ends (index_bulk).
  std::vector<uint32_t> created_;
  uint64_t series_ = 0, bad_refs_ = 0, records_ = 0, bytes_ = 0;
};

HeadReplayer::Batch* HeadReplayer::take_batch() {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.empty()) {
    auto* b = new Batch();
    b->reserve(kBatchSamples);
    return b;
  }
  Batch* b = pool_.back();
  pool_.pop_back();
  return b;
}

void HeadReplayer::give_batch(Batch* b) {
  b->clear();
  std::lock_guard<std::mutex> lock(pool_mu_);
  pool_.push_back(b);
}

void HeadReplayer::submit(Shard* s, bool waiting) {
  Batch* b = s->filling;
  s->filling = nullptr;
  if (!b || b->empty()) {
    if (b) give_batch(b);
    return;
  }
  // A shard's thread starts with its first full batch; until then a barrier
  // applies the samples here, so a small WAL (most tests', every fuzz
  // input's) replays without starting and handing over to a thread. No
  // thread means nothing queued: the order of samples holds.
  if (!s->thread.joinable()) {
    if (waiting) {
      apply(s, *b);
      give_batch(b);
      return;
    }
    s->thread = std::thread([this, s] { work(s); });
  }
  std::unique_lock<std::mutex> lock(s->mu);
  s->idle_cv.wait(lock, [&] { return s->queue.size() < kMaxQueued; });
  s->queue.push_back(b);
  s->cv.notify_one();
}

void HeadReplayer::barrier() {
  for (Shard& s : shards()) submit(&s, /*waiting=*/true);
  for (Shard& s : shards()) {
    std::unique_lock<std::mutex> lock(s.mu);
    s.idle_cv.wait(lock, [&] { return s.queue.empty() && !s.busy; });
  }
}

void HeadReplayer::work(Shard* s) {
  std::unique_lock<std::mutex> lock(s->mu);
  while (true) {
    s->cv.wait(lock, [&] { return s->stop || !s->queue.empty(); });
    if (s->queue.empty()) return;
    Batch* b = s->queue.front();
    s->queue.pop_front();
    s->busy = true;
    s->idle_cv.notify_all();
    lock.unlock();
    apply(s, *b);
    give_batch(b);
    // The barrier reads the shard's figures after it sees busy == false.
    lock.lock();
    s->busy = false;
    s->idle_cv.notify_all();
  }
}

void HeadReplayer::apply(Shard* s, const Batch& b) {
  // The caller alone touches the series of this shard until the next
  // barrier, so no series lock is taken.
  int64_t mint = s->mint, maxt = s->maxt;
  uint64_t applied = 0, unknown = 0;
  // A batch touches up to 8192 series scattered over memory: resolve and
  // prefetch a few items ahead so the cache misses overlap.
  constexpr size_t kAhead = 8;
  const Item* items = b.data();
  const size_t n = b.size();
  MemSeries* ring[kAhead] = {};
  for (size_t i = 0; i < std::min(n, kAhead); ++i) {
    ring[i] = h_->by_id(items[i].id);
    if (ring[i]) __builtin_prefetch(ring[i], 1);
  }
  for (size_t i = 0; i < n; ++i) {
    const Item& it = items[i];
    MemSeries* last = ring[i % kAhead];
    if (i + kAhead < n) {
      MemSeries* next = h_->by_id(items[i + kAhead].id);
      ring[i % kAhead] = next;
      if (next) __builtin_prefetch(next, 1);
    }
    if (i + kAhead / 2 < n) {
      MemSeries* soon = ring[(i + kAhead / 2) % kAhead];
      if (soon && soon->open.buf) __builtin_prefetch(soon->open.buf, 1);
    }
    if (!last) {
      ++unknown;
      continue;
    }
    AppendErrorKind why;
    Head::Applied r = h_->apply_locked(last, it.t, it.bits, &why);
    if (r == Head::Applied::kInOrder || r == Head::Applied::kOutOfOrder) {
      ++applied;
      mint = std::min(mint, it.t);
      maxt = std::max(maxt, it.t);
    }
  }
  s->mint = mint;
  s->maxt = maxt;
  s->applied += applied;
  s->unknown += unknown;
}

uint32_t HeadReplayer::canonical(uint64_t ref) const {
  if (aliases_.empty()) return uint32_t(ref);
  auto it = aliases_.find(uint32_t(ref));
  return it == aliases_.end() ? uint32_t(ref) : it->second;
}

bool HeadReplayer::on_series(std::string_view payload) {
  // A malformed record is not applied at all, not even the entries before
  // the damage: the log is cut before it, and a head opened again from the
  // cut log must hold what this one does. So it is decoded whole first.
  {
    SeriesRecordReader check(payload);
    uint64_t ref;
    while (check.next(&ref, &labels_)) {
      if (ref > UINT32_MAX - 1) return false;
    }
    if (!check.ok()) return false;
  }
  SeriesRecordReader r(payload);
  uint64_t ref;
  while (r.next(&ref, &labels_)) {
    std::span<const LabelView> ls = labels_;
    auto by_name = [](const LabelView& a, const LabelView& b) { return a.first < b.first; };
    if (!std::is_sorted(labels_.begin(), labels_.end(), by_name)) {
      sorted_ = labels_;
      std::sort(sorted_.begin(), sorted_.end(), by_name);
      ls = sorted_;
    }
    if (h_->by_id(uint32_t(ref))) continue;  // logged twice by racing commits
    bool created;
    MemSeries* s = h_->get_or_create_key(Head::LabelsKey{Head::hash_labels(ls), nullptr, ls},
                                         uint32_t(ref), &created, /*index=*/false);
    if (created) created_.push_back(uint32_t(ref));
    s->logged.store(true, std::memory_order_relaxed);
    ++series_;
    if (!created) {
      aliases_[uint32_t(ref)] = s->id;
      // by_id(ref) must answer during replay (the duplicate check above).
      std::lock_guard<std::mutex> lock(h_->create_mu_);
      h_->set_by_id(uint32_t(ref), s);
      if (ref >= h_->next_id_.load()) h_->next_id_.store(uint32_t(ref) + 1);
    }
  }
  return r.ok();
}

bool HeadReplayer::on_samples(std::string_view payload) {
  samples_.clear();
  if (!decode_samples(payload, &samples_)) return false;
  const size_t n = n_shards_;
  for (const WalSample& x : samples_) {
    if (x.ref > UINT32_MAX) {
      ++bad_refs_;
      continue;
    }
    uint32_t id = canonical(x.ref);
    Shard& s = shards_[id % n];
    if (!s.filling) s.filling = take_batch();
    uint64_t bits;
    std::memcpy(&bits, &x.v, 8);
    s.filling->push_back({id, x.t_ms, bits});
    if (s.filling->size() >= kBatchSamples) submit(&s, /*waiting=*/false);
  }
  return true;
}

bool HeadReplayer::on_tombstones(std::string_view payload) {
  tombs_.clear();
  if (!decode_tombstones(payload, &tombs_)) return false;
  // Tombstones apply to the samples logged before them.
  barrier();
  for (const WalTombstone& t : tombs_) {
    if (t.ref > UINT32_MAX) continue;
    MemSeries* s = h_->by_id(canonical(t.ref));
    if (s && t.mint_ms <= t.maxt_ms) h_->add_tombstone_locked(s, {t.mint_ms, t.maxt_ms});
  }
  return true;
}

bool HeadReplayer::on_metadata(std::string_view payload) {
  md_.clear();
  if (!decode_metadata(payload, &md_)) return false;
  for (const WalMetadata& m : md_) {
    h_->metadata_.update(std::string(m.family),
                         {std::string(m.type), std::string(m.help), std::string(m.unit)});
  }
  return true;
}

absl::Status HeadReplayer::replay_dir(const std::string& dir, uint32_t first, bool checkpoint,
                                      bool* stop) {
  FileSystem* fs = h_->opts_.fs;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> r, WalReader::open(fs, dir, first));
  WalFrame f;
  while (r->next(&f)) {
    ++records_;
    bool ok = true;
    switch (f.type) {
      case WalRecordType::kSeries:
        ok = on_series(f.payload);
        break;
      case WalRecordType::kSamples:
        ok = on_samples(f.payload);
        break;
      case WalRecordType::kTombstones:
        ok = on_tombstones(f.payload);
        break;
      case WalRecordType::kMetadata:
        ok = on_metadata(f.payload);
        break;
    }
    if (!ok) r->mark_damaged(std::string("malformed ") + wal_record_type_name(f.type) + " record");
  }
  bytes_ += r->bytes_read();
  // Apply everything read so far before the log is cut or replay ends.
  barrier();
  STRATA_RETURN_IF_ERROR(r->status());
  if (const auto& d = r->damage()) {
    log::warn("tsdb", "WAL corruption, truncating",
              {{"dir", d->dir},
               {"segment", wal_segment_name(d->segment)},
               {"offset", d->offset},
               {"reason", d->reason}});
    h_->counters_.wal_corruptions->inc();
    STRATA_RETURN_IF_ERROR(annotate(repair_wal(fs, *d), "repairing " + d->dir));
    // A damaged checkpoint loses its own tail only; the segments after it
    // still hold everything newer.
    *stop = !checkpoint;
  }
  return absl::OkStatus();
}

absl::Status HeadReplayer::run() {
  FileSystem* fs = h_->opts_.fs;
  std::string wal_dir = join_path(h_->opts_.dir, "wal");
  double t0 = monotonic_seconds();
  STRATA_ASSIGN_OR_RETURN(std::optional<uint32_t> cp, find_checkpoint(fs, wal_dir));
  // A usable snapshot stands for the checkpoint and every segment up to the
  // one it covers; only the segments after it are replayed.
  std::optional<uint32_t> snap;
  if (h_->opts_.snapshot_on_shutdown) {
    snap = h_->load_snapshot();
  } else if (fs->exists(h_->snapshot_path())) {
    // Left by a run with snapshots on: it would go stale unseen.
    STRATA_RETURN_IF_ERROR(h_->remove_snapshot());
  }
  bool stop = false;
  if (cp && !snap) {
    STRATA_RETURN_IF_ERROR(
        replay_dir(join_path(wal_dir, checkpoint_dir_name(*cp)), 0, true, &stop));
  }
  if (cp) {
    // Segments the checkpoint covers may survive a crash during truncation.
    STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> segs, list_wal_segments(fs, wal_dir));
    for (uint32_t s : segs)
      if (s <= *cp) STRATA_RETURN_IF_ERROR(fs->remove(join_path(wal_dir, wal_segment_name(s))));
  }
  uint32_t first = snap ? *snap + 1 : cp ? *cp + 1 : 0;
  STRATA_RETURN_IF_ERROR(replay_dir(wal_dir, first, false, &stop));
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  uint64_t applied = 0, unknown = bad_refs_;
  for (Shard& s : shards()) {
    mint = std::min(mint, s.mint);
    maxt = std::max(maxt, s.maxt);
    applied += s.applied;
    unknown += s.unknown;
  }
  if (applied > 0) h_->update_time_range(mint, maxt);
  // Ids in the log are not always in creation order (racing commits).
  if (!std::is_sorted(created_.begin(), created_.end()))
    std::sort(created_.begin(), created_.end());
  h_->index_bulk(created_);
  // Alias slots only served replay.
  for (const auto& [ref, id] : aliases_) {
    std::lock_guard<std::mutex> lock(h_->create_mu_);
    h_->set_by_id(ref, nullptr);
  }
  if (unknown > 0)
    log::warn("tsdb", "WAL samples for unknown series were dropped", {{"samples", unknown}});
  log::info("tsdb", "WAL replay completed",
            {{"checkpoint", cp ? checkpoint_dir_name(*cp) : std::string("none")},
             {"snapshot", snap ? "loaded" : "none"},
             {"series", h_->stats().num_series},
             {"samples", applied},
             {"records", records_},
             {"bytes", bytes_},
             {"workers", n_shards_},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  return absl::OkStatus();
}

absl::Status Head::replay() { return HeadReplayer(this).run(); }

absl::StatusOr<std::unique_ptr<Head>> Head::open(HeadOptions opts, metrics::Registry* registry) {
  auto head = std::make_unique<Head>(std::move(opts), registry);
  if (head->opts_.dir.empty()) return head;
  FileSystem* fs = head->opts_.fs;
  std::string wal_dir = join_path(head->opts_.dir, "wal");
  STRATA_RETURN_IF_ERROR(annotate(fs->mkdirs(wal_dir), "creating WAL directory"));
  // A snapshot whose writing was cut short.
  if (std::string tmp = head->snapshot_path() + ".tmp"; fs->exists(tmp))
    STRATA_RETURN_IF_ERROR(fs->remove(tmp));
  STRATA_RETURN_IF_ERROR(annotate(head->replay(), "replaying WAL in " + wal_dir));
  // New segments must sort after what the newest checkpoint covers, even if
  // every segment after it is gone.
  STRATA_ASSIGN_OR_RETURN(std::optional<uint32_t> cp, find_checkpoint(fs, wal_dir));
  STRATA_ASSIGN_OR_RETURN(
      head->wal_, WalWriter::open(fs, wal_dir, head->opts_.wal, registry, cp ? *cp + 1 : 0));
  return head;
}

}  // namespace strata::tsdb
