// Payload encodings of the WAL record types (tsdb/docs/format/wal.md).
// Encoders append to a string. Decoders never read past their input and
// return false on malformed payloads, which replay treats like a damaged
// record. Decoded label and metadata strings are views into the payload.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsdb/labels/labels.h"
#include "tsdb/labels/metric_metadata.h"

namespace strata::tsdb {

using LabelView = std::pair<std::string_view, std::string_view>;

struct WalSample {
  uint64_t ref;
  int64_t t_ms;
  double v;
};
struct WalTombstone {
  uint64_t ref;
  int64_t mint_ms;  // inclusive
  int64_t maxt_ms;  // inclusive
};
struct WalMetadata {
  std::string_view family, type, help, unit;
};

// --- series: count, then per series ref, label count, (name, value)...
void encode_series_count(uint64_t n, std::string* out);
void encode_series_entry(uint64_t ref, const Labels& labels, std::string* out);
void encode_series_entry(uint64_t ref, std::span<const LabelView> labels, std::string* out);

// Walks the entries of a series payload without allocating per label.
class SeriesRecordReader {
 public:
  explicit SeriesRecordReader(std::string_view payload);
  // Number of entries the payload announces (0 when malformed).
  uint64_t count() const { return n_; }
  // Next entry; *labels is overwritten (its capacity reused). False at the end
  // or on malformed data (then ok() is false).
  bool next(uint64_t* ref, std::vector<LabelView>* labels);
  bool ok() const { return ok_; }

 private:
  const char* p_;
  const char* end_;
  uint64_t n_ = 0;
  uint64_t read_ = 0;
  bool ok_ = true;
};

// --- samples: count, then per sample zigzag ref delta, zigzag t delta, f64.
void encode_samples(std::span<const WalSample> samples, std::string* out);
// Appends the decoded samples to *out.
bool decode_samples(std::string_view payload, std::vector<WalSample>* out);

// --- tombstones: count, then per interval ref, zigzag mint, zigzag maxt.
void encode_tombstones(std::span<const WalTombstone> ts, std::string* out);
bool decode_tombstones(std::string_view payload, std::vector<WalTombstone>* out);

// --- metadata: count, then per family name, type, help, unit.
void encode_metadata(const std::vector<std::pair<std::string, MetricMetadata>>& md,
                     std::string* out);
bool decode_metadata(std::string_view payload, std::vector<WalMetadata>* out);

}  // namespace strata::tsdb
