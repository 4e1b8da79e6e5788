// Printing back to PromQL in both dialects. The bulk of the printer's checks
// are the golden format_query outputs in corpus_test.cc.
#include "promql/parser/printer.h"

#include <gtest/gtest.h>

#include "promql/parser/parser.h"

namespace strata::promql::parser {
namespace {

std::string print(std::string_view q, Compat c) {
  auto e = parse_expr(q, ParseOptions{c, true});
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? to_string(**e, c) : "";
}

TEST(PrinterTest, SelectorsAndModifiers) {
  for (Compat c : {Compat::kV2, Compat::kV3}) {
    EXPECT_EQ(print(R"(x{b="1",a=~"2"} @ 100 offset 5m)", c), R"(x{a=~"2",b="1"} @ 100.000 offset 5m)");
    EXPECT_EQ(print("x offset -90m", c), "x offset -1h30m");
    EXPECT_EQ(print("rate(x[1h30m] @ end() offset 1w)", c), "rate(x[1h30m] @ end() offset 1w)");
    EXPECT_EQ(print("x[1d:1m] offset 1500ms", c), "x[1d:1m] offset 1s500ms");
    EXPECT_EQ(print("x @ 0.0015", c), "x @ 0.002");
    EXPECT_EQ(print(R"({__name__="x", a="b"})", c), R"({__name__="x",a="b"})");
    EXPECT_EQ(print(R"(x{a="\u00a0\x00é\"'"})", c), R"(x{a="\u00a0\x00é\"'"})");
    EXPECT_EQ(print(R"("\xff")", c), R"("\xff")");
    // Go's strconv.Quote keeps U+FFFD as a printable rune, and the lexer
    // rejects that rune in a string: Prometheus' format_query turns "\ufffd"
    // into text it will not parse. Same output here (fuzz seed crash-ufffd).
    EXPECT_EQ(print(R"("\ufffd")", c), "\"\xEF\xBF\xBD\"");
    EXPECT_FALSE(parse_expr("\"\xEF\xBF\xBD\"", ParseOptions{c, true}).ok());
  }
}

TEST(PrinterTest, OperatorsAndAggregations) {
  for (Compat c : {Compat::kV2, Compat::kV3}) {
    EXPECT_EQ(print("a>bool on(x,y)group_right(z)b", c), "a > bool on (x, y) group_right (z) b");
    EXPECT_EQ(print("sum(x)by(a,b)", c), "sum by (a, b) (x)");
    EXPECT_EQ(print("sum by () (x)", c), "sum(x)");
    EXPECT_EQ(print("sum without () (x)", c), "sum without () (x)");
    EXPECT_EQ(print("topk(5,x)", c), "topk(5, x)");
    EXPECT_EQ(print("- -x", c), "--x");
    EXPECT_EQ(print("1 + on() group_left x", c), "1 + x");  // matching dropped for scalars
  }
}

TEST(PrinterTest, DialectDifferences) {
  // 2.42 prints numbers like %g and loses `ignoring() group_left`.
  EXPECT_EQ(print("1234567 * x", Compat::kV2), "1.234567e+06 * x");
  EXPECT_EQ(print("1234567 * x", Compat::kV3), "1234567 * x");
  EXPECT_EQ(print("0.00001", Compat::kV2), "1e-05");
  EXPECT_EQ(print("0.00001", Compat::kV3), "0.00001");
  EXPECT_EQ(print("a + ignoring() group_left b", Compat::kV2), "a + b");
  EXPECT_EQ(print("a + ignoring() group_left b", Compat::kV3), "a + ignoring () group_left () b");
  EXPECT_EQ(print(R"(sum by ("a.b") ({"c.d"="e"}))", Compat::kV3), R"(sum by ("a.b") ({"c.d"="e"}))");
  EXPECT_EQ(print("x offset 90 + 5m", Compat::kV3), "x offset 1m30s + 5m");
  EXPECT_EQ(print("Inf - -Inf + NaN", Compat::kV2), "+Inf - -Inf + NaN");
}

TEST(PrinterTest, PrettySplitsLongLines) {
  auto e = parse_expr(
      "sum by (job) (rate(http_requests_total{job=\"api-server\", handler=~\"/api/v1/query.*\"}[5m])) / "
      "on(job) group_left() sum by (job) (rate(http_requests_total[5m]))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(pretty(**e),
            "  sum by (job) (rate(http_requests_total{handler=~\"/api/v1/query.*\",job=\"api-server\"}[5m]))\n"
            "/ on (job) group_left ()\n"
            "  sum by (job) (rate(http_requests_total[5m]))");
  auto short_one = parse_expr("sum(rate(x[5m]))");
  EXPECT_EQ(pretty(**short_one), "sum(rate(x[5m]))");
}

}  // namespace
}  // namespace strata::promql::parser
