#include <gtest/gtest.h>

#include <cmath>

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
