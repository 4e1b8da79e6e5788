// A remote-write 1.0 WriteRequest decoded in place, without libprotobuf: the
// fast path of the receiver. Label names and values, metadata strings are
// views into the decompressed body; samples are copied out as (t, v) pairs.
// Nothing is allocated per string, and the vectors are reused request after
// request (clear() keeps their capacity).
//
// The decoder accepts exactly what protobuf's parser plus check_known_fields
// (remote/wire_check.h) accept for these messages, and decodes it to the same
// values (the last occurrence of a scalar field wins, repeated fields keep
// their order, unknown field numbers are skipped). Whatever it does not
// handle itself it hands back with kFallback, and the caller parses the body
// with libprotobuf (parse_write_request_into), which then either accepts it
// or produces the precise error message:
//   - any malformation (truncated or over-long varint, length past the end,
//     field number 0, invalid wire type),
//   - a known field with the wrong wire type,
//   - groups (wire types 3 and 4) anywhere,
//   - native histograms (TimeSeries field 4): rare, and rejected per sample
//     after a full parse anyway.
// tests/remote/write_view_test.cc checks the equivalence on generated and
// mutated requests against libprotobuf.
//
// Not thread-safe (one view per worker thread); pure otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tsdb/ingest.h"

namespace strata {
class MemoryMeter;
}

namespace strata::remote {

struct WriteRequestView {
  struct Series {
    uint32_t labels_begin = 0, labels_end = 0;        // into `labels`
    uint32_t samples_begin = 0, samples_end = 0;      // into `samples`
    uint32_t exemplars_begin = 0, exemplars_end = 0;  // into `exemplars`
    // The series' label fields as they are on the wire (tags, lengths and
    // bytes), when they are contiguous (as every sender writes them); empty
    // otherwise. The same bytes always mean the same label set: the key of
    // remote/series_ref_cache.h.
    std::string_view raw_labels;
    // Native histograms of the series (remote write 2.0 only: the 1.0 view
    // hands those requests to libprotobuf); rejected at ingest.
    uint32_t histograms = 0;
  };
  struct Sample {
    int64_t t_ms;
    double value;
  };
  struct Exemplar {
    uint32_t labels_begin, labels_end;  // into `exemplar_labels`
    double value;
    int64_t t_ms;
  };
  struct Metadata {
    int type;  // MetricMetadata.MetricType (open enum: any int32)
    std::string_view family, help, unit;
  };

  std::vector<Series> series;
  std::vector<tsdb::LabelView> labels;  // of the series, each series' contiguous
  std::vector<Sample> samples;
  std::vector<Exemplar> exemplars;
  std::vector<tsdb::LabelView> exemplar_labels;
  std::vector<Metadata> metadata;

  void clear();
  // Bytes held by the vectors (to drop them after an unusually large request).
  size_t capacity_bytes() const;
};

// kRefused: `meter` refused the memory for the view's vectors (its status()
// says how); nothing more was allocated.
enum class DecodeResult { kOk, kFallback, kRefused };

// Decodes `raw` (a decompressed WriteRequest) into `out`, which it clears
// first. The views in `out` point into `raw`. The vectors' growth beyond the
// capacity `out` already has is charged to `meter` first (null: unmetered):
// the view of a hostile body of empty messages is ~25 times its size. On
// kFallback or kRefused `out` holds a partial decode to be ignored.
DecodeResult decode_write_request_view(std::string_view raw, WriteRequestView* out,
                                       MemoryMeter* meter = nullptr);

}  // namespace strata::remote
