// Raw label bytes of a remote-write series -> its storage ref, shared by all
// of a receiver's requests. Senders send the same series with the same bytes
// request after request; a hit skips what finding the series by its labels
// costs in the head (hashing every name and value, a stripe lock, comparing
// each label through the symbol table): about a third of the server's CPU
// per sample before this cache.
//
// Keys are 128-bit hashes of the bytes (base/hash.h), not the bytes
// themselves: ~28 bytes per series instead of ~200, and a collision between
// two label sets is ~2^-128 per pair. A wrong key could only make samples of
// one series land in another, which a sender can do anyway by naming it.
// A ref may go stale (the head dropped the series): the append then fails
// with NotFound, IngestBatch re-creates the series from its labels, and the
// caller puts the new ref.
//
// Bounded: a stripe holding more than kMaxEntriesPerStripe is cleared (the
// next requests refill it from the head). Thread-safe (striped mutexes).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstddef>
#include <mutex>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/hash.h"
#include "tsdb/storage.h"

namespace strata::remote {

class SeriesRefCache {
 public:
  // 0 when unknown.
  tsdb::SeriesRef get(std::string_view raw_labels) const;
  void put(std::string_view raw_labels, tsdb::SeriesRef ref);
  // Entries held (an atomic count, cheap to read).
  size_t size() const { return size_t(entries_.load(std::memory_order_relaxed)); }

  static constexpr size_t kStripes = 256;  // 2 cores to 64 senders: contention stays rare
  // 2^16 x 256 = 16.7 M series, ~470 MB at most: far above one head's
  // working set, so a clear happens only when series churn for days.
  static constexpr size_t kMaxEntriesPerStripe = size_t(1) << 16;

 private:
  struct alignas(64) Stripe {
    mutable std::mutex mu;
    absl::flat_hash_map<Hash128, tsdb::SeriesRef> map;
  };
  static size_t stripe_of(const Hash128& k) { return size_t(k.hi >> 56) % kStripes; }
  std::array<Stripe, kStripes> stripes_;
  std::atomic<int64_t> entries_{0};
};

}  // namespace strata::remote
