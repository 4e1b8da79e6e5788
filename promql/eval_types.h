// Internal value representation of the evaluator. Every query is evaluated
// over a shared step grid (an instant query is a grid of one step): an
// instant-vector expression yields StepSeries holding one value slot per step,
// with a sentinel NaN marking "no sample at this step". Range-vector
// expressions yield RangeSeries of raw samples, consumed by range functions.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tsdb/labels/labels.h"
#include "tsdb/series.h"

namespace strata::promql {

using tsdb::Labels;
using tsdb::Sample;

// A signalling-NaN payload that arithmetic never produces (results of NaN
// arithmetic are quiet NaNs) and that storage values are canonicalised away
// from when loaded, so it can mark empty slots without a separate bitmap.
inline constexpr uint64_t kAbsentBits = 0x7ff4a65e5e5e5e5eULL;

inline uint64_t float_bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}
inline double absent_value() {
  double v;
  std::memcpy(&v, &kAbsentBits, 8);
  return v;
}
inline bool is_absent(double v) { return float_bits(v) == kAbsentBits; }
inline bool is_stale(double v) { return float_bits(v) == tsdb::kStaleNaNBits; }

struct Grid {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 1;  // > 0
  size_t n = 1;
  int64_t at(size_t i) const { return start_ms + int64_t(i) * step_ms; }
  static Grid make(int64_t start, int64_t end, int64_t step) {
    Grid g{start, end, step > 0 ? step : 1, 0};
    g.n = size_t((end - start) / g.step_ms) + 1;
    return g;
  }
};

// One instant-vector series over the grid.
struct StepSeries {
  Labels metric;
  std::vector<double> v;  // grid.n slots; absent_value() = no sample
  // Prometheus 3 drops __name__ at the end of evaluation ("delayed name
  // removal"); functions mark it here instead of editing labels directly.
  bool drop_name = false;
};
using StepVector = std::vector<StepSeries>;

// One range-vector series: raw samples (stale markers removed), time ordered.
struct RangeSeries {
  Labels metric;
  std::vector<Sample> samples;
  bool drop_name = false;
};
using RangeVector = std::vector<RangeSeries>;

// Prometheus 2.x's kahanSumInc, before infinities were special-cased: an
// infinite term makes the compensation NaN (stddev_over_time of a window
// reaching ±Inf is NaN there, Inf in 3.x).
inline void kahan_inc_v2(double inc, double& sum, double& c) {
  double t = sum + inc;
  if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

// Kahan-Neumaier compensated addition as Prometheus does it.
inline void kahan_inc(double inc, double& sum, double& c) {
  double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

}  // namespace strata::promql
