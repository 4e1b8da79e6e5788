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

namespace strata::tsdb {

struct HeadOptions {
  // Chunks are cut at multiples of this so blocks can be cut cleanly.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
};

class Head {
 public:
  Head(HeadOptions opts, metrics::Registry* registry);
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
