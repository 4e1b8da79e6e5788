// The head: the in-memory part of the TSDB holding recent samples of every
// active series, made durable by a write-ahead log.
//
// Series are found by labels through striped hash sets and by dense id (the
// series ref, stable across restarts) through a paged array; label strings
// are interned; HeadPostings indexes series by label pair. Appends go through
// HeadAppender transactions (head_append.cc) whose commit writes the WAL
// before samples become visible; reads through HeadQuerier (head_read.cc).
// open() replays the WAL (head_replay.cc); truncate() drops old data and
// checkpoints the WAL (head_gc.cc); delete_series() adds tombstones
// (head_tombstones.cc). Exemplars staged by appenders go to exemplars()
// (exemplar_storage.h, memory only) at commit. Thread-safe: any thread may
// append, query, truncate or delete concurrently.
//
// Append rules, with Prometheus' error texts (tsdb/storage.h):
//   t more than HeadOptions::too_far_in_future_window_ms after the wall
//     clock (when the window is set)                  "sample timestamp too far in the future"
//   t before the min valid time (the last truncation point, or
//     HeadOptions::min_valid_time_ms)                 "out of bounds"
//   t after the series' newest sample                 appended
//   t equal to the newest sample: same value bits     ignored (a resend)
//                                 other value         "duplicate sample for timestamp"
//   t older, no out-of-order window                   "out of order sample"
//   t older, window set, t < head max time - window   "too old sample"
//   t older, inside the window                        kept in the series' out-of-order
//                                                     chunks ("duplicate" if another
//                                                     value exists at t)
// Later samples of the series an appender just appended to are checked
// against its own batch; one that contradicts the batch (same time and
// another value, or older without an out-of-order window) is dropped
// without an error, as Prometheus drops it at commit. Commit and replay apply the same rules again
// (apply_locked), so a restart rebuilds exactly what commits built.
// Unlike Prometheus, samples older than head max time - chunk range / 2 are
// not rejected when they are in order for their series.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/head/exemplar_storage.h"
#include "tsdb/head/head_postings.h"
#include "tsdb/head/head_stats.h"
#include "tsdb/head/mem_series.h"
#include "tsdb/head/paged_array.h"
#include "tsdb/head/metadata_store.h"
#include "tsdb/head/symbols.h"
#include "tsdb/interval.h"
#include "tsdb/storage.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/writer.h"

namespace strata::tsdb {

struct HeadOptions {
  // Chunks are cut at multiples of this so blocks can be cut cleanly.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // Directory holding wal/ (segments and checkpoints); "" keeps the head in
  // memory only, without a WAL.
  std::string dir;
  FileSystem* fs = nullptr;  // defaults to the POSIX file system
  WalOptions wal;
  // --storage.tsdb.out-of-order-time-window: with a window, samples older
  // than their series' newest sample are accepted when they are no older
  // than the head's max time minus the window. 0 rejects them (Prometheus'
  // default: "out of order sample").
  int64_t ooo_window_ms = 0;
  // Appends before this are "out of bounds" and replay drops such samples:
  // pass the max time of the newest block, so the head never holds data a
  // block already has.
  int64_t min_valid_time_ms = std::numeric_limits<int64_t>::min();
  // Threads applying samples during replay; 0 = one per core but one.
  int replay_workers = 0;
  // --storage.tsdb.too-far-in-future.time-window: appends more than this
  // after the wall clock (read once per appender) are rejected, so that one
  // sample from a broken clock cannot stretch the head over years. Replay
  // does not check it. 0 disables the check (the tsdb default; the server
  // passes 10 min).
  int64_t too_far_in_future_window_ms = 0;
  // --storage.tsdb.max-series: appends that would create a series beyond
  // this many are refused (kErrSeriesLimit) while series already in the head
  // keep taking samples, so a cardinality explosion costs a 400 and a
  // metric instead of the process. Checked without a lock, so concurrent
  // appenders may overshoot by at most one series each. Replay never
  // refuses (what was acknowledged comes back). 0: no limit.
  int64_t max_series = 0;
  // --storage.exemplars.exemplars-limit: size of the exemplar ring buffer
  // (Prometheus' default with exemplar storage on); 0 stores none.
  int64_t max_exemplars = 100000;
  // --storage.tsdb.head-snapshot-on-shutdown: close() writes the head's
  // state to a snapshot file next to the WAL and open() loads it, replaying
  // only the WAL written after it (head_snapshot.h). Off here so that tests
  // exercise WAL replay unless they ask for the snapshot; the server turns
  // it on by default.
  bool snapshot_on_shutdown = false;
  // Lock stripes of the series table (Prometheus' StripeSize): a power of
  // two up to 4096, rounded down. Each costs two cache lines, so the
  // default's 512 KiB is nothing for a server and most of building a head
  // that holds a handful of series (fuzz inputs, tests), which pass less.
  uint32_t stripes = 4096;
};

class Head {
 public:
  // An empty in-memory head (opts.dir is ignored; use open() for a WAL).
  Head(HeadOptions opts, metrics::Registry* registry);
  // Opens the head in opts.dir: replays the newest checkpoint and the WAL
  // segments after it (cutting a damaged tail off, with a log line), then
  // starts a new WAL segment for appends. With an empty dir, an in-memory head.
  static absl::StatusOr<std::unique_ptr<Head>> open(HeadOptions opts, metrics::Registry* registry);
  ~Head();
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<Appender> appender();
  std::unique_ptr<Querier> querier(int64_t mint_ms, int64_t maxt_ms);

