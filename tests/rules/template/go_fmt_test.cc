// Go's fmt over template values: verbs, flags and the error forms, with
// outputs as Go 1.19 prints them.
#include "rules/template/go_fmt.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace strata::rules::tmpl {
namespace {

Value F(double v) { return Value::floating(v); }
Value I(int64_t v) { return Value::integer(v); }
Value S(std::string v) { return Value::string(std::move(v)); }

TEST(GoFmtTest, FloatsPrintLikeGo) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* format;
    double v;
    const char* want;
  } cases[] = {
      {"%v", 1e6, "1e+06"},
      {"%v", 100000, "100000"},
      {"%v", 0.1, "0.1"},
      {"%v", 123456789, "1.23456789e+08"},
      {"%v", 1e-05, "1e-05"},
      {"%v", -1.5, "-1.5"},
      {"%v", inf, "+Inf"},
      {"%v", -inf, "-Inf"},
      {"%v", nan, "NaN"},
      {"%f", inf, "+Inf"},
      {"%5.1f", nan, "  NaN"},
      {"%+f", nan, "+NaN"},
      {"%08.2f", -inf, "    -Inf"},
      {"%08.3f", -3.14159, "-003.142"},
      {"%+.1f", 2.5, "+2.5"},
      {"% f", 1, " 1.000000"},
      {"%e", 1234.5678, "1.234568e+03"},
      {"%G", 1e-7, "1E-07"},
      {"%.3g", 1234.5678, "1.23e+03"},
      {"%.4g", 100000, "1e+05"},
      {"%g", 1e21, "1e+21"},
      {"%.0f", 0.5, "0"},
      {"%.0f", 1.5, "2"},
      {"%x", 1.5, "0x1.8p+00"},
      {"%#x", 1.5, "0x1.8000p+00"},
      {"%#g", 1.0, "1.00000"},
      {"%b", 1, "4503599627370496p-52"},
      {"%6.2v", 3.14159, "   3.1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.format);
    EXPECT_EQ(go_sprintf(c.format, {F(c.v)}), c.want);
  }
}

TEST(GoFmtTest, IntegersAndStrings) {
  EXPECT_EQ(go_sprintf("%d|%5d|%-5d|%05d|%+d|% d", {I(42), I(42), I(42), I(-42), I(42), I(42)}),
            "42|   42|42   |-0042|+42| 42");
  EXPECT_EQ(go_sprintf("%x|%X|%#x|%o|%#o|%b|%c|%q|%U|%.3d",
                       {I(255), I(255), I(255), I(8), I(8), I(5), I(0x65E5), I(65), I(65), I(7)}),
            "ff|FF|0xff|10|010|101|日|'A'|U+0041|007");
  EXPECT_EQ(
      go_sprintf("%s|%q|%x|% x|%10s|%-4s|%.2s|%05s",
                 {S("héllo"), S("a\"b\n"), S("hi"), S("hi"), S("r"), S("l"), S("日本語"), S("ab")}),
      "héllo|\"a\\\"b\\n\"|6869|68 69|         r|l   |日本|000ab");
  EXPECT_EQ(
      go_sprintf("%t|%v|%5t", {Value::boolean(true), Value::boolean(false), Value::boolean(true)}),
      "true|false| true");
}

TEST(GoFmtTest, ErrorForms) {
  EXPECT_EQ(go_sprintf("%d", {S("x")}), "%!d(string=x)");
  EXPECT_EQ(go_sprintf("%5d", {S("x")}), "%!d(string=    x)");
  EXPECT_EQ(go_sprintf("%s", {F(1.5)}), "%!s(float64=1.5)");
  EXPECT_EQ(go_sprintf("%s", {I(1)}), "%!s(int=1)");
  EXPECT_EQ(go_sprintf("%d", {Value::nil()}), "%!d(<nil>)");
  EXPECT_EQ(go_sprintf("%v", {Value::nil()}), "<nil>");
  EXPECT_EQ(go_sprintf("%d %d", {I(1)}), "1 %!d(MISSING)");
  EXPECT_EQ(go_sprintf("%d", {I(1), I(2), S("x"), Value::nil()}),
            "1%!(EXTRA int=2, string=x, <nil>)");
  EXPECT_EQ(go_sprintf("%!", {}), "%!!(MISSING)");
  EXPECT_EQ(go_sprintf("%", {}), "%!(NOVERB)");
  EXPECT_EQ(go_sprintf("%z", {I(1)}), "%!z(int=1)");
  EXPECT_EQ(go_sprintf("%[3]d", {I(1)}), "%!d(BADINDEX)");
  EXPECT_EQ(go_sprintf("%[2]d %[1]d", {I(1), I(2)}), "2 1");
  EXPECT_EQ(go_sprintf("%*d|%-*d|", {I(5), I(1), I(5), I(2)}), "    1|2    |");
  EXPECT_EQ(go_sprintf("%*d", {S("x"), I(1)}), "%!(BADWIDTH)1");
  EXPECT_EQ(go_sprintf("%.*d", {S("x"), I(1)}), "%!(BADPREC)1");
  EXPECT_EQ(go_sprintf("%%|%5%", {}), "%|%");
  // Widths beyond Go's limit of 1e6 end the verb (NOVERB), as in Go.
  EXPECT_EQ(go_sprintf("%99999999d", {I(1)}), "%!(NOVERB)%!(EXTRA int=1)");
}

TEST(GoFmtTest, MapsAndSprint) {
  auto labels = std::make_shared<tsdb::Labels>(tsdb::Labels::from_strings({"b", "2", "a", "x y"}));
  Value m = Value::label_map(labels);
  EXPECT_EQ(go_sprintf("%v|%s|%d|%q", {m, m, m, m}),
            "map[a:x y b:2]|map[a:x y b:2]|map[%!d(string=a):%!d(string=x y) "
            "%!d(string=b):%!d(string=2)]|map[\"a\":\"x y\" \"b\":\"2\"]");
  EXPECT_EQ(go_sprintf("%#v", {m}), "map[string]string{\"a\":\"x y\", \"b\":\"2\"}");
  EXPECT_EQ(go_sprintf("%T %T %T", {m, Value::html("x"), Value::query_result(nullptr)}),
            "map[string]string template.HTML template.queryResult");
  EXPECT_EQ(go_sprint({I(1), I(2), S("a"), S("b"), I(3), F(1.5)}), "1 2ab3 1.5");
  EXPECT_EQ(go_sprintln({I(1), S("a"), S("b")}), "1 a b\n");
  auto s = std::make_shared<Sample>(Sample{tsdb::Labels::from_strings({"__name__", "up"}), 1});
  EXPECT_EQ(go_sprint({Value::sample(s)}), "&{map[__name__:up] 1}");
  EXPECT_EQ(printable(Value::sample(s)), "{map[__name__:up] 1}");
  EXPECT_EQ(printable(Value()), "<no value>");
  EXPECT_EQ(printable(Value::time_ms(1500)), "1970-01-01 00:00:01.5 +0000 UTC");
  EXPECT_EQ(printable(Value::time_ms(-1500)), "1969-12-31 23:59:58.5 +0000 UTC");
}

}  // namespace
}  // namespace strata::rules::tmpl
