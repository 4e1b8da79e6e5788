// Table tests of the exposition parsers: every construct of both formats with
// the entries it parses into, every case of testdata/cases.tsv with its exact
// error (check_with_prometheus.py holds the same table against Prometheus
// 2.42), Content-Type selection, and the copy-free label views.
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"
#include "tests/scrape/textparse/dump.h"

namespace strata::scrape::textparse {
namespace {

using testing::parse_all;
using testing::Parsed;
using V = std::vector<std::string>;

Parsed text(std::string_view body) { return parse_all(Format::kPrometheusText, body); }
Parsed om(std::string_view body) { return parse_all(Format::kOpenMetrics, body); }

// ---------------------------------------------------------------------------
// The text format.

TEST(TextParsePromText, MetadataCommentsAndSeries) {
  Parsed p = text(
      "# HELP http_requests_total The total. \\\\ and \\n and \\\" stay\n"
      "# TYPE http_requests_total counter\n"
      "# a comment\n"
      "#no blank after the hash\n"
      "\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "http_requests_total{method=\"post\",code=\"400\",}    3   1395066363000\n"
      "\t\n"
      "metric_without_labels 12.47\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(help "http_requests_total" "The total. \\ and \n and \\\" stay")",
      R"(type "http_requests_total" counter)",
      R"(comment "# a comment")",
      R"(comment "#no blank after the hash")",
      R"(series "__name__"="http_requests_total" "method"="post" "code"="200" 1027 @1395066363000)",
      R"(series "__name__"="http_requests_total" "method"="post" "code"="400" 3 @1395066363000)",
      R"(series "__name__"="metric_without_labels" 12.47)",
  }));
}

TEST(TextParsePromText, Types) {
  Parsed p = text("# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n# TYPE d summary\n# TYPE e untyped\n");
  EXPECT_EQ(p.entries, (V{R"(type "a" counter)", R"(type "b" gauge)", R"(type "c" histogram)",
                          R"(type "d" summary)", R"(type "e" unknown)"}));
  EXPECT_EQ(text("# TYPE a info\n").error, "invalid metric type \"info\"");
  EXPECT_EQ(text("# TYPE a unknown\n").error, "invalid metric type \"unknown\"");
}

