#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "promql/aggregate.h"
#include "promql/binary.h"
#include "promql/functions_histogram.h"
#include "promql/functions_range.h"

namespace strata::promql {
namespace {

std::vector<Sample> counter(int n, int64_t step_ms, double inc, int64_t t0 = 0) {
  std::vector<Sample> s;
  for (int i = 0; i < n; ++i) s.push_back({t0 + i * step_ms, i * inc});
  return s;
}

double eval_one(RangeFn fn, const std::vector<Sample>& s, int64_t end, int64_t range,
                bool left_open = true, double p0 = 0, double p1 = 0) {
  std::vector<int64_t> ends = {end};
  std::vector<double> a = {p0}, b = {p1};
  RangeCall c{fn, range, left_open, false, &ends, &ends, &a, &b};
  double out;
  EXPECT_TRUE(eval_range_function(c, s, &out).ok());
  return out;
}

TEST(RangeFunctionsTest, RateOfPerfectCounter) {
  // 0, 10, 20, ... every 15 s: rate is 10/15 per second.
  auto s = counter(41, 15000, 10);
  EXPECT_NEAR(eval_one(RangeFn::kRate, s, 600000, 300000), 10.0 / 15, 1e-12);
  EXPECT_NEAR(eval_one(RangeFn::kIncrease, s, 600000, 300000), 200, 1e-9);
}

TEST(RangeFunctionsTest, WindowBoundaries) {
  auto s = counter(11, 60000, 1);  // samples at 0..10m
  // v3: (5m, 10m] holds 6m..10m = 5 samples; v2: [5m, 10m] holds 6.
  EXPECT_EQ(eval_one(RangeFn::kCountOverTime, s, 600000, 300000, true), 5);
  EXPECT_EQ(eval_one(RangeFn::kCountOverTime, s, 600000, 300000, false), 6);
}

TEST(RangeFunctionsTest, CounterResetsAndIrate) {
  std::vector<Sample> s = {{0, 5}, {10000, 10}, {20000, 2}, {30000, 6}};
  EXPECT_EQ(eval_one(RangeFn::kResets, s, 30000, 60000), 1);
  EXPECT_EQ(eval_one(RangeFn::kChanges, s, 30000, 60000), 3);
  EXPECT_NEAR(eval_one(RangeFn::kIrate, s, 30000, 60000), 0.4, 1e-12);
  EXPECT_NEAR(eval_one(RangeFn::kIdelta, s, 30000, 60000), 4, 1e-12);
}

TEST(RangeFunctionsTest, NoSampleIsAbsent) {
  std::vector<Sample> s = {{0, 1}};
  EXPECT_TRUE(is_absent(eval_one(RangeFn::kRate, s, 60000, 30000)));
  EXPECT_TRUE(is_absent(eval_one(RangeFn::kRate, s, 0, 30000)));  // one sample: no rate
}

TEST(RangeFunctionsTest, OverTimeAggregates) {
  std::vector<Sample> s = {{1000, 1}, {2000, 3}, {3000, 2}, {4000, 10}};
  EXPECT_EQ(eval_one(RangeFn::kSumOverTime, s, 4000, 10000), 16);
  EXPECT_EQ(eval_one(RangeFn::kAvgOverTime, s, 4000, 10000), 4);
  EXPECT_EQ(eval_one(RangeFn::kMaxOverTime, s, 4000, 10000), 10);
  EXPECT_EQ(eval_one(RangeFn::kMinOverTime, s, 4000, 10000), 1);
  EXPECT_EQ(eval_one(RangeFn::kLastOverTime, s, 4000, 10000), 10);
  EXPECT_NEAR(eval_one(RangeFn::kStdvarOverTime, s, 4000, 10000), 12.5, 1e-12);
  EXPECT_NEAR(eval_one(RangeFn::kQuantileOverTime, s, 4000, 10000, true, 0.5), 2.5, 1e-12);
}

TEST(RangeFunctionsTest, DerivAndPredictLinear) {
  std::vector<Sample> s = {{0, 0}, {10000, 10}, {20000, 20}};
  EXPECT_NEAR(eval_one(RangeFn::kDeriv, s, 20000, 60000), 1, 1e-12);
  // Intercept at eval time 20 s is 20; in 10 s the line is at 30.
  EXPECT_NEAR(eval_one(RangeFn::kPredictLinear, s, 20000, 60000, true, 10), 30, 1e-9);
}

TEST(RangeFunctionsTest, SmoothingFactorErrors) {
  std::vector<int64_t> ends = {1000};
  std::vector<double> a = {1.5}, b = {0.5};
  RangeCall c{RangeFn::kDoubleExponentialSmoothing, 10000, true, false, &ends, &ends, &a, &b};
  double out;
  auto st = eval_range_function(c, {{0, 1}, {1000, 2}}, &out);
  EXPECT_EQ(std::string(st.message()), "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000");
}

// Prometheus' extrapolatedRate for one window, written out plainly: the
// reference the step loop (with its remembered time terms and reset index)
// must match bit for bit.
double reference_rate(const std::vector<Sample>& s, int64_t start, int64_t end, int64_t range_ms,
                      bool left_open, bool v2, RangeFn fn) {
  std::vector<Sample> w;
  for (const Sample& p : s) {
    if ((left_open ? p.t > start : p.t >= start) && p.t <= end) w.push_back(p);
  }
  if (w.size() < 2) return absent_value();
  bool counter = fn != RangeFn::kDelta;
  double result = w.back().v - w.front().v;
  if (counter) {
    for (size_t i = 1; i < w.size(); ++i)
      if (w[i].v < w[i - 1].v) result += w[i - 1].v;
  }
  double to_start = double(w.front().t - start) / 1000;
  double to_end = double(end - w.back().t) / 1000;
  double sampled = double(w.back().t - w.front().t) / 1000;
  double avg = sampled / double(w.size() - 1);
  double threshold = avg * 1.1;
  auto clamp = [&] {
    if (counter && result > 0 && w.front().v >= 0) {
      double to_zero = sampled * (w.front().v / result);
      if (to_zero < to_start) to_start = to_zero;
    }
  };
  double interval = sampled;
  if (v2) {
    clamp();
    interval += to_start < threshold ? to_start : avg / 2;
    interval += to_end < threshold ? to_end : avg / 2;
  } else {
    if (to_start >= threshold) to_start = avg / 2;
    clamp();
    interval += to_start;
    if (to_end >= threshold) to_end = avg / 2;
    interval += to_end;
  }
  double factor = interval / sampled;
  if (fn == RangeFn::kRate) factor /= double(range_ms) / 1000;
  return result * factor;
}

TEST(RangeFunctionsTest, RateMatchesTheReferenceOnGeneratedSeries) {
  std::mt19937_64 rng(20261203);
  for (int round = 0; round < 300; ++round) {
    // Regular or jittered timestamps, counters with occasional resets (some
    // to zero, some starting at zero so the zero clamp applies), gaps.
    const int64_t interval = std::uniform_int_distribution<int64_t>(1, 4)(rng) * 5000;
    const bool jitter = rng() % 2;
    const int n = std::uniform_int_distribution<int>(1, 400)(rng);
    std::vector<Sample> s;
    int64_t t = std::uniform_int_distribution<int64_t>(0, 30000)(rng);
    double v = rng() % 3 == 0 ? 0 : double(rng() % 1000);
    for (int i = 0; i < n; ++i) {
      s.push_back({t + (jitter ? int64_t(rng() % 7) : 0), v});
      t += interval * (rng() % 40 == 0 ? 5 : 1);
      v = rng() % 50 == 0 ? double(rng() % 3) : v + double(rng() % 100) / 4;
    }
    const int64_t range = std::uniform_int_distribution<int64_t>(1, 40)(rng) * 15000;
    const int64_t step = std::uniform_int_distribution<int64_t>(1, 8)(rng) * 15000;
    std::vector<int64_t> ends;
    for (int64_t e = s.front().t - range; e <= t + range; e += step) ends.push_back(e);
    for (RangeFn fn : {RangeFn::kRate, RangeFn::kIncrease, RangeFn::kDelta}) {
      for (bool v2 : {false, true}) {
        RangeCall c{fn, range, !v2, v2, &ends, &ends, nullptr, nullptr};
        std::vector<double> out(ends.size());
        ASSERT_TRUE(eval_range_function(c, s, out.data()).ok());
        for (size_t i = 0; i < ends.size(); ++i) {
          double want = reference_rate(s, ends[i] - range, ends[i], range, !v2, v2, fn);
          ASSERT_EQ(float_bits(out[i]), float_bits(want))
              << "round " << round << " step " << i << " fn " << int(fn) << " v2 " << v2
              << ": got " << out[i] << ", want " << want;
        }
      }
    }
  }
}

TEST(BucketQuantileTest, InterpolatesAndHandlesEdges) {
  std::vector<Bucket> b = {{0.1, 10}, {0.5, 20}, {1, 30}, {INFINITY, 40}};
  EXPECT_NEAR(bucket_quantile(0.5, b, true).value, 0.5, 1e-12);
  b = {{0.1, 10}, {0.5, 20}, {1, 30}, {INFINITY, 40}};
  EXPECT_NEAR(bucket_quantile(0.9, b, true).value, 1, 1e-12);  // in +Inf: second-highest bound
  b = {{0.1, 10}, {0.5, 20}};
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, b, true).value));  // no +Inf bucket
  b = {{0.1, 10}, {0.5, 5}, {INFINITY, 20}};
  auto r = bucket_quantile(0.5, b, true);
  EXPECT_TRUE(r.forced_monotonic);
  b = {{1, 0}, {INFINITY, 0}};
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, b, true).value));
  EXPECT_EQ(bucket_quantile(-1, b, true).value, -INFINITY);
}

