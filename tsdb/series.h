// Series: what a Querier's SeriesSet hands out — a label set plus the encoded
// chunks that hold its samples in the queried range — and SampleIterator to
// walk them. A Series shares ownership of its chunk bytes, so it outlives the
// querier and the head may seal or drop chunks meanwhile. SeriesSet is the
// stream of series one select() returns (storage.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/chunkenc/chunk_ref.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {

struct Sample {
  int64_t t;
  double v;
};

// Prometheus' staleness marker: a NaN with exactly this bit pattern, written
// when a series disappears; stored and returned bit-exact.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

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
  // Appends the chunks of `o` (the same series from a later, higher-priority
  // source) after this one's and widens the range to cover both. Moves the
  // chunk list once: merging k sources costs O(total chunks).
  void absorb(Series&& o);
  int64_t mint_ms() const { return mint_ms_; }
  int64_t maxt_ms() const { return maxt_ms_; }

  // Iterates samples with mint_ms <= t <= maxt_ms in time order.
  SampleIterator iterator() const;
  // Appends every sample in [max(mint, from), min(maxt, to)] to `out`.
  absl::Status decode(int64_t from_ms, int64_t to_ms, std::vector<Sample>* out) const;
  // Whether some chunk starts at or before the end of the one before it
  // (then reads merge them).
  bool chunks_overlap() const;

 private:
  Labels labels_;
  std::vector<ChunkRef> chunks_;
  int64_t mint_ms_ = 0;
  int64_t maxt_ms_ = 0;
};

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

// The series one select() matched, one at a time (Prometheus'
// storage.SeriesSet). Pull-based, so a caller can stop early (a limit, a
// cancelled query) without storage having built the rest. Errors (a corrupt
// block, an unreadable index) end the iteration: next() returns false and
// status() says why. Not thread-safe; used up before its Querier is destroyed.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Moves to the next series; false at the end or on error.
  virtual bool next() = 0;
  // The current series, valid until the next call to next(). The caller may
  // move it out (labels and chunks) to keep it.
  virtual Series& at() = 0;
  // OK, or the error that ended the iteration.
  virtual absl::Status status() const = 0;
};

// A SeriesSet over series already in memory (and, with a status, an empty set
// that fails: the way select() reports errors found before iterating).
class VectorSeriesSet final : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<Series> series) : series_(std::move(series)) {}
  explicit VectorSeriesSet(absl::Status error) : status_(std::move(error)) {}
  bool next() override {
    if (pos_ >= series_.size()) return false;
    ++pos_;
    return true;
  }
  Series& at() override { return series_[pos_ - 1]; }
  absl::Status status() const override { return status_; }

 private:
  std::vector<Series> series_;
  size_t pos_ = 0;
  absl::Status status_;
};

// Every series of `set`, moved into a vector: for small reads and tests.
// Readers of untrusted size should iterate instead, to stop early.
absl::StatusOr<std::vector<Series>> read_all(SeriesSet& set);

}  // namespace strata::tsdb
