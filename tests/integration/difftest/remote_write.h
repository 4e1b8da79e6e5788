// Builds remote-write 1.0 request bodies (protobuf WriteRequest, Snappy block
// compressed) for the difftest. Hand-encoded on purpose: the difftest must not
// depend on Strata's own codec, since it is what the test checks.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata::difftest {

// Label pairs in any order; the encoder sorts them by name as the spec asks.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct RwSample {
  int64_t t_ms = 0;
  double value = 0;
};

struct RwSeries {
  LabelPairs labels;
  std::vector<RwSample> samples;  // in timestamp order
};

// The stale marker Prometheus writes when a series disappears (bit pattern
// 0x7ff0000000000002, a signalling NaN distinct from ordinary NaN).
double stale_nan();
// An ordinary NaN sample value (0x7ff8000000000001, Prometheus' NormalNaN).
double normal_nan();

// Serialises `series` as a WriteRequest and Snappy-compresses it.
std::string encode_write_request(const std::vector<RwSeries>& series);

}  // namespace strata::difftest