TEST(TextParsePromText, HelpForms) {
  EXPECT_EQ(text("# HELP a\n").entries, V{R"(help "a" "")"});
  EXPECT_EQ(text("# HELP a   \n").entries, V{R"(help "a" "")"});
  EXPECT_EQ(text("# HELP a  two blanks\n").entries, V{R"(help "a" " two blanks")"});
  EXPECT_EQ(text("# HELP a x\\ty\n").entries, V{R"(help "a" "x\\ty")"});
  // `# HELP` without a name and a blank after it is a comment.
  EXPECT_EQ(text("# HELP\n# HELPx y\n").entries, (V{R"(comment "# HELP")", R"(comment "# HELPx y")"}));
}

TEST(TextParsePromText, LabelValueEscapes) {
  Parsed p = text("a{b=\"x\\\"y\\\\z\\nw\\tv\"} 1\n");
  EXPECT_EQ(p.entries, V{R"(series "__name__"="a" "b"="x\"y\\z\nw\\tv" 1)"});
  // A raw newline inside a label value is taken as it is.
  EXPECT_EQ(text("a{b=\"x\ny\"} 1\n").entries, V{R"(series "__name__"="a" "b"="x\ny" 1)"});
}

TEST(TextParsePromText, Floats) {
  Parsed p = text("a NaN\nb +Inf\nc -Inf\nd inf\ne 1e3\nf .5\ng 5.\nh -0\ni Infinity\nj 1E-3\nk 0001\nl 1e-400\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(series "__name__"="a" NaN)", R"(series "__name__"="b" +Inf)", R"(series "__name__"="c" -Inf)",
      R"(series "__name__"="d" +Inf)", R"(series "__name__"="e" 1000)", R"(series "__name__"="f" 0.5)",
      R"(series "__name__"="g" 5)", R"(series "__name__"="h" -0)", R"(series "__name__"="i" +Inf)",
      R"(series "__name__"="j" 0.001)", R"(series "__name__"="k" 1)", R"(series "__name__"="l" 0)"}));
  EXPECT_EQ(text("a 1e999\n").error, "strconv.ParseFloat: parsing \"1e999\": value out of range");
  EXPECT_EQ(text("a -NaN\n").error, "strconv.ParseFloat: parsing \"-NaN\": invalid syntax");
  EXPECT_EQ(text("a 0x1p3\n").error, "unsupported character in float");
  EXPECT_EQ(text("a 0x10\n").error, "strconv.ParseFloat: parsing \"0x10\": invalid syntax");
}

TEST(TextParsePromText, NaNIsPrometheusNormalNaN) {
  auto p = Parser::create(Format::kPrometheusText, "a NaN\n");
  ASSERT_EQ(*p->next(), Entry::kSeries);
  uint64_t bits;
  double v = p->value();
  std::memcpy(&bits, &v, sizeof bits);
  EXPECT_EQ(bits, 0x7ff8000000000001ULL);
}

TEST(TextParsePromText, Timestamps) {
  EXPECT_EQ(text("a 1 9223372036854775807\n").entries, V{R"(series "__name__"="a" 1 @9223372036854775807)"});
  EXPECT_EQ(text("a 1 0\n").entries, V{R"(series "__name__"="a" 1 @0)"});
  EXPECT_EQ(text("a 1 9223372036854775808\n").error,
            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
  EXPECT_EQ(text("a 1 -1\n").error, "expected timestamp or new record, got \"INVALID\"");
}

TEST(TextParsePromText, BlanksAndLineEnds) {
  EXPECT_EQ(text("a { b = \"c\" , d=\"e\" } 1 2").entries,
            V{R"(series "__name__"="a" "b"="c" "d"="e" 1 @2)"});
  EXPECT_EQ(text("a\t1\t2\n").entries, V{R"(series "__name__"="a" 1 @2)"});
  EXPECT_EQ(text("a{b=\"c\"}1\n").entries, V{R"(series "__name__"="a" "b"="c" 1)"});
  EXPECT_EQ(text("").entries, V{});
  EXPECT_EQ(text("\n\n").entries, V{});
  // A NUL byte where a line starts ends the body, as in Prometheus.
  EXPECT_EQ(text(std::string_view("a 1\n\0garbage\n", 14)).entries, V{R"(series "__name__"="a" 1)"});
}

TEST(TextParsePromText, QuotedUtf8Names) {
  Parsed p = text(
      "# HELP \"my.metric\" Help for it.\n"
      "# TYPE \"my.metric\" gauge\n"
      "{\"my.metric\",\"a.b\"=\"v\",c=\"d\"} 1\n"
      "{a=\"b\", \"my.metric\"} 2\n"
      "{\"with \\\"quotes\\\" and \\\\\"} 3\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(help "my.metric" "Help for it.")",
      R"(type "my.metric" gauge)",
      R"(series "__name__"="my.metric" "a.b"="v" "c"="d" 1)",
      R"(series "__name__"="my.metric" "a"="b" 2)",
      R"(series "__name__"="with \"quotes\" and \\" 3)",
  }));
}

TEST(TextParsePromText, LeAndQuantileNormalized) {
  Parsed p = text(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"1e+06\"} 1\n"
      "h_bucket{le=\"100000\"} 1\nh_bucket{le=\"+inf\"} 1\nh_bucket{le=\"x\"} 1\n"
      "# TYPE s summary\ns{quantile=\"0\"} 1\ns{le=\"1\"} 1\n"
      "# TYPE c counter\nc{le=\"1\"} 1\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(type "h" histogram)",
      R"(series "__name__"="h_bucket" "le"="1.0" 1)",
      R"(series "__name__"="h_bucket" "le"="0.5" 1)",
      R"(series "__name__"="h_bucket" "le"="1e+06" 1)",
      R"(series "__name__"="h_bucket" "le"="100000.0" 1)",
      R"(series "__name__"="h_bucket" "le"="+Inf" 1)",
      R"(series "__name__"="h_bucket" "le"="x" 1)",
      R"(type "s" summary)",
      R"(series "__name__"="s" "quantile"="0.0" 1)",
      R"(series "__name__"="s" "le"="1" 1)",
      R"(type "c" counter)",
      R"(series "__name__"="c" "le"="1" 1)",
  }));
}

TEST(TextParsePromText, SeriesIsTheWrittenKey) {
  std::string body = "a{b=\"c\",} 1 2\nd 3\n{\"e.f\"} 4\n";
  auto p = Parser::create(Format::kPrometheusText, body);
  ASSERT_EQ(*p->next(), Entry::kSeries);
  EXPECT_EQ(p->series(), "a{b=\"c\",}");
  ASSERT_EQ(*p->next(), Entry::kSeries);
  EXPECT_EQ(p->series(), "d");
  ASSERT_EQ(*p->next(), Entry::kSeries);
  EXPECT_EQ(p->series(), "{\"e.f\"}");
  EXPECT_EQ(*p->next(), Entry::kEof);
  EXPECT_EQ(*p->next(), Entry::kEof);
}

