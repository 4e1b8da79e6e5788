// The load generator's data: a realistic set of series (what a fleet of
// exporters would expose: counters, gauges and classic histograms with `le`
// buckets plus `_sum`/`_count`, with job/instance/service/method/status/...
// labels), their values round after round (counters rise by random amounts
// with rare resets, gauges random-walk, histogram buckets rise together and
// stay cumulative), and the remote-write request bodies (protobuf + snappy)
// for every round, all built before any timing starts.
//
// Single-threaded; the encoded bodies are immutable afterwards and may be
// read by any number of sender threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::bench {

struct MetricMix {
  // Shares of the series count (not of families); need not sum to 100.
  double counter = 50;
  double gauge = 30;
  double histogram = 20;
};

// Parses "counter=50,gauge=30,histogram=20" (any subset, any order).
bool parse_metric_mix(const std::string& s, MetricMix* out, std::string* error);

// How values move. kRealistic looks like real exporters: counters mostly
// integers (a third idle, slow or fast; CPU seconds with two decimals),
// byte gauges in multiples of 4,096, temperatures with one decimal, small
// integer gauges, histogram buckets as integers and `_sum` in milliseconds.
// kRandomWalkGauges is the worst case for compression: every gauge a
// full-precision random walk (the loadgen's only style before); counters
// and histograms as in kRealistic but with unrounded `_sum`s.
enum class ValueStyle { kRealistic, kRandomWalkGauges };

struct WorkloadOptions {
  uint64_t series = 100000;
  int rounds = 10;
  int batch = 2000;               // series per request
  int64_t interval_ms = 15000;    // between rounds' timestamps
  int64_t start_ms = 0;           // first round's timestamp
  MetricMix mix;
  ValueStyle values = ValueStyle::kRealistic;
  uint64_t seed = 1;
};

// One pre-encoded request body.
struct Body {
  std::string compressed;  // snappy block of a serialized prometheus.WriteRequest
  uint32_t samples = 0;
  uint32_t raw_bytes = 0;  // before compression
};

struct Workload {
  uint64_t series = 0;  // actual count (histograms are kept whole)
  uint64_t counters = 0, gauges = 0, histogram_series = 0, histograms = 0;
  int batches_per_round = 0;
  // bodies[round][batch]; batch b of every round holds the same series, so a
  // sender that owns batch b and sends its rounds in order never goes back in
  // time for any series.
  std::vector<std::vector<Body>> bodies;
};

Workload build_workload(const WorkloadOptions& opts);

}  // namespace strata::bench
