// MemSeries: one series in the head — its labels (varint-packed symbol ids,
// in the same allocation), its in-order chunks (the open XOR one plus sealed
// ones, re-encoded compactly when that is smaller: see seal_open), and, only when out-of-order samples arrived, an OooChunks block.
// 64 bytes plus the labels (~2 bytes per label) and the chunk bytes.
//
// Threads: `id`, `hash` and the labels never change. Everything else is
// guarded by the head's stripe lock for the id (Head::series_lock), except
// `logged`, which is atomic. A series is freed only after it was unlinked by
// truncation and a later truncation found it still unreferenced.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "tsdb/head/chunk_list.h"
#include "tsdb/head/open_chunk.h"
#include "tsdb/series.h"

namespace strata::tsdb {

// Out-of-order samples of one series: a small sorted buffer and the XOR
// chunks it was flushed into (each sorted; they may overlap each other and
// the in-order chunks, which queries merge).
struct OooChunks {
  // 32 samples, Prometheus' default out_of_order_cap_max: small enough to
  // insert into by shifting, large enough that chunks compress.
  static constexpr size_t kMaxOpen = 32;
  struct Entry {
    int64_t t;
    uint64_t bits;
  };
  std::vector<Entry> open;  // sorted by t
  ChunkList sealed;         // in creation order, not time order
};

enum class InsertResult { kInserted, kSame, kDuplicate };

class MemSeries {
 public:
  // ~120 samples per chunk (~1 KiB at typical compression): the Gorilla sweet
  // spot between compression ratio and decode work for short queries.
  static constexpr int kSamplesPerChunk = 120;

  static constexpr uint8_t kDead = 1;           // unlinked by truncation
  static constexpr uint8_t kHasTombstones = 2;  // Head::tombstones_ has an entry

  // `syms`: (name id, value id) pairs sorted by name.
  static MemSeries* create(uint32_t id, uint64_t hash,
                           std::span<const std::pair<uint32_t, uint32_t>> syms);
  static void destroy(MemSeries* s);

  // Decodes the label symbol pairs.
  template <typename F>
  void for_each_label(F&& f) const;
  std::vector<std::pair<uint32_t, uint32_t>> label_syms() const;
  uint16_t num_labels() const { return num_labels_; }

  bool has_in_order() const { return !open.empty(); }
  // Time of the newest in-order sample (min int64 when there is none).
  int64_t last_t() const { return open.empty() ? std::numeric_limits<int64_t>::min() : open.t; }
  uint64_t last_bits() const { return open.v_bits; }
  bool empty() const { return open.empty() && sealed.empty() && !ooo(); }

  // Appends after the newest sample, cutting the open chunk at the sample
  // budget and at multiples of chunk_range_ms.
  void append(int64_t t_ms, uint64_t bits, int64_t chunk_range_ms);
  // Adds an out-of-order sample (kSame / kDuplicate: a sample at t_ms
  // exists with the same / another value, and nothing changes).
  InsertResult insert_ooo(int64_t t_ms, uint64_t bits);
  // Whether any chunk holds a sample at t_ms (its value in *bits).
  bool find(int64_t t_ms, uint64_t* bits) const;
  // Drops chunks that end before mint_ms.
  void truncate_before(int64_t mint_ms);
  // Start time of the oldest chunk (in-order or out-of-order), int64 max
  // when the series holds no sample.
  int64_t min_time() const;
  // Every sample in time order (out-of-order ones merged in).
  std::vector<OooChunks::Entry> all_samples() const;
  // Replaces all data by `samples` (sorted, unique timestamps), all in
  // order. Used to physically delete samples.
  void rewrite(const std::vector<OooChunks::Entry>& samples, int64_t chunk_range_ms);
  // Takes ownership of restored out-of-order state (snapshot loading); the
  // series must have none.
  void adopt_ooo(OooChunks* o) { set_ooo(o); }
  // Chunks held, counting a non-empty out-of-order buffer as one.
  int num_chunks() const {
    return int(!open.empty()) + int(sealed.size()) +
           (ooo() ? int(ooo()->sealed.size()) + int(!ooo()->open.empty()) : 0);
  }
  // Heap bytes held by this series (struct, labels, chunks).
  size_t allocated_bytes() const;

  const uint32_t id;
  // Samples staged by appenders that have not committed or rolled back:
  // truncation never removes a series that is pinned like this.
  uint32_t pending = 0;
  const uint64_t hash;
  uint8_t flags = 0;
  // A series record for this series is in the WAL (or checkpoint).
  std::atomic<bool> logged{false};

 private:
  uint16_t num_labels_ = 0;
  uint16_t label_bytes_ = 0;

 public:
  OpenChunk open;
  ChunkList sealed;
  // Out-of-order state, kept in the sealed list's block (see ChunkList::aux):
  // nullptr for the vast majority of series.
  OooChunks* ooo() const { return static_cast<OooChunks*>(sealed.aux()); }

 private:
  MemSeries(uint32_t id, uint64_t hash) : id(id), hash(hash) {}
  ~MemSeries();
  void set_ooo(OooChunks* o) { sealed.set_aux(o); }
  const uint8_t* label_bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  void seal_open();
};

template <typename F>
void MemSeries::for_each_label(F&& f) const {
  const uint8_t* p = label_bytes();
  for (uint16_t i = 0; i < num_labels_; ++i) {
    uint32_t v[2];
    for (uint32_t& x : v) {
      x = 0;
      for (int shift = 0;; shift += 7) {
        uint8_t b = *p++;
        x |= uint32_t(b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    f(v[0], v[1]);
  }
}

}  // namespace strata::tsdb
