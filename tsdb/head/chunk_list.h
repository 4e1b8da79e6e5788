// ChunkList: a series' sealed (immutable) chunks in time order, in one heap
// block holding a small header and the entries — 8 bytes in the series when
// empty, 24 bytes per chunk otherwise. The header also has room for one
// pointer the owner may use for rarely present state (aux), so that series
// without it pay nothing. The list owns one reference to each chunk buffer.
// Guarded by the owning series' lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "tsdb/head/chunk_buf.h"

namespace strata::tsdb {

struct SealedChunk {
  int64_t mint_ms;
  int64_t maxt_ms;
  ChunkBuf* buf;
};

class ChunkList {
 public:
  ChunkList() = default;
  ~ChunkList() { clear(); }
  ChunkList(const ChunkList&) = delete;
  ChunkList& operator=(const ChunkList&) = delete;

  uint32_t size() const { return rep_ ? rep_->size : 0; }
  bool empty() const { return size() == 0; }
  const SealedChunk* begin() const { return rep_ ? rep_->items : nullptr; }
  const SealedChunk* end() const { return rep_ ? rep_->items + rep_->size : nullptr; }
  const SealedChunk& operator[](uint32_t i) const { return rep_->items[i]; }
  const SealedChunk& back() const { return rep_->items[rep_->size - 1]; }

  // Takes over the caller's reference to c.buf.
  void push_back(SealedChunk c) {
    if (!rep_ || rep_->size == rep_->cap) grow(rep_ ? std::max<uint32_t>(2, rep_->cap * 2) : 2);
    rep_->items[rep_->size++] = c;
  }
  // Drops the first n chunks (releasing their references).
  void erase_front(uint32_t n) {
    if (n == 0) return;
    for (uint32_t i = 0; i < n; ++i) rep_->items[i].buf->unref();
    std::memmove(static_cast<void*>(rep_->items), rep_->items + n,
                 (rep_->size - n) * sizeof(SealedChunk));
    rep_->size -= n;
    release_if_unused();
  }
  void swap(ChunkList& o) { std::swap(rep_, o.rep_); }
  // Drops every chunk; the aux pointer must have been cleared.
  void clear() {
    if (!rep_) return;
    for (uint32_t i = 0; i < rep_->size; ++i) rep_->items[i].buf->unref();
    std::free(rep_);
    rep_ = nullptr;
  }
  void* aux() const { return rep_ ? rep_->aux : nullptr; }
  void set_aux(void* p) {
    if (!rep_) {
      if (!p) return;
      grow(0);
    }
    rep_->aux = p;
    release_if_unused();
  }
  size_t allocated_bytes() const {
    if (!rep_) return 0;
    size_t n = sizeof(Rep) + rep_->cap * sizeof(SealedChunk);
    for (const SealedChunk& c : *this) n += c.buf->allocated_bytes();
    return n;
  }

 private:
  struct Rep {
    uint32_t size;
    uint32_t cap;
    void* aux;
    SealedChunk items[];
  };
  void grow(uint32_t cap) {
    void* p = std::realloc(static_cast<void*>(rep_), sizeof(Rep) + cap * sizeof(SealedChunk));
    if (!p) throw std::bad_alloc();
    bool fresh = !rep_;
    rep_ = static_cast<Rep*>(p);
    if (fresh) {
      rep_->size = 0;
      rep_->aux = nullptr;
    }
    rep_->cap = cap;
  }
  void release_if_unused() {
    if (rep_ && rep_->size == 0 && !rep_->aux) {
      std::free(rep_);
      rep_ = nullptr;
    }
  }
  Rep* rep_ = nullptr;
};

}  // namespace strata::tsdb
