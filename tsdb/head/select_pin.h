// SelectPin keeps the chunk bytes handed out by one HeadQuerier::select()
// alive for as long as any returned Series needs them: references to sealed
// chunk buffers, and copies of the mutable open chunks made under the
// series lock. One allocation per select instead of one per chunk; every
// ChunkRef's owner points at it. Built by one thread, then read-only.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tsdb/head/chunk_buf.h"

namespace strata::tsdb {

class SelectPin {
 public:
  SelectPin() = default;
  SelectPin(const SelectPin&) = delete;
  SelectPin& operator=(const SelectPin&) = delete;
  ~SelectPin() {
    for (ChunkBuf* b : bufs_) b->unref();
  }
  // Shares a sealed (immutable) buffer.
  std::string_view share(ChunkBuf* b) {
    b->ref();
    bufs_.push_back(b);
    return b->view();
  }
  // Takes over the caller's reference.
  std::string_view adopt(ChunkBuf* b) {
    bufs_.push_back(b);
    return b->view();
  }
  // Copies mutable bytes (an open chunk) into storage that never moves.
  std::string_view copy(std::string_view bytes) { return adopt(ChunkBuf::copy_of(bytes)); }

 private:
  std::vector<ChunkBuf*> bufs_;
};

}  // namespace strata::tsdb
