// OTLP values as label values, as Prometheus 3 writes them.
#include "remote/otlp_values.h"

#include <gtest/gtest.h>

#include <limits>

namespace strata::remote {
namespace {

TEST(OtlpValuesTest, FloatsLikeGoShortestFixed) {
  struct {
    double v;
    const char* want;
  } cases[] = {{0.005, "0.005"},   {5, "5"},         {1e6, "1000000"},
               {0.1 + 0.2, "0.30000000000000004"}, {-2.5, "-2.5"},
               {std::numeric_limits<double>::infinity(), "+Inf"},
               {-std::numeric_limits<double>::infinity(), "-Inf"},
               {std::numeric_limits<double>::quiet_NaN(), "NaN"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(otlp_format_float(c.v), c.want);
  }
}

TEST(OtlpValuesTest, AttributeValues) {
  strata::otlp::AnyValue v;
  v.set_string_value("x");
  EXPECT_EQ(otlp_value_string(v), "x");
  v.set_bool_value(true);
  EXPECT_EQ(otlp_value_string(v), "true");
  v.set_int_value(-42);
  EXPECT_EQ(otlp_value_string(v), "-42");
  v.set_double_value(1.5);
  EXPECT_EQ(otlp_value_string(v), "1.5");
  v.set_bytes_value("hi");
  EXPECT_EQ(otlp_value_string(v), "aGk=");
  strata::otlp::AnyValue arr;
  arr.mutable_array_value()->add_values()->set_int_value(1);
  arr.mutable_array_value()->add_values()->set_string_value("a");
  EXPECT_EQ(otlp_value_string(arr), R"([1,"a"])");
  strata::otlp::AnyValue map;
  auto* kv = map.mutable_kvlist_value()->add_values();
  kv->set_key("k");
  kv->mutable_value()->set_bool_value(false);
  EXPECT_EQ(otlp_value_string(map), R"({"k":false})");
  EXPECT_EQ(otlp_value_string(strata::otlp::AnyValue()), "");
  EXPECT_EQ(otlp_hex(std::string("\x00\xab\xff", 3)), "00abff");
}

}  // namespace
}  // namespace strata::remote
