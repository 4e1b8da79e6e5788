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
#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {

struct Sample {
  int64_t t;
  double v;
};

// One XOR chunk of a series, possibly extending beyond the queried range.
struct ChunkRef {
  int64_t mint_ms;
  int64_t maxt_ms;
  std::string_view data;
  std::shared_ptr<const void> owner;  // keeps `data` alive
};

class SampleIterator;

class Series {
 public:
  Series() = default;
  // `chunks` sorted by mint_ms. Overlapping chunks are merged on read; for
  // equal timestamps the later chunk in the list wins.
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

// Walks a series' samples. Concrete and final: no virtual call per sample.
// Errors (corrupt chunk) are reported once by status() after next() is false.
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
  bool started_ = false;
  // Slow path: overlapping chunks were merged into `merged_` up front.
  bool use_merged_ = false;
  std::vector<Sample> merged_;
  size_t pos_ = 0;
  Sample cur_{0, 0};
  absl::Status status_;
};

}  // namespace strata::tsdb
