#include "base/float_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace strata {
namespace {

std::string json(double v) {
  std::string s;
  append_float_json(&s, v);
  return s;
}
std::string g(double v) {
  std::string s;
  append_float_go_g(&s, v);
  return s;
}
std::string ts(int64_t t) {
  std::string s;
  append_timestamp_seconds(&s, t);
  return s;
}

TEST(FloatFormatTest, JsonLikePrometheus) {
  EXPECT_EQ(json(1), "1");
  EXPECT_EQ(json(0.1), "0.1");
  EXPECT_EQ(json(-2.5), "-2.5");
  EXPECT_EQ(json(1e21), "1e+21");
  EXPECT_EQ(json(1e20), "100000000000000000000");
  EXPECT_EQ(json(1e-7), "1e-07");
  EXPECT_EQ(json(0.000001), "0.000001");
  EXPECT_EQ(json(NAN), "NaN");
  EXPECT_EQ(json(INFINITY), "+Inf");
  EXPECT_EQ(json(-INFINITY), "-Inf");
  EXPECT_EQ(json(0), "0");
  EXPECT_EQ(json(1234567.891), "1234567.891");
  // Shortest digits padded with zeros, as Go's 'f' with precision -1.
  EXPECT_EQ(json(18446744073709551616.0), "18446744073709552000");
  EXPECT_EQ(json(9223372036854775808.0), "9223372036854776000");
  EXPECT_EQ(json(-9223372036854775808.0), "-9223372036854776000");
  EXPECT_EQ(json(0.0123), "0.0123");
  EXPECT_EQ(json(123.456), "123.456");
}

TEST(FloatFormatTest, GoShortestG) {
  EXPECT_EQ(g(1), "1");
  EXPECT_EQ(g(123456), "123456");
  EXPECT_EQ(g(1e6), "1e+06");
  EXPECT_EQ(g(1234567), "1.234567e+06");
  EXPECT_EQ(g(0.0001), "0.0001");
  EXPECT_EQ(g(0.00001), "1e-05");
  EXPECT_EQ(g(0.25), "0.25");
}

TEST(FloatFormatTest, TimestampsAsSeconds) {
  EXPECT_EQ(ts(1435781451781), "1435781451.781");
  EXPECT_EQ(ts(10050), "10.050");
  EXPECT_EQ(ts(10500), "10.500");
  EXPECT_EQ(ts(10000), "10");
  EXPECT_EQ(ts(0), "0");
}

TEST(FloatFormatTest, ParsesGoFloats) {
  EXPECT_EQ(parse_go_float("1.5"), 1.5);
  EXPECT_EQ(parse_go_float("-1e3"), -1000);
  EXPECT_EQ(parse_go_float("+Inf"), INFINITY);
  EXPECT_EQ(parse_go_float("-inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(*parse_go_float("NaN")));
  EXPECT_EQ(parse_go_float("0x1p4"), 16);
  EXPECT_FALSE(parse_go_float("").has_value());
  EXPECT_FALSE(parse_go_float("1.5x").has_value());
  EXPECT_FALSE(parse_go_float(" 1").has_value());
  EXPECT_FALSE(parse_go_float("1_000").has_value());
}

}  // namespace
}  // namespace strata