TEST(TextParsePromText, ErrorsAreSticky) {
  auto p = Parser::create(Format::kPrometheusText, "a 1\nb{\n");
  ASSERT_EQ(*p->next(), Entry::kSeries);
  absl::StatusOr<Entry> e = p->next();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p->next().status(), e.status());
}

// ---------------------------------------------------------------------------
// OpenMetrics.

TEST(TextParseOpenMetrics, Families) {
  Parsed p = om(
      "# TYPE acme_http_router_request_seconds summary\n"
      "# UNIT acme_http_router_request_seconds seconds\n"
      "# HELP acme_http_router_request_seconds Latency \\\"quoted\\\" \\\\ \\n.\n"
      "acme_http_router_request_seconds_sum{path=\"/api/v1\",method=\"GET\"} 9036.32\n"
      "acme_http_router_request_seconds_count{path=\"/api/v1\",method=\"GET\"} 807283.0\n"
      "acme_http_router_request_seconds_created{path=\"/api/v1\",method=\"GET\"} 1605281325.0\n"
      "# TYPE go_goroutines gauge\n"
      "go_goroutines 69\n"
      "# TYPE process_cpu_seconds counter\n"
      "# UNIT process_cpu_seconds seconds\n"
      "process_cpu_seconds_total 4.20072246e+06\n"
      "# TYPE build info\n"
      "build_info{version=\"1.0\"} 1\n"
      "# TYPE door stateset\n"
      "door{door=\"open\"} 1\n"
      "door{door=\"closed\"} 0\n"
      "# TYPE q gaugehistogram\n"
      "q_bucket{le=\"+Inf\"} 3\n"
      "q_gcount 3\n"
      "q_gsum 10\n"
      "# TYPE u unknown\n"
      "u 1\n"
      "# EOF\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(type "acme_http_router_request_seconds" summary)",
      R"(unit "acme_http_router_request_seconds" "seconds")",
      R"(help "acme_http_router_request_seconds" "Latency \"quoted\" \\ \n.")",
      R"(series "__name__"="acme_http_router_request_seconds_sum" "path"="/api/v1" "method"="GET" 9036.32)",
      R"(series "__name__"="acme_http_router_request_seconds_count" "path"="/api/v1" "method"="GET" 807283)",
      R"(series "__name__"="acme_http_router_request_seconds_created" "path"="/api/v1" "method"="GET" 1.605281325e+09)",
      R"(type "go_goroutines" gauge)",
      R"(series "__name__"="go_goroutines" 69)",
      R"(type "process_cpu_seconds" counter)",
      R"(unit "process_cpu_seconds" "seconds")",
      R"(series "__name__"="process_cpu_seconds_total" 4.20072246e+06)",
      R"(type "build" info)",
      R"(series "__name__"="build_info" "version"="1.0" 1)",
      R"(type "door" stateset)",
      R"(series "__name__"="door" "door"="open" 1)",
      R"(series "__name__"="door" "door"="closed" 0)",
      R"(type "q" gaugehistogram)",
      R"(series "__name__"="q_bucket" "le"="+Inf" 3)",
      R"(series "__name__"="q_gcount" 3)",
      R"(series "__name__"="q_gsum" 10)",
      R"(type "u" unknown)",
      R"(series "__name__"="u" 1)",
  }));
}

TEST(TextParseOpenMetrics, TimestampsAreSeconds) {
  Parsed p = om("a 1 1.5\nb 1 -1.5\nc 1 1e3\nd 1 1520879607.789\ne 1 1e300\n# EOF");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(series "__name__"="a" 1 @1500)", R"(series "__name__"="b" 1 @-1500)",
      R"(series "__name__"="c" 1 @1000000)", R"(series "__name__"="d" 1 @1520879607789)",
      // Go's int64() of a value out of range on amd64.
      R"(series "__name__"="e" 1 @-9223372036854775808)"}));
  EXPECT_EQ(om("a 1 NaN\n# EOF\n").error, "invalid timestamp");
}

