// Builds remote-write 1.0 request bodies (protobuf WriteRequest, Snappy block
// compressed) for tests against the strata binary. Hand-encoded on purpose:
// tests of the binary must not depend on Strata's own codec, since it is part
// of what they check. `Wire` writes raw protobuf bytes for the malformed
// requests a typed encoder cannot express.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/testutil/http_client.h"

namespace strata::testutil {

// Label pairs in any order; encode_write_request sorts them by name as the
// spec asks (encode_write_request_unsorted keeps the given order).
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct RwSample {
  int64_t t_ms = 0;
  double value = 0;
};

struct RwExemplar {
  LabelPairs labels;  // e.g. {{"trace_id", "abc"}}, in the given order
  double value = 0;
  int64_t t_ms = 0;
};

struct RwSeries {
  LabelPairs labels;
  std::vector<RwSample> samples;  // in timestamp order
  std::vector<RwExemplar> exemplars = {};
};

// MetricMetadata.type values (prompb).
enum class RwMetricType {
  kUnknown = 0,
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateSet = 7
};

struct RwMetadata {
  RwMetricType type = RwMetricType::kUnknown;
  std::string metric_family_name;
  std::string help;
  std::string unit;
};

// The stale marker Prometheus writes when a series disappears (bit pattern
// 0x7ff0000000000002, a signalling NaN distinct from ordinary NaN).
double stale_nan();
// An ordinary NaN sample value (0x7ff8000000000001, Prometheus' NormalNaN).
double normal_nan();
uint64_t float_bits(double v);

// Serialises `series` (and `metadata`) as a WriteRequest and Snappy-compresses it.
std::string encode_write_request(const std::vector<RwSeries>& series,
                                 const std::vector<RwMetadata>& metadata = {});
// The same, labels in the order given (to test receivers with unsorted input).
std::string encode_write_request_unsorted(const std::vector<RwSeries>& series);

std::string snappy_compress(std::string_view raw);

// The headers a Prometheus 1.0 sender puts on a remote-write POST.
Headers remote_write_headers();

// Raw protobuf wire bytes.
class Wire {
 public:
  Wire& varint(uint64_t v);
  Wire& tag(uint32_t field, int wire_type);
  Wire& len(uint32_t field, std::string_view data);  // length-delimited
  Wire& msg(uint32_t field, const Wire& m) { return len(field, m.str()); }
  Wire& fixed64(uint32_t field, uint64_t v);
  Wire& fixed32(uint32_t field, uint32_t v);
  Wire& double_field(uint32_t field, double d) { return fixed64(field, float_bits(d)); }
  Wire& varint_field(uint32_t field, uint64_t v) { return tag(field, 0).varint(v); }
  Wire& raw(std::string_view bytes);
  const std::string& str() const { return b_; }

  // prompb.Label {1 name, 2 value}.
  static Wire label(std::string_view name, std::string_view value);
  // prompb.Sample {1 double value, 2 int64 timestamp}.
  static Wire sample(double v, int64_t t_ms);
  // prompb.TimeSeries with the labels in the given order, the samples and
  // the exemplars.
  static Wire series(const LabelPairs& labels, const std::vector<RwSample>& samples,
                     const std::vector<RwExemplar>& exemplars = {});
  // prompb.Exemplar {1 labels, 2 double value, 3 int64 timestamp}.
  static Wire exemplar(const RwExemplar& e);

 private:
  std::string b_;
};

}  // namespace strata::testutil
