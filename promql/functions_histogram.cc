#include "promql/functions_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::promql {
namespace {

// almost.Equal from Prometheus' util/almost.
bool almost_equal(double a, double b, double eps) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (a == b) return true;
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || std::fabs(a) + std::fabs(b) < kMinNormal) return diff < eps * kMinNormal;
  return diff / std::min(std::fabs(a) + std::fabs(b), std::numeric_limits<double>::max()) < eps;
}

}  // namespace

BucketQuantileResult bucket_quantile(double q, std::vector<Bucket>& buckets, bool v3) {
  BucketQuantileResult r{std::nan("")};
  if (std::isnan(q)) return r;
  if (q < 0) return {-std::numeric_limits<double>::infinity()};
  if (q > 1) return {std::numeric_limits<double>::infinity()};
  if (buckets.empty()) return r;
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return r;
  // Merge buckets with equal bounds.
  size_t k = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[k].upper_bound) {
      buckets[k].count += buckets[i].count;
    } else {
      buckets[++k] = buckets[i];
    }
  }
  buckets.resize(k + 1);
  if (v3) {
    double prev = buckets[0].count;
    for (size_t i = 1; i < buckets.size(); ++i) {
      double cur = buckets[i].count;
      if (cur == prev) continue;
      if (almost_equal(prev, cur, 1e-12)) {
        buckets[i].count = prev;
        continue;
      }
      if (cur < prev) {
        buckets[i].count = prev;
        r.forced_monotonic = true;
        continue;
      }
      prev = cur;
    }
  } else {
    double max = -std::numeric_limits<double>::infinity();
    for (Bucket& b : buckets) {
      if (b.count > max) {
        max = b.count;
      } else if (b.count < max) {
        b.count = max;
        r.forced_monotonic = true;
      }
    }
  }
  if (buckets.size() < 2) return r;
  double observations = buckets.back().count;
  if (observations == 0) return r;
  double rank = q * observations;
  size_t b = 0;
  // First bucket (excluding +Inf) whose count reaches the rank.
  while (b < buckets.size() - 1 && !(buckets[b].count >= rank)) ++b;
  if (b == buckets.size() - 1) {
    r.value = buckets[buckets.size() - 2].upper_bound;
    return r;
  }
  if (b == 0 && buckets[0].upper_bound <= 0) {
    r.value = buckets[0].upper_bound;
    return r;
  }
  double start = 0, end = buckets[b].upper_bound, count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  r.value = start + (end - start) * (rank / count);
  return r;
}

}  // namespace strata::promql