TEST(TextParseOpenMetrics, Exemplars) {
  Parsed p = om(
      "# TYPE foo histogram\n"
      "foo_bucket{le=\"0.01\"} 0\n"
      "foo_bucket{le=\"0.1\"} 8 # {} 0.054\n"
      "foo_bucket{le=\"1\"} 11 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n"
      "foo_bucket{le=\"10\"} 17 # {trace_id=\"oHg5SJYRHA0\",\"span.id\"=\"a\\\"b\"} 9.8 1520879607.789\n"
      "foo_bucket{le=\"+Inf\"} 17 123 # {a=\"b\"} NaN 1.5\n"
      "foo_count 17\n"
      "# TYPE g gauge\n"
      "g 1 # {a=\"b\"} 2\n"
      "# EOF\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(type "foo" histogram)",
      R"(series "__name__"="foo_bucket" "le"="0.01" 0)",
      R"(series "__name__"="foo_bucket" "le"="0.1" 8 # {} 0.054)",
      R"(series "__name__"="foo_bucket" "le"="1.0" 11 # {"trace_id"="KOO5S4vxi0o" } 0.67)",
      R"(series "__name__"="foo_bucket" "le"="10.0" 17 # {"trace_id"="oHg5SJYRHA0" "span.id"="a\"b" } 9.8 @1520879607789)",
      R"(series "__name__"="foo_bucket" "le"="+Inf" 17 @123000 # {"a"="b" } NaN @1500)",
      R"(series "__name__"="foo_count" 17)",
      R"(type "g" gauge)",
      R"(series "__name__"="g" 1 # {"a"="b" } 2)",
  }));
}

TEST(TextParseOpenMetrics, EofRules) {
  EXPECT_EQ(om("# EOF").entries, V{});
  EXPECT_EQ(om("# EOF\n").error, "");
  EXPECT_EQ(om("").error, "data does not end with # EOF");
  EXPECT_EQ(om("a 1\n").error, "data does not end with # EOF");
  EXPECT_EQ(om("# EOF\n\n").error, "unexpected data after # EOF");
  EXPECT_EQ(om("# EOF \n").error, "unexpected data after # EOF");
}

TEST(TextParseOpenMetrics, QuotedNamesAndTrailingComma) {
  Parsed p = om(
      "# TYPE \"my.counter\" counter\n"
      "{\"my.counter_total\",\"a.b\"=\"v\",} 1\n"
      "{a=\"b\",\"my.counter_total\"} 2\n"
      "x{a=\"b\",} 3\n"
      "# EOF\n");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.entries, (V{
      R"(type "my.counter" counter)",
      R"(series "__name__"="my.counter_total" "a.b"="v" 1)",
      R"(series "__name__"="my.counter_total" "a"="b" 2)",
      R"(series "__name__"="x" "a"="b" 3)",
  }));
}

TEST(TextParseOpenMetrics, UnitMustEndTheName) {
  EXPECT_EQ(om("# UNIT a_seconds seconds\n# EOF\n").error, "");
  EXPECT_EQ(om("# UNIT a \n# EOF\n").entries, V{R"(unit "a" "")"});
  EXPECT_EQ(om("# UNIT aseconds seconds\n# EOF\n").error, "unit not a suffix of metric \"aseconds\"");
  EXPECT_EQ(om("# UNIT seconds seconds\n# EOF\n").error, "unit not a suffix of metric \"seconds\"");
}

// ---------------------------------------------------------------------------
// The shared case table (check_with_prometheus.py checks it against 2.42).

std::string unescape_body(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char n = s[++i];
    if (n == 'n') out.push_back('\n');
    else if (n == 't') out.push_back('\t');
    else if (n == 'r') out.push_back('\r');
    else if (n == '\\') out.push_back('\\');
    else if (n == 'x') {
      out.push_back(char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      ADD_FAILURE() << "bad escape in " << s;
    }
  }
  return out;
}

TEST(TextParseCaseTable, EveryCaseGivesItsError) {
  std::ifstream in(TEXTPARSE_TESTDATA "/cases.tsv");
  ASSERT_TRUE(in) << TEXTPARSE_TESTDATA "/cases.tsv";
  std::string line;
  int cases = 0, errors = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() == 3) cols.push_back("");  // getline drops an empty last column
    ASSERT_EQ(cols.size(), 4u) << line;
    Format f = cols[1] == "om" ? Format::kOpenMetrics : Format::kPrometheusText;
    std::string body = unescape_body(cols[2]);
    EXPECT_EQ(parse_all(f, body).error, cols[3]) << "case " << cols[0];
    ++cases;
    errors += !cols[3].empty();
  }
  EXPECT_GT(cases, 150);
  EXPECT_GT(errors, 100);
}

// ---------------------------------------------------------------------------
// Content-Type.