  // Drops all data before mint_ms, removes series left without samples,
  // rejects later appends before mint_ms ("out of bounds") and checkpoints
  // the WAL so that replay only reads what the head still holds. Call after
  // the data before mint_ms was persisted in a block. The head's min time
  // then becomes its oldest remaining sample, not mint_ms: a head holding
  // one sample from 1970 and one from today spans one block range after one
  // cut, not 450 000 empty ones. `stop` (may be null): when it turns true,
  // the checkpoint is abandoned with a Cancelled status (the next one
  // covers its segments).
  absl::Status truncate(int64_t mint_ms, const std::atomic<bool>* stop = nullptr);
  // Deletes the samples in [mint_ms, maxt_ms] of every series matching all
  // matchers: writes a tombstone record to the WAL, then hides them from
  // queries (and from blocks cut from the head). Samples appended later are
  // not affected. Survives restarts.
  absl::Status delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms);
  // Rewrites the chunks of series with tombstones without the deleted
  // samples, freeing their memory.
  absl::Status clean_tombstones();
  // fsyncs and closes the WAL (later commits fail), waits for commits that
  // wrote the WAL to finish applying, and then, with snapshot_on_shutdown,
  // writes the head snapshot (a failure to write it is logged: the WAL has
  // everything). Idempotent.
  absl::Status close();

  HeadStats stats() const;
  int64_t min_valid_time_ms() const { return min_valid_time_.load(std::memory_order_relaxed); }
  // Bytes of the WAL directory (segments and checkpoint), for size-based
  // retention; 0 without a WAL.
  uint64_t wal_size_bytes() const;
  // Heap bytes held by series structures and chunks (not the indexes).
  size_t series_bytes() const;

  SymbolTable& symbols() { return symbols_; }
  const SymbolTable& symbols() const { return symbols_; }
  const HeadPostings& postings() const { return postings_; }
  MetadataStore& metadata() { return metadata_; }
  // In memory only: exemplars do not survive a restart (see exemplar_storage.h).
  ExemplarStorage& exemplars() { return exemplars_; }
  const ExemplarStorage& exemplars() const { return exemplars_; }
  const HeadOptions& options() const { return opts_; }

  // --- for the head's own parts (appender, querier, replay, GC) ---

  // The series with these labels, created when absent (labels must be
  // valid). Never returns a series unlinked by truncation. nullptr when a
  // new series would exceed HeadOptions::max_series.
  MemSeries* get_or_create(const Labels& labels);
  // The live series with exactly these labels (sorted, no empty values), or
  // nullptr; never creates one.
  MemSeries* find(std::span<const LabelView> labels);
  // nullptr when no live series has this id.
  MemSeries* by_id(uint32_t id) const;
  std::mutex& series_lock(uint32_t id) const { return series_locks_[id & stripe_mask_].mu; }
  Labels labels_of(const MemSeries& s) const;
  void label_views(const MemSeries& s, std::vector<LabelView>* out) const;

