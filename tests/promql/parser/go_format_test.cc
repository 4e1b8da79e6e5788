#include "promql/parser/go_format.h"

#include <cmath>

#include <gtest/gtest.h>

namespace strata::promql::parser {
namespace {

TEST(GoFormatTest, QuoteLikeStrconv) {
  EXPECT_EQ(go_quote("a\"b\\c\n\t"), R"("a\"b\\c\n\t")");
  EXPECT_EQ(go_quote("é😀"), "\"é😀\"");
  EXPECT_EQ(go_quote("\x01\x7f\u00a0\u2028"), R"("\x01\x7f\u00a0\u2028")");
  EXPECT_EQ(go_quote("\xff"), R"("\xff")");
  EXPECT_EQ(go_quote_prefix("\"abcdefghijklmno\"", 10), R"("\"abcdefghi")");
  EXPECT_EQ(go_quote_rune('}'), "'}'");
  EXPECT_EQ(go_quote_rune('\''), R"('\'')");
  EXPECT_EQ(go_quote_rune(-1), "'\xef\xbf\xbd'");  // end of input prints as U+FFFD
  EXPECT_EQ(go_unicode('q'), "U+0071 'q'");
  EXPECT_EQ(go_unicode('\n'), "U+000A");
}

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
