// MemSeries: one series in the head — its interned labels, sealed (immutable)
// XOR chunks and the open chunk being appended to. All mutable fields are
// guarded by the head's stripe lock for the series id (Head::series_lock).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tsdb/chunkenc/xor_chunk.h"

namespace strata::tsdb {

struct SealedChunk {
  int64_t mint_ms;
  int64_t maxt_ms;
  std::shared_ptr<const std::string> data;
};

struct MemSeries {
  // ~120 samples per chunk (~1 KiB at typical compression): the Gorilla sweet
  // spot between compression ratio and decode work for short queries.
  static constexpr int kSamplesPerChunk = 120;

  uint32_t id = 0;
  uint16_t num_labels = 0;
  uint64_t hash = 0;
  std::unique_ptr<uint32_t[]> syms;  // name0, value0, name1, value1, ... (sorted by name)
  MemSeries* next_in_bucket = nullptr;  // hash-collision chain, guarded by the hash stripe

  // Guarded by the series stripe lock.
  std::vector<SealedChunk> sealed;
  std::unique_ptr<XorAppender> open;
  int64_t open_mint_ms = 0;
  int64_t open_maxt_ms = 0;
  int64_t last_t_ms = std::numeric_limits<int64_t>::min();
  uint64_t last_v_bits = 0;
  // Set when truncation unlinked the series; a late appender re-resolves it.
  bool dead = false;

  // Guarded by the head's WAL mutex: a series record was written.
  bool logged = false;
  // Commits that logged samples for this series but have not applied them;
  // truncation never removes a series with pending samples.
  std::atomic<uint32_t> pending{0};

  bool empty() const { return sealed.empty() && !open; }
};

}  // namespace strata::tsdb