  // Whether a sample may be staged, against the committed state; caller
  // holds the series lock. kNone for in-order and accepted out-of-order
  // samples and for an identical resend of the newest sample.
  AppendErrorKind appendable_locked(const MemSeries* s, int64_t t_ms, uint64_t bits) const;
  enum class Applied { kInOrder, kOutOfOrder, kSame, kRejected };
  // Applies a logged sample (commit and replay use the same rules, so a
  // restart rebuilds what commits built). Caller holds the series lock. On
  // kRejected, *why says which rule (out of bounds, out of order, duplicate).
  Applied apply_locked(MemSeries* s, int64_t t_ms, uint64_t bits, AppendErrorKind* why);
  void update_time_range(int64_t mint_ms, int64_t maxt_ms);
  int64_t max_time_ms() const { return max_time_.load(std::memory_order_relaxed); }
  WalWriter* wal() { return wal_.get(); }
  bool in_memory_only() const { return !wal_; }
  // Brackets a WAL write and the in-memory apply that follows it (see
  // close()); taken before the write so close() never misses one.
  class WriteGuard {
   public:
    explicit WriteGuard(Head* h) : h_(h) { h_->inflight_writes_.fetch_add(1); }
    ~WriteGuard() { h_->inflight_writes_.fetch_sub(1); }
    WriteGuard(const WriteGuard&) = delete;
    WriteGuard& operator=(const WriteGuard&) = delete;

   private:
    Head* h_;
  };

  struct Counters {
    metrics::Counter* samples_appended;
    metrics::Counter* out_of_order_appended;
    metrics::Counter* out_of_order;
    metrics::Counter* too_old;
    metrics::Counter* duplicate;
    metrics::Counter* out_of_bounds;
    metrics::Counter* too_far_in_future;
    metrics::Counter* series_limit;
    metrics::Counter* series_created;
    metrics::Counter* series_removed;
    metrics::Counter* chunks_created;
    metrics::Counter* chunks_removed;
    metrics::Counter* wal_corruptions;
    metrics::Counter* wal_truncations;
    metrics::Counter* wal_truncations_failed;
  };
  const Counters& counters() const { return counters_; }
  void count_rejection(AppendErrorKind k) const;

  // Tombstoned intervals of a series (empty when none); the caller holds
  // the series lock and has seen kHasTombstones.
  std::vector<Interval> tombstones_of(uint32_t id) const;

 private:
  friend class HeadReplayer;
  static constexpr uint32_t kMaxStripes = 4096;  // as many locks as cheap; contention ~ 1/4096
  static constexpr int kPageBits = 14;
  static constexpr uint32_t kPageSize = 1u << kPageBits;
  static constexpr size_t kMaxPages = 1u << 18;  // 4G series

  // Hash-set lookups by (hash, labels) without building a MemSeries.
  struct LabelsKey {
    uint64_t hash;
    const Labels* labels = nullptr;    // live appends
    std::span<const LabelView> views;  // replay
  };
  struct SeriesHash {
    using is_transparent = void;
    size_t operator()(const MemSeries* s) const { return s->hash; }
    size_t operator()(const LabelsKey& k) const { return k.hash; }
  };
  struct SeriesEq {
    using is_transparent = void;
    const SymbolTable* syms;
    bool operator()(const MemSeries* a, const MemSeries* b) const { return a == b; }
    bool operator()(const MemSeries* a, const LabelsKey& k) const;
    bool operator()(const LabelsKey& k, const MemSeries* a) const { return (*this)(a, k); }
  };
  using SeriesSet = absl::flat_hash_set<MemSeries*, SeriesHash, SeriesEq>;
  struct alignas(64) Stripe {
    std::mutex mu;
  };
  struct alignas(64) HashStripe {
    std::mutex mu;
    SeriesSet set;
  };

