// ChunkBuf: the bytes of one head chunk in a single heap block with an
// intrusive reference count — no shared_ptr control block per chunk. The
// open chunk's buffer is owned by its series alone (refs == 1) and grows in
// place; once sealed it is immutable and queries share it by taking a
// reference (ref()/unref() are thread-safe; the data of a sealed buffer may
// be read by any thread holding a reference). A buffer is tagged with its
// encoding: the open chunk is XOR; sealing may re-encode it compactly.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tsdb/chunkenc/chunk_ref.h"

namespace strata::tsdb {

class ChunkBuf {
 public:
  // A buffer with room for at least `capacity` bytes; refs 1, size 0.
  static ChunkBuf* create(size_t capacity);
  // Grows `b` (refs must be 1) to hold at least `min_capacity` bytes; may
  // move it. Capacities follow malloc's size classes so no byte is wasted.
  static ChunkBuf* grow(ChunkBuf* b, size_t min_capacity);
  // Releases spare capacity (when sealing); may move `b` (refs must be 1).
  static ChunkBuf* shrink_to_fit(ChunkBuf* b);
  static ChunkBuf* copy_of(std::string_view bytes, ChunkEncoding enc = ChunkEncoding::kXor);

  void ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
  }

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  uint32_t size() const { return size_; }
  uint32_t capacity() const { return capacity_; }
  ChunkEncoding encoding() const {
    return compact_ ? ChunkEncoding::kCompact : ChunkEncoding::kXor;
  }
  void set_size(uint32_t n) { size_ = n; }
  std::string_view view() const { return {data(), size_}; }
  // Heap bytes of this buffer, header included (for memory accounting).
  size_t allocated_bytes() const { return sizeof(ChunkBuf) + capacity_; }

 private:
  ChunkBuf() = default;
  static void destroy(ChunkBuf* b);
  std::atomic<uint32_t> refs_{1};
  uint32_t size_ = 0;
  // The tag takes a bit of the capacity (chunks are far below 2 GiB), so the
  // header stays 12 bytes for millions of chunks.
  uint32_t capacity_ : 31 = 0;
  uint32_t compact_ : 1 = 0;
};
static_assert(sizeof(ChunkBuf) == 12);

}  // namespace strata::tsdb
