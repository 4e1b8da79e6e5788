// Range-vector functions (rate, increase, *_over_time, deriv, ...) evaluated
// for every step of the grid by sliding a window over one series' samples:
// the samples are read once, and each step only moves two indices.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "promql/eval_types.h"

namespace strata::promql {

enum class RangeFn {
  kRate, kIncrease, kDelta, kIrate, kIdelta,
  kAvgOverTime, kSumOverTime, kCountOverTime, kMinOverTime, kMaxOverTime,
  kLastOverTime, kFirstOverTime, kPresentOverTime, kStddevOverTime, kStdvarOverTime,
  kQuantileOverTime, kMadOverTime, kChanges, kResets, kDeriv, kPredictLinear,
  kDoubleExponentialSmoothing, kTsOfMinOverTime, kTsOfMaxOverTime, kTsOfLastOverTime,
  kTsOfFirstOverTime,
};

struct RangeCall {
  RangeFn fn;
  int64_t range_ms = 0;
  bool left_open = true;    // Prometheus 3: windows are (end - range, end]
  // Prometheus 2.x arithmetic: the order of rate's extrapolation steps, and
  // compensated sums that do not special-case infinities (stdvar_over_time,
  // deriv, predict_linear).
  bool v2_extrapolation = false;
  const std::vector<int64_t>* window_ends = nullptr;  // per step; non-decreasing
  const std::vector<int64_t>* eval_ts = nullptr;      // per step (predict_linear)
  const std::vector<double>* param0 = nullptr;        // per step: φ, duration, sf
  const std::vector<double>* param1 = nullptr;        // per step: tf
  // Polled every ~256k window samples so that long windows (subqueries with
  // millions of points) stop promptly on timeout; true = stop.
  const std::function<bool()>* should_stop = nullptr;
};

// Writes one value per step to out[0..n) (absent_value() where the function
// yields no sample). Errors are Prometheus' execution errors (e.g. an
// invalid smoothing factor), or kAborted when should_stop said so.
absl::Status eval_range_function(const RangeCall& call, const std::vector<Sample>& samples,
                                 double* out);

// Prometheus' quantile of sorted-or-not values with linear interpolation;
// φ < 0 → -Inf, φ > 1 → +Inf, NaN φ → NaN. `values` is reordered.
double quantile(double phi, std::vector<double>& values);

}  // namespace strata::promql
