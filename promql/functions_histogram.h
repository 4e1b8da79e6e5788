// histogram_quantile over classic `le` buckets (and the helpers for
// histogram_fraction-style interpolation later).
#pragma once

#include <vector>

namespace strata::promql {

struct Bucket {
  double upper_bound;
  double count;
};

struct BucketQuantileResult {
  double value;
  bool forced_monotonic = false;  // counts decreased somewhere and were fixed
};

// Prometheus' bucketQuantile: linear interpolation inside the bucket holding
// the rank, 0 as the lower bound of a positive first bucket, the second-highest
// bound when the rank falls into +Inf, NaN without a +Inf bucket, fewer than two
// buckets or zero observations. `v3` also ignores relative count differences
// below 1e-12 between neighbours (floating point artefacts). Reorders buckets.
BucketQuantileResult bucket_quantile(double q, std::vector<Bucket>& buckets, bool v3);

}  // namespace strata::promql