TEST(TextParseContentType, AsPrometheus3) {
  using F = std::optional<Format>;
  EXPECT_EQ(format_for_content_type("text/plain; version=0.0.4; charset=utf-8"), F(Format::kPrometheusText));
  EXPECT_EQ(format_for_content_type("text/plain"), F(Format::kPrometheusText));
  EXPECT_EQ(format_for_content_type("Text/Plain;Version=1.0.0;escaping=allow-utf-8"), F(Format::kPrometheusText));
  EXPECT_EQ(format_for_content_type("  text/plain ; charset=\"utf-8\" ;"), F(Format::kPrometheusText));
  EXPECT_EQ(format_for_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            F(Format::kOpenMetrics));
  EXPECT_EQ(format_for_content_type("application/openmetrics-text; version=0.0.1"), F(Format::kOpenMetrics));
  EXPECT_EQ(format_for_content_type("APPLICATION/OPENMETRICS-TEXT"), F(Format::kOpenMetrics));
  EXPECT_EQ(format_for_content_type(""), std::nullopt);
  EXPECT_EQ(format_for_content_type("text/html"), std::nullopt);
  EXPECT_EQ(format_for_content_type("text"), std::nullopt);
  EXPECT_EQ(format_for_content_type("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
                                    "encoding=delimited"),
            std::nullopt);
  // What Go's mime.ParseMediaType refuses.
  EXPECT_EQ(format_for_content_type("text/plain; version=0.0.4; version=1"), std::nullopt);  // duplicate
  EXPECT_EQ(format_for_content_type("text/plain; version"), std::nullopt);
  EXPECT_EQ(format_for_content_type("text/plain; a=\"unterminated"), std::nullopt);
  EXPECT_EQ(format_for_content_type("text/"), std::nullopt);
  EXPECT_EQ(format_for_content_type("text/plain/x"), std::nullopt);
  EXPECT_EQ(format_for_content_type("/plain"), std::nullopt);
}

TEST(TextParseMetricType, Names) {
  EXPECT_STREQ(metric_type_name(MetricType::kUnknown), "unknown");
  EXPECT_STREQ(metric_type_name(MetricType::kCounter), "counter");
  EXPECT_STREQ(metric_type_name(MetricType::kGauge), "gauge");
  EXPECT_STREQ(metric_type_name(MetricType::kHistogram), "histogram");
  EXPECT_STREQ(metric_type_name(MetricType::kGaugeHistogram), "gaugehistogram");
  EXPECT_STREQ(metric_type_name(MetricType::kSummary), "summary");
  EXPECT_STREQ(metric_type_name(MetricType::kInfo), "info");
  EXPECT_STREQ(metric_type_name(MetricType::kStateset), "stateset");
}

// ---------------------------------------------------------------------------
// Views.

bool inside(std::string_view body, std::string_view v) {
  return v.data() >= body.data() && v.data() + v.size() <= body.data() + body.size();
}

TEST(TextParseViews, PlainLabelsPointIntoTheBody) {
  std::string body = "# TYPE h histogram\nh_bucket{a=\"x\",le=\"0.5\"} 1\n";
  auto p = Parser::create(Format::kPrometheusText, body);
  ASSERT_EQ(*p->next(), Entry::kType);
  ASSERT_EQ(*p->next(), Entry::kSeries);
  std::vector<tsdb::LabelView> labels;
  p->labels(&labels);
  ASSERT_EQ(labels.size(), 3u);
  for (size_t i = 1; i < labels.size(); ++i) {
    EXPECT_TRUE(inside(body, labels[i].first));
    EXPECT_TRUE(inside(body, labels[i].second));
  }
  EXPECT_TRUE(inside(body, labels[0].second));  // the metric name
}

TEST(TextParseViews, ManyEscapedLabelsStayValid) {
  // Enough unescaped texts that a growing buffer would move under earlier views.
  std::string body = "# TYPE h histogram\nh{";
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    std::string n = std::to_string(i);
    body.append("l").append(n).append("=\"v\\\\").append(n).append("\\n\",");
    want.push_back("v\\" + std::to_string(i) + "\n");
  }
  body += "le=\"1\"} 1 # not an exemplar in the text format\n";
  auto p = Parser::create(Format::kPrometheusText, body);
  ASSERT_EQ(*p->next(), Entry::kType);
  absl::StatusOr<Entry> e = p->next();
  ASSERT_FALSE(e.ok());  // `#` after the value
  std::string fixed = body.substr(0, body.find(" # ")) + "\n";
  p = Parser::create(Format::kPrometheusText, fixed);
  ASSERT_EQ(*p->next(), Entry::kType);
  ASSERT_EQ(*p->next(), Entry::kSeries);
  std::vector<tsdb::LabelView> labels;
  p->labels(&labels);
  ASSERT_EQ(labels.size(), 202u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(labels[i + 1].second, want[i]);
  EXPECT_EQ(labels[201].second, "1.0");
}

}  // namespace
}  // namespace strata::scrape::textparse