  // The top bits pick the stripe: the hash set inside uses the low bits
  // (absl keeps 7 of them in its control bytes), which must still differ.
  uint32_t stripe_of(uint64_t hash) const { return uint32_t(hash >> 52) & stripe_mask_; }
  static uint64_t hash_labels(const Labels& labels);
  static uint64_t hash_labels(std::span<const LabelView> labels);
  // Finds or creates the series for `key`; with `forced_id` (replay), a new
  // series takes that id. *created tells which happened. Without `index`
  // (replay) a new series is left out of the postings: the caller adds it
  // (index_bulk) before anyone can query.
  MemSeries* get_or_create_key(const LabelsKey& key, std::optional<uint32_t> forced_id,
                               bool* created, bool index = true);
  // Adds the series with these ids (sorted, all above every id the postings
  // hold) to the postings, on two threads.
  void index_bulk(const std::vector<uint32_t>& ids);
  void set_by_id(uint32_t id, MemSeries* s);
  // Calls f(id, by_id(id)) for every id whose series is set, in id order,
  // visiting only the allocated pages of the table.
  template <typename F>
  void for_each_series(F&& f) const {
    pages_.for_each_slot(next_id_.load(std::memory_order_acquire), [&](size_t id, MemSeries** slot) {
      if (MemSeries* s = __atomic_load_n(slot, __ATOMIC_ACQUIRE)) f(uint32_t(id), s);
    });
  }
  void register_metrics();
  void add_chunks(int delta);

  // head_replay.cc
  absl::Status replay();
  // head_snapshot.cc. load_snapshot() fills an empty head from a valid
  // snapshot and returns the last WAL segment it covers; nullopt (with a log
  // line, the file deleted) when there is none or it cannot be used.
  std::string snapshot_path() const;
  absl::Status write_snapshot();
  std::optional<uint32_t> load_snapshot();
  absl::Status remove_snapshot();
  // head_gc.cc. Returns the number of series removed; *oldest_ms is the
  // min_time() of the oldest series left (int64 max when none is).
  size_t gc(int64_t mint_ms, int64_t* oldest_ms);
  // Raises min_time_ to the oldest sample left after a truncation to mint_ms
  // (see truncate()).
  void raise_min_time(int64_t mint_ms, int64_t oldest_ms);
  absl::Status checkpoint(int64_t mint_ms, const std::atomic<bool>* stop);
  // head_tombstones.cc
  void add_tombstone_locked(MemSeries* s, Interval iv);
  void clean_series_locked(MemSeries* s);
  void drop_tombstones(uint32_t id);

  HeadOptions opts_;
  metrics::Registry* registry_;
  Counters counters_{};
  std::unique_ptr<WalWriter> wal_;
  std::mutex close_mu_;
  bool closed_ ABSL_GUARDED_BY(close_mu_) = false;
  // Commits (and deletions) between their WAL write and the end of their
  // apply: close() waits for none to be left before it snapshots memory.
  std::atomic<int> inflight_writes_{0};

  SymbolTable symbols_;
  HeadPostings postings_;
  MetadataStore metadata_;
  ExemplarStorage exemplars_;
  uint32_t stripe_mask_;  // HeadOptions::stripes - 1
  std::unique_ptr<Stripe[]> series_locks_;
  std::unique_ptr<HashStripe[]> hash_stripes_;
  PagedArray<MemSeries*, kPageBits, kMaxPages> pages_;  // by id; set_by_id under create_mu_
  std::atomic<uint32_t> next_id_{0};
  std::mutex create_mu_;  // serialises id assignment so postings stay sorted cheaply

  // Unlinked series, freed one truncation later so that appenders and
  // queriers that still hold a pointer never see freed memory.
  std::mutex truncate_mu_;
  std::vector<MemSeries*> graveyard_ ABSL_GUARDED_BY(truncate_mu_);

  mutable std::mutex tomb_mu_;  // after a series lock, never before
  absl::flat_hash_map<uint32_t, std::vector<Interval>> tombstones_ ABSL_GUARDED_BY(tomb_mu_);

  std::atomic<int64_t> min_time_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> max_time_{std::numeric_limits<int64_t>::min()};
  std::atomic<int64_t> min_valid_time_{std::numeric_limits<int64_t>::min()};
  // The lowest time update_time_range() saw since truncate() reset it to
  // int64 max before scanning the series: lets truncation raise min_time_
  // to the oldest remaining sample without losing a sample committed
  // during the scan (see raise_min_time()).
  std::atomic<int64_t> applied_min_since_gc_{std::numeric_limits<int64_t>::max()};
  std::atomic<uint64_t> num_series_{0};
  std::atomic<int64_t> num_chunks_{0};
};

}  // namespace strata::tsdb