StepSeries ss(std::initializer_list<std::string_view> kv, std::vector<double> v) {
  return {Labels::from_strings(kv), std::move(v), false};
}

TEST(AggregateTest, SumByGroupsAndSkipsAbsent) {
  Grid g = Grid::make(0, 1000, 1000);
  StepVector in = {ss({"__name__", "x", "a", "1", "b", "1"}, {1, 2}),
                   ss({"__name__", "x", "a", "1", "b", "2"}, {10, absent_value()}),
                   ss({"__name__", "x", "a", "2", "b", "1"}, {100, 200})};
  AggSpec spec{AggOp::kSum, {"a"}, false};
  auto out = aggregate(spec, in, g);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].metric, Labels::from_strings({"a", "1"}));
  EXPECT_EQ((*out)[0].v, (std::vector<double>{11, 2}));
  spec = {AggOp::kCount, {"b"}, true};
  out = aggregate(spec, in, g);
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].metric, Labels::from_strings({"a", "1"}));
  EXPECT_EQ((*out)[0].v, (std::vector<double>{2, 1}));
}

TEST(AggregateTest, TopkPerStep) {
  Grid g = Grid::make(0, 1000, 1000);
  StepVector in = {ss({"i", "1"}, {1, 5}), ss({"i", "2"}, {3, 4}), ss({"i", "3"}, {2, 1})};
  std::vector<double> k = {1, 1};
  AggSpec spec{AggOp::kTopk, {}, false, &k};
  auto out = aggregate(spec, in, g);
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].metric, Labels::from_strings({"i", "1"}));
  EXPECT_TRUE(is_absent((*out)[0].v[0]));
  EXPECT_EQ((*out)[0].v[1], 5);
  EXPECT_EQ((*out)[1].v[0], 3);
}

TEST(BinaryTest, OneToOneMatchingAndDuplicates) {
  Grid g = Grid::make(0, 0, 1000);
  StepVector l = {ss({"__name__", "a", "job", "x"}, {4})};
  StepVector r = {ss({"__name__", "b", "job", "x"}, {2})};
  auto out = vector_binop(BinOp::kDiv, l, r, Matching{}, false, false, g);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].metric, Labels::from_strings({"job", "x"}));
  EXPECT_EQ((*out)[0].v[0], 2);
  StepVector r2 = {ss({"__name__", "b", "job", "x", "i", "1"}, {2}),
                   ss({"__name__", "b", "job", "x", "i", "2"}, {2})};
  Matching on_job{Card::kOneToOne, true, {"job"}, {}};
  auto bad = vector_binop(BinOp::kDiv, l, r2, on_job, false, false, g);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("many-to-many matching not allowed"),
            std::string::npos);
}

}  // namespace
}  // namespace strata::promql
