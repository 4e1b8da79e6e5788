#include "promql/parser/series_desc.h"

#include <cmath>

#include <gtest/gtest.h>

namespace strata::promql::parser {
namespace {

std::vector<double> values(const SeriesDesc& d) {
  std::vector<double> out;
  for (const auto& v : d.values) out.push_back(v.omitted ? -999 : v.value);
  return out;
}

TEST(SeriesDescTest, ExpandsArithmeticSequences) {
  auto d = parse_series_desc(R"(http_requests{job="api", instance="0"}  0+10x4)");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->labels.to_string(), R"({__name__="http_requests", instance="0", job="api"})");
  EXPECT_EQ(values(*d), (std::vector<double>{0, 10, 20, 30, 40}));
  EXPECT_EQ(values(*parse_series_desc("x -1-2x2")), (std::vector<double>{-1, -3, -5}));
  EXPECT_EQ(values(*parse_series_desc("x 1.5x2")), (std::vector<double>{1.5, 1.5, 1.5}));
  EXPECT_EQ(values(*parse_series_desc("x 1e3+1e2x1")), (std::vector<double>{1000, 1100}));
}

TEST(SeriesDescTest, BlanksStaleAndSpecialValues) {
  auto d = parse_series_desc("other_metric 1 _ 3 stale _x2 Inf -inf NaN 1m");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->values.size(), 10u);
  EXPECT_TRUE(d->values[1].omitted);
  EXPECT_TRUE(is_stale_nan(d->values[3].value));
  EXPECT_TRUE(d->values[4].omitted && d->values[5].omitted);
  EXPECT_EQ(d->values[6].value, INFINITY);
  EXPECT_EQ(d->values[7].value, -INFINITY);
  EXPECT_TRUE(std::isnan(d->values[8].value) && !is_stale_nan(d->values[8].value));
  EXPECT_EQ(d->values[9].value, 60);
}

TEST(SeriesDescTest, LabelSets) {
  auto empty = parse_series_desc("{} 1");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->labels.empty());
  auto named = parse_series_desc(R"({__name__="x", a="b\n\"c\""} 1)");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->labels.metric_name(), "x");
  EXPECT_EQ(named->labels.get("a"), "b\n\"c\"");
  auto no_values = parse_series_desc("up{job='a'}");
  ASSERT_TRUE(no_values.ok());
  EXPECT_TRUE(no_values->values.empty());
  EXPECT_EQ(parse_series_desc("sum:rate5m{a=\"b\",} 1")->labels.metric_name(), "sum:rate5m");
  auto utf8 = parse_series_desc(R"({"http.requests", "service.name"="api", code="200"} 1)");
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  EXPECT_EQ(utf8->labels.to_string(),
            R"({__name__="http.requests", code="200", service.name="api"})");
}

TEST(SeriesDescTest, HistogramsAreCountedNotInterpreted) {
  auto d = parse_series_desc(
      "h {{schema:1 sum:3 count:22 buckets:[5 10 7]}}x2 _ {{}}+{{count:1}}x1 {{}}");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->has_histograms);
  ASSERT_EQ(d->values.size(), 7u);
  EXPECT_TRUE(d->values[0].histogram && d->values[2].histogram);
  EXPECT_TRUE(d->values[3].omitted);
  EXPECT_TRUE(d->values[4].histogram && d->values[6].histogram);
}

TEST(SeriesDescTest, Errors) {
  EXPECT_EQ(parse_series_desc("x 1 foo").status().message(),
            "1:5: parse error: unexpected \"foo\" in series values");
  EXPECT_EQ(parse_series_desc("x 1+2").status().message(),
            "1:3: parse error: unexpected \"1+2\" in series values");
  EXPECT_EQ(parse_series_desc("x{a=~\"b\"} 1").status().message(),
            "1:4: parse error: unexpected <op:=~> in label set, expected \"=\"");
  EXPECT_EQ(parse_series_desc("x{a=\"b\" 1").status().message(),
            "1:9: parse error: unexpected character inside braces: '1'");
  EXPECT_FALSE(parse_series_desc("x {{schema:1").ok());
  EXPECT_FALSE(parse_series_desc("").ok());
}

}  // namespace
}  // namespace strata::promql::parser
