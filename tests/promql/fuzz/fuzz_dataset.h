// The fixed synthetic dataset the PromQL fuzzers query: one hour at 15 s,
// about fifty series built to provoke edge cases rather than to look real —
// series that differ only by metric name, label sets that collide once the
// name or one label is dropped (and do not overlap in time), gaps, staleness
// markers, NaN and ±Inf, 1e300 and 1e-300, counter resets, integer counters,
// classic histograms with a non-monotonic bucket and without +Inf, ties.
//
// Fully deterministic given the end time: the crash fuzzer loads it at a
// fixed time, the differential fuzzer just before "now" (Prometheus' head
// refuses samples far in the past). Depends on nothing of Strata, so the
// differential test can remote-write it to both servers from the outside.
//
// build_fuzz_dataset() and fuzz_schema() are pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace strata::promql::fuzz {

inline constexpr int64_t kFuzzStepMs = 15'000;  // the "scrape interval"
inline constexpr int kFuzzPoints = 241;         // one hour, both ends included
// The end time the crash fuzzer uses (a multiple of kFuzzStepMs, Nov 2023).
inline constexpr int64_t kFuzzFixedEndMs = 1'700'000'100'000;

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct FuzzSample {
  int64_t t_ms = 0;
  double value = 0;  // may be the staleness marker, see stale_marker()
};

struct FuzzSeries {
  LabelPairs labels;  // includes __name__
  std::vector<FuzzSample> samples;  // strictly increasing timestamps
};

struct FuzzDataset {
  int64_t start_ms = 0;  // time of grid point 0
  int64_t end_ms = 0;    // time of grid point kFuzzPoints - 1
  std::vector<FuzzSeries> series;
  size_t sample_count() const;
};

// Prometheus' staleness marker (bit pattern 0x7ff0000000000002) and an
// ordinary NaN (0x7ff8000000000001, Prometheus' NormalNaN).
double stale_marker();
double normal_nan();
bool is_stale_marker(double v);

// `end_ms` must be a multiple of kFuzzStepMs.
FuzzDataset build_fuzz_dataset(int64_t end_ms);

// What the query generator may refer to: metric names by kind and the values
// each label takes. Derived from the dataset, so the two cannot drift apart.
struct FuzzSchema {
  std::vector<std::string> metrics;   // every metric name
  std::vector<std::string> counters;  // names ending in _total or _count
  std::vector<std::string> buckets;   // names ending in _bucket
  std::vector<std::string> label_names;  // without __name__
  std::map<std::string, std::vector<std::string>> label_values;  // by label name
  std::map<std::string, std::vector<std::string>> metric_labels; // label names by metric
};
FuzzSchema fuzz_schema(const FuzzDataset& data);

}  // namespace strata::promql::fuzz
