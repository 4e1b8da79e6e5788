#include "tsdb/head/chunk_buf.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace strata::tsdb {
namespace {

// glibc hands out blocks of 16·k bytes with 8 bytes of bookkeeping, so a
// request of 16·k − 8 bytes is used to the last byte.
size_t alloc_size_for(size_t capacity) {
  size_t want = sizeof(ChunkBuf) + capacity;
  size_t block = (want + 8 + 15) & ~size_t(15);
  if (block < 32) block = 32;
  return block - 8;
}

}  // namespace

ChunkBuf* ChunkBuf::create(size_t capacity) {
  size_t n = alloc_size_for(capacity);
  void* p = std::malloc(n);
  if (!p) throw std::bad_alloc();
  ChunkBuf* b = new (p) ChunkBuf();
  b->capacity_ = uint32_t(n - sizeof(ChunkBuf));
  return b;
}

ChunkBuf* ChunkBuf::grow(ChunkBuf* b, size_t min_capacity) {
  if (min_capacity <= b->capacity_) return b;
  size_t n = alloc_size_for(min_capacity);
  // The header is trivially relocatable (a plain atomic counter at 1).
  void* p = std::realloc(static_cast<void*>(b), n);
  if (!p) throw std::bad_alloc();
  b = static_cast<ChunkBuf*>(p);
  b->capacity_ = uint32_t(n - sizeof(ChunkBuf));
  return b;
}

ChunkBuf* ChunkBuf::shrink_to_fit(ChunkBuf* b) {
  size_t n = alloc_size_for(b->size_);
  if (n - sizeof(ChunkBuf) >= b->capacity_) return b;
  void* p = std::realloc(static_cast<void*>(b), n);
  if (!p) return b;
  b = static_cast<ChunkBuf*>(p);
  b->capacity_ = uint32_t(n - sizeof(ChunkBuf));
  return b;
}

ChunkBuf* ChunkBuf::copy_of(std::string_view bytes, ChunkEncoding enc) {
  ChunkBuf* b = create(bytes.size());
  std::memcpy(b->data(), bytes.data(), bytes.size());
  b->size_ = uint32_t(bytes.size());
  b->compact_ = enc == ChunkEncoding::kCompact;
  return b;
}

void ChunkBuf::destroy(ChunkBuf* b) {
  b->~ChunkBuf();
  std::free(static_cast<void*>(b));
}

}  // namespace strata::tsdb
