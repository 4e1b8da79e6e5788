// Series: what a Querier returns — a label set plus the encoded chunks that
// hold its samples in the queried range, and SampleIterator to walk them.
// A Series shares ownership of its chunk bytes, so it outlives the querier
// and the head may seal or drop chunks meanwhile.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/block/compact_chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {

struct Sample {
  int64_t t;
  double v;
};

// Prometheus' staleness marker: a NaN with exactly this bit pattern, written
// when a series disappears; stored and returned bit-exact.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

// How a chunk's bytes are encoded: the head's streaming XOR chunk, or the
// compact chunk blocks write (tsdb/block/compact_chunk.h). The values are the
// encoding byte of the block chunk format (tsdb/docs/format/chunks.md).
enum class ChunkEncoding : uint8_t { kXor = 1, kCompact = 2 };

// One chunk of a series, possibly extending beyond the queried range.
struct ChunkRef {
  int64_t mint_ms;
  int64_t maxt_ms;
  std::string_view data;
  std::shared_ptr<const void> owner;  // keeps `data` alive
  ChunkEncoding encoding = ChunkEncoding::kXor;
};

class SampleIterator;

class Series {
 public:
  Series() = default;
  // `chunks` in priority order, normally sorted by mint_ms. When chunks
  // overlap or are out of time order (blocks merged with the head, compaction
  // of overlapping blocks), their samples are merged on read and for equal
  // timestamps the later chunk in the list wins.
  Series(Labels labels, std::vector<ChunkRef> chunks, int64_t mint_ms, int64_t maxt_ms)
      : labels_(std::move(labels)), chunks_(std::move(chunks)), mint_ms_(mint_ms), maxt_ms_(maxt_ms) {}

  const Labels& labels() const { return labels_; }
  Labels& mutable_labels() { return labels_; }
  const std::vector<ChunkRef>& chunks() const { return chunks_; }
  int64_t mint_ms() const { return mint_ms_; }
  int64_t maxt_ms() const { return maxt_ms_; }

  // Iterates samples with mint_ms <= t <= maxt_ms in time order.
  SampleIterator iterator() const;
  // Appends every sample in [max(mint, from), min(maxt, to)] to `out`.
  absl::Status decode(int64_t from_ms, int64_t to_ms, std::vector<Sample>* out) const;

 private:
  Labels labels_;
  std::vector<ChunkRef> chunks_;
  int64_t mint_ms_ = 0;
  int64_t maxt_ms_ = 0;
};

// Calls f(t, v_bits) for each sample of one chunk, whatever its encoding;
// false when the chunk is corrupt.
template <typename F>
bool for_each_sample(const ChunkRef& c, F&& f);

// Walks a series' samples. Concrete and final: no virtual call per sample; a
// switch per chunk picks the decoder (XOR streams, compact chunks are decoded
// whole into arrays). Errors (corrupt chunk) are reported once by status()
// after next() is false.
class SampleIterator final {
 public:
  explicit SampleIterator(const Series* s);
  bool next();
  // Moves to the first sample with t >= t_ms (never backwards).
  bool seek(int64_t t_ms);
  int64_t t() const { return cur_.t; }
  double v() const { return cur_.v; }
  absl::Status status() const { return status_; }

 private:
  bool next_raw();
  const Series* s_;
  // Fast path: non-overlapping chunks streamed one after another.
  size_t chunk_ = 0;
  XorIterator it_;
  CompactChunkDecoder dec_;
  size_t dec_pos_ = 0;
  bool compact_ = false;  // the current chunk is a compact chunk (dec_)
  bool started_ = false;
  // Slow path: overlapping chunks were merged into `merged_` up front.
  bool use_merged_ = false;
  std::vector<Sample> merged_;
  size_t pos_ = 0;
  Sample cur_{0, 0};
  absl::Status status_;
};

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

}  // namespace strata::tsdb
