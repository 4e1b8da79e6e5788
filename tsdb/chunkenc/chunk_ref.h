// ChunkRef: one encoded chunk of a series as storage hands it out (head chunk,
// block chunk or a re-encoded one), tagged with its encoding, and
// for_each_sample(), the one place that dispatches on that encoding.
// A ChunkRef shares ownership of its bytes, so it outlives the reader that
// produced it. Immutable once built; any thread may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "tsdb/chunkenc/compact_chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace strata::tsdb {

// How a chunk's bytes are encoded: the head's streaming XOR chunk, or the
// compact chunk blocks write (compact_chunk.h). The values are the encoding
// byte of the block chunk format (tsdb/docs/format/chunks.md).
enum class ChunkEncoding : uint8_t { kXor = 1, kCompact = 2 };

// One chunk of a series, possibly extending beyond the queried range.
struct ChunkRef {
  int64_t mint_ms;
  int64_t maxt_ms;
  std::string_view data;
  std::shared_ptr<const void> owner;  // keeps `data` alive
  ChunkEncoding encoding = ChunkEncoding::kXor;
};

// Calls f(t, v_bits) for each sample of one chunk, whatever its encoding;
// false when the chunk is corrupt.
template <typename F>
bool for_each_sample(const ChunkRef& c, F&& f) {
  if (c.encoding == ChunkEncoding::kCompact) {
    CompactChunkDecoder d;
    if (!d.decode(c.data)) return false;
    for (size_t i = 0; i < d.size(); ++i) f(d.t()[i], d.v_bits()[i]);
    return true;
  }
  if (c.encoding != ChunkEncoding::kXor) return false;
  XorIterator x(c.data);
  while (x.next()) f(x.t(), x.v_bits());
  return x.ok();
}

// The sample count a chunk's header announces, so callers can reserve before
// decoding (growing sample by sample copied every sample about twice); 0 when
// malformed.
inline size_t chunk_num_samples(const ChunkRef& c) {
  if (c.encoding == ChunkEncoding::kCompact) return compact_chunk_num_samples(c.data);
  if (c.data.size() < 2) return 0;
  return (size_t(uint8_t(c.data[0])) << 8) | uint8_t(c.data[1]);  // XOR: big-endian count
}

}  // namespace strata::tsdb
