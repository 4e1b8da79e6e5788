// OpenChunk: the chunk a head series is appending to — a Gorilla XOR stream
// bit-identical to chunkenc's XorAppender (and so to Prometheus' XOR chunk),
// with the encoder state kept inline in the series instead of in a separate
// appender object, and the bytes in a growable ChunkBuf. 32 bytes.
// Guarded by the owning series' lock.
#pragma once

#include <cstdint>
#include <string_view>

#include "tsdb/head/chunk_buf.h"

namespace strata::tsdb {

struct OpenChunk {
  ChunkBuf* buf = nullptr;  // nullptr: no open chunk
  int64_t t = 0;            // of the last sample
  uint64_t v_bits = 0;      // of the last sample
  int32_t t_delta = 0;      // see fits()
  uint8_t n = 0;            // samples; callers cut chunks long before 255
  uint8_t free_bits = 0;    // unused low bits of the last byte
  uint8_t leading = 0xff;   // 0xff: no XOR window yet
  uint8_t trailing = 0;

  bool empty() const { return buf == nullptr; }
  // Whether t_ms can follow the last sample in this chunk: the gap between
  // samples is kept in 32 bits (24 days), so a longer gap starts a new chunk.
  bool fits(int64_t t_ms) const { return !buf || t_ms - t <= INT32_MAX; }
  // Time of the first sample, read back from the chunk's first bytes rather
  // than kept in every series.
  int64_t mint_ms() const;
  // Appends a sample (after the last one, and fits()); starts the chunk when
  // empty.
  void append(int64_t t_ms, uint64_t bits);
  std::string_view bytes() const { return buf ? buf->view() : std::string_view(); }
  // Hands the encoded buffer over, shrunk to fit, and leaves the chunk empty.
  ChunkBuf* release();
  // Frees the buffer and leaves the chunk empty.
  void reset();
};

// Encodes samples sorted by time (unique timestamps; anything with .t and
// .bits) into chunks of at most max_samples, calling emit(mint, maxt, buf)
// for each; emit takes over the buffer's reference.
template <typename It, typename Emit>
void encode_chunks(It begin, It end, int max_samples, Emit&& emit) {
  OpenChunk c;
  int64_t mint = 0;
  for (It it = begin; it != end; ++it) {
    if (!c.empty() && (c.n >= max_samples || !c.fits(it->t))) {
      int64_t maxt = c.t;
      emit(mint, maxt, c.release());
    }
    if (c.empty()) mint = it->t;
    c.append(it->t, it->bits);
  }
  if (!c.empty()) {
    int64_t maxt = c.t;
    emit(mint, maxt, c.release());
  }
}

}  // namespace strata::tsdb
