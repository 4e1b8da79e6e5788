#include "promql/parser/go_format.h"

#include <cmath>

#include <gtest/gtest.h>

namespace strata::promql::parser {
namespace {

TEST(GoFormatTest, NumbersLikeParseIntThenParseFloat) {
  double v;
  std::string err;
  ASSERT_TRUE(parse_go_number("017", &v, &err));
  EXPECT_EQ(v, 15);
  ASSERT_TRUE(parse_go_number("08", &v, &err));
  EXPECT_EQ(v, 8);
  ASSERT_TRUE(parse_go_number("0x1F", &v, &err));
  EXPECT_EQ(v, 31);
  ASSERT_TRUE(parse_go_number("1e-500", &v, &err));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(parse_go_number("1e500", &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "1e500": value out of range)");
  EXPECT_FALSE(parse_go_number("0x8000000000000000", &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "0x8000000000000000": invalid syntax)");
  EXPECT_FALSE(parse_go_number("1e", &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "1e": invalid syntax)");
  EXPECT_EQ(format_float_f(1e21), "1000000000000000000000");
  EXPECT_EQ(format_float_f(-1.5, 3), "-1.500");
  EXPECT_EQ(format_float_f(-INFINITY, 6), "-Inf");
}

}  // namespace
}  // namespace strata::promql::parser
