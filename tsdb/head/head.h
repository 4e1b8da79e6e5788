// The head: the in-memory part of the TSDB holding recent samples of every
// active series. Series are found by label hash through striped hash maps and
// by dense id through a paged array; label strings are interned; MemPostings
// indexes series by label pair. Appends go through HeadAppender transactions,
// reads through HeadQuerier. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/metrics.h"
#include "tsdb/db.h"
#include "tsdb/head/mem_series.h"
#include "tsdb/head/metadata_store.h"
#include "tsdb/head/symbols.h"
#include "tsdb/index/postings.h"
#include "tsdb/storage.h"
#include "tsdb/wal/wal.h"

namespace strata::tsdb {

struct HeadOptions {
  // Chunks are cut at multiples of this so blocks can be cut cleanly.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // Directory holding wal/ and checkpoint.*; "" keeps the head in memory only.
  std::string dir;
  FileSystem* fs = nullptr;  // defaults to the POSIX file system
  WalOptions wal;
};

class Head {
 public:
  // An empty head; with opts.dir set, open() must be used instead.
  Head(HeadOptions opts, metrics::Registry* registry);
  // Opens the head in opts.dir: replays the newest checkpoint and the WAL
  // segments after it (cutting a damaged tail off, with a log line), then
  // starts a new WAL segment for appends.
  static absl::StatusOr<std::unique_ptr<Head>> open(HeadOptions opts, metrics::Registry* registry);
  ~Head();
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<Appender> appender();
  std::unique_ptr<Querier> querier(int64_t mint_ms, int64_t maxt_ms);

  // The series with these labels, created when absent (labels must be valid).
  MemSeries* get_or_create(const Labels& labels, bool* created = nullptr);
  // nullptr when no such id.
  MemSeries* by_id(uint32_t id) const;
  std::mutex& series_lock(uint32_t id) const { return series_locks_[id & (kStripes - 1)].mu; }

  // Appends a committed sample; caller holds series_lock(s->id). Returns the
  // kind of rejection (a race with another appender can make it out of order).
  AppendErrorKind append_locked(MemSeries* s, int64_t t_ms, double v);
  // Checks whether a sample could be appended; caller holds the series lock.
  AppendErrorKind appendable_locked(const MemSeries* s, int64_t t_ms, double v) const;

  Labels labels_of(const MemSeries& s) const;
  SymbolTable& symbols() { return symbols_; }
  const MemPostings& postings() const { return postings_; }
  MetadataStore& metadata() { return metadata_; }

  HeadStats stats() const;
  int64_t min_valid_time_ms() const { return min_valid_time_.load(std::memory_order_relaxed); }
  uint32_t num_ids() const { return next_id_.load(std::memory_order_acquire); }

  // Called after a commit with the batch's time range.
  void update_time_range(int64_t mint_ms, int64_t maxt_ms);

  struct PendingSample {
    MemSeries* s;
    int64_t t;
    double v;
  };
  // The durable half of a commit: re-resolves series that truncation removed
  // meanwhile, writes series records for series not logged yet, then the
  // samples and metadata, and marks every series as having pending samples
  // (the caller decrements MemSeries::pending after applying). Without a WAL
  // only the resolving and marking happen.
  absl::Status log_commit(std::vector<PendingSample>& samples,
                          const std::vector<std::pair<std::string, MetricMetadata>>& metadata);
  bool has_wal() const { return wal_ != nullptr; }

  // Drops all data before mint_ms, removes series left empty, rejects later
  // appends before mint_ms ("out of bounds") and checkpoints the WAL so that
  // replay only reads what the head still holds.
  absl::Status truncate(int64_t mint_ms);
  // Flushes and closes the WAL; appends fail afterwards.
  absl::Status close();

  struct Counters {
    metrics::Counter* samples_appended;
    metrics::Counter* out_of_order;
    metrics::Counter* duplicate;
    metrics::Counter* out_of_bounds;
    metrics::Counter* series_created;
    metrics::Counter* chunks_created;
  };
  const Counters& counters() const { return counters_; }

 private:
  static constexpr uint32_t kStripes = 4096;  // as many locks as cheap; contention ~ 1/4096
  static constexpr int kPageBits = 14;
  static constexpr uint32_t kPageSize = 1u << kPageBits;
  static constexpr size_t kMaxPages = 1u << 18;  // 4G series

  struct alignas(64) Stripe {
    std::mutex mu;
  };
  struct alignas(64) HashStripe {
    std::mutex mu;
    absl::flat_hash_map<uint64_t, MemSeries*> by_hash;  // chain head per hash
  };

  bool same_labels(const MemSeries& s, const Labels& labels) const;
  void cut_chunk_locked(MemSeries* s);
  // Creates a series; `forced_id` (replay) keeps the id the WAL knows it by.
  MemSeries* create_locked(const Labels& labels, uint64_t hash, HashStripe& stripe,
                           std::optional<uint32_t> forced_id);
  MemSeries* get_or_create_impl(const Labels& labels, bool* created,
                                std::optional<uint32_t> forced_id);
  void set_by_id(uint32_t id, MemSeries* s);

  // head_wal.cc
  absl::Status replay();
  absl::Status write_checkpoint(uint32_t last_segment, int64_t mint_ms);
  // head_gc.cc
  size_t gc(int64_t mint_ms);

  std::unique_ptr<WalWriter> wal_;
  std::mutex wal_mu_;  // orders series records before the samples that use them
  metrics::Registry* registry_;
  // Unlinked series, freed one truncation later so that appenders and
  // queriers that still hold a pointer never see freed memory.
  std::vector<MemSeries*> graveyard_;
  std::mutex truncate_mu_;

  HeadOptions opts_;
  SymbolTable symbols_;
  MemPostings postings_;
  MetadataStore metadata_;
  std::unique_ptr<Stripe[]> series_locks_;
  std::unique_ptr<HashStripe[]> hash_stripes_;
  std::unique_ptr<std::atomic<MemSeries**>[]> pages_;
  std::atomic<uint32_t> next_id_{0};
  std::mutex create_mu_;  // serialises id assignment so postings stay sorted cheaply

  std::atomic<int64_t> min_time_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> max_time_{std::numeric_limits<int64_t>::min()};
  std::atomic<int64_t> min_valid_time_{std::numeric_limits<int64_t>::min()};
  std::atomic<uint64_t> num_series_{0};
  std::atomic<uint64_t> num_chunks_{0};
  Counters counters_{};
};

}  // namespace strata::tsdb
