#include "base/go_quote.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(GoQuoteTest, QuoteLikeStrconv) {
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

}  // namespace
}  // namespace strata
