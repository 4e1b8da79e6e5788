// tools/dashlint: Grafana's substitution and the map back to the text as
// written, variable queries, datasource resolution and the expression
// checks, one table per unit.
#include <gtest/gtest.h>

#include <variant>

#include "promql/parser/parser.h"
#include "api/dashlint/dashboard.h"
#include "api/dashlint/datasource.h"
#include "api/dashlint/expr_checks.h"
#include "api/dashlint/interpolate.h"
#include "api/dashlint/lint.h"
#include "api/dashlint/variable_query.h"

namespace strata::dashlint {
namespace {

Dashboard load(const std::string& json) {
  auto d = parse_dashboard(json);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Dashboard{};
}

constexpr const char* kVariables = R"({"templating": {"list": [
  {"name": "job", "type": "custom", "query": "api,db.main", "multi": true, "includeAll": true,
   "current": {"text": "All", "value": "$__all"}},
  {"name": "one", "type": "custom", "query": "it's", "current": {"text": "it's", "value": "it's"}},
  {"name": "pick", "type": "custom", "query": "a.b,c", "multi": true,
   "current": {"text": ["a.b"], "value": ["a.b"]}},
  {"name": "inst", "type": "query", "includeAll": true, "allValue": ".*",
   "current": {"text": "All", "value": "$__all"}},
  {"name": "win", "type": "interval", "query": "1m,5m"},
  {"name": "k", "type": "constant", "query": "5"}
]}})";

TEST(InterpolateTest, SubstitutesAsGrafanaDoes) {
  Dashboard d = load(kVariables);
  VariableScope scope(d);
  SampleTimes t = sample_times(15'000, 3'600'000, 0);
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"$job", "(api|db\\\\.main)"},
      {"${job}", "(api|db\\\\.main)"},
      {"[[job]]", "(api|db\\\\.main)"},
      {"${job:regex}", "(api|db\\.main)"},
      {"${job:pipe}", "api|db.main"},
      {"${job:csv}", "api,db.main"},
      {"${job:glob}", "{api,db.main}"},
      {"${job:doublequote}", "\"api\",\"db.main\""},
      {"${job:text}", "All"},
      {"[[job:pipe]]", "api|db.main"},
      {"$one", "it\\\\'s"},
      {"$pick", "a\\\\.b"},
      {"$inst ${inst:regex}", ".* .*"},
      {"$win $k", "1m 5"},
      {"$__interval $__interval_ms $__rate_interval $__rate_interval_ms", "15s 15000 1m0s 60000"},
      {"$__range $__range_s $__range_ms ${__range}", "3600s 3600 3600000 3600s"},
      {"$nope ${nope} $1 $ ${ [[", "$nope ${nope} $1 $ ${ [["},
      {"$jobs", "$jobs"},  // \w+ takes the longest name
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(interpolate(c.in, scope, t).text, c.out);
  }
  Interpolated u = interpolate("${job:bogus} $nope", scope, t);
  ASSERT_EQ(u.refs.size(), 1u);
  EXPECT_TRUE(u.refs[0].unknown_format);
  EXPECT_EQ(u.text, "{api,db.main} $nope");  // glob, Grafana's fallback
  ASSERT_EQ(u.unknown.size(), 1u);
  EXPECT_EQ(u.unknown[0], std::make_pair(13, std::string("nope")));
}

TEST(InterpolateTest, MapsPositionsBackToTheTextAsWritten) {
  Dashboard d = load(kVariables);
  VariableScope scope(d);
  SampleTimes t;
  std::string src = "up{job=~\"$job\"}[$__rate_interval] )";
  Interpolated in = interpolate(src, scope, t);
  ASSERT_EQ(in.text, "up{job=~\"(api|db\\\\.main)\"}[1m0s] )");
  EXPECT_EQ(in.source_pos(0), 0);
  EXPECT_EQ(in.source_pos(8), 8);                                  // the quote
  EXPECT_EQ(in.source_pos(9), 9);                                  // inside $job's value
  EXPECT_EQ(in.source_pos(20), 9);
  EXPECT_EQ(in.source_pos(int(in.text.find('}'))), int(src.find('}')));
  EXPECT_EQ(in.source_pos(int(in.text.size()) - 1), int(src.size()) - 1);  // the last ")"
  EXPECT_EQ(in.source_pos(int(in.text.size())), int(src.size()));
  auto r = promql::parser::parse_expr_detailed(in.text);
  ASSERT_TRUE(std::holds_alternative<promql::parser::ParseError>(r));
  const auto& err = std::get<promql::parser::ParseError>(r);
  EXPECT_EQ(promql::parser::format_parse_error(src, in.source_pos(err.pos), err.message),
            "1:36: parse error: unexpected right parenthesis ')'");
}

TEST(InterpolateTest, SampleTimesFollowGrafana) {
  SampleTimes t = sample_times(15'000, 6 * 3'600'000, 0);
  EXPECT_EQ(t.interval_ms, 21'000);  // 6h over 1000 points
  EXPECT_EQ(t.rate_interval_ms, 60'000);
  t = sample_times(30'000, 3'600'000, 120'000);  // the panel's min interval wins
  EXPECT_EQ(t.interval_ms, 120'000);
  EXPECT_EQ(t.rate_interval_ms, 150'000);
}

TEST(VariableQueryTest, SplitsLikeGrafana) {
  struct Case {
    const char* q;
    VariableQueryKind kind;
    const char* arg;
    const char* label;
  } cases[] = {
      {"label_names()", VariableQueryKind::kLabelNames, "", ""},
      {"label_names(up{job=\"a\"})", VariableQueryKind::kLabelNames, "up{job=\"a\"}", ""},
      {"label_values(job)", VariableQueryKind::kLabelValues, "", "job"},
      {" label_values(up{a=\"x,y\"} , instance) ", VariableQueryKind::kLabelValues, "up{a=\"x,y\"}", "instance"},
      {"metrics(^http_.*)", VariableQueryKind::kMetrics, "^http_.*", ""},
      {"query_result(topk(3, up))", VariableQueryKind::kQueryResult, "topk(3, up)", ""},
      {"query_result()", VariableQueryKind::kSeries, "query_result()", ""},
      {"label_values(up, \"job\")", VariableQueryKind::kSeries, "label_values(up, \"job\")", ""},
      {"up{job=\"a\"}", VariableQueryKind::kSeries, "up{job=\"a\"}", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.q);
    VariableQuery v = parse_variable_query(c.q);
    EXPECT_EQ(v.kind, c.kind);
    EXPECT_EQ(std::string(c.q).substr(v.arg_start, v.arg_end - v.arg_start), c.arg);
    EXPECT_EQ(v.label, c.label);
  }
}

TEST(DatasourceTest, ResolvesInputsVariablesAndBuiltins) {
  Dashboard d = load(R"({
    "__inputs": [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"},
                 {"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"}],
    "templating": {"list": [{"name": "ds", "type": "datasource", "query": "prometheus"}]}})");
  DatasourceResolver r(d, {"known-uid"});
  auto ref = [](std::string type, std::string uid) { return DatasourceRef{true, type, uid}; };
  struct Case {
    DatasourceRef ref;
    DatasourceKind kind;
    bool unresolved;
    Severity severity;
  } cases[] = {
      {DatasourceRef{}, DatasourceKind::kPrometheus, false, Severity::kWarning},
      {ref("", "${DS_PROM}"), DatasourceKind::kPrometheus, false, Severity::kWarning},
      {ref("prometheus", "$ds"), DatasourceKind::kPrometheus, false, Severity::kWarning},
      {ref("", "[[ds]]"), DatasourceKind::kPrometheus, false, Severity::kWarning},
      {ref("", "${DS_LOKI}"), DatasourceKind::kOther, false, Severity::kWarning},
      {ref("loki", "abc"), DatasourceKind::kOther, false, Severity::kWarning},
      {ref("datasource", "-- Mixed --"), DatasourceKind::kMixed, false, Severity::kWarning},
      {ref("", "-- Grafana --"), DatasourceKind::kBuiltin, false, Severity::kWarning},
      {ref("datasource", "-- Dashboard --"), DatasourceKind::kBuiltin, false, Severity::kWarning},
      {ref("prometheus", "known-uid"), DatasourceKind::kPrometheus, false, Severity::kWarning},
      {ref("prometheus", "${DS_NONE}"), DatasourceKind::kPrometheus, true, Severity::kError},
      {ref("prometheus", "abc123"), DatasourceKind::kPrometheus, true, Severity::kWarning},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ref.uid);
    ResolvedDatasource got = r.resolve(c.ref);
    EXPECT_EQ(got.kind, c.kind);
    EXPECT_EQ(got.unresolved, c.unresolved);
    if (c.unresolved) EXPECT_EQ(got.severity, c.severity);
  }
}

std::vector<Check> checks_of(const std::string& expr, int64_t scrape_ms = 15'000) {
  Dashboard d = load(kVariables);
  VariableScope scope(d);
  Interpolated in = interpolate(expr, scope, sample_times(scrape_ms, 3'600'000, 0));
  auto r = promql::parser::parse_expr_detailed(in.text);
  EXPECT_TRUE(std::holds_alternative<promql::parser::ExprPtr>(r)) << in.text;
  std::vector<Check> out;
  if (!std::holds_alternative<promql::parser::ExprPtr>(r)) return out;
  for (const ExprIssue& i : check_expr(*std::get<promql::parser::ExprPtr>(r), in, 0, scrape_ms))
    out.push_back(i.check);
  for (const ExprIssue& i : check_multi_value_equality(in)) out.push_back(i.check);
  return out;
}

TEST(ExprChecksTest, FindsWhatAReviewerWould) {
  using V = std::vector<Check>;
  EXPECT_EQ(checks_of("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"), V{});
  EXPECT_EQ(checks_of("histogram_quantile(0.9, sum(rate(x_bucket[5m])))"), V{Check::kHistogramQuantileLe});
  EXPECT_EQ(checks_of("histogram_quantile(0.9, max by (job) (sum by (le, job) (rate(x_bucket[5m]))))"),
            V{Check::kHistogramQuantileLe});
  EXPECT_EQ(checks_of("histogram_quantile(0.9, rate(x_bucket[5m]))"), V{});
  EXPECT_EQ(checks_of("rate(x[1m])"), V{});
  EXPECT_EQ(checks_of("rate(x[1m])", 30'000), V{Check::kShortRateRange});
  EXPECT_EQ(checks_of("rate(x[$__rate_interval])", 30'000), V{});
  EXPECT_EQ(checks_of("rate(x[$__interval])"), V{Check::kShortRateRange});
  EXPECT_EQ(checks_of("rate(x[$win])"), V{});
  EXPECT_EQ(checks_of("min_over_time(x[5s])"), V{Check::kRangeBelowScrape});
  EXPECT_EQ(checks_of("increase(sum(x)[1h:])"), V{Check::kRateOfAggregation});
  EXPECT_EQ(checks_of("up{job=\"$job\"}"), V{Check::kMultiValueEquality});
  EXPECT_EQ(checks_of("up{job=~\"$job\", a=\"$one\"}"), V{});
  EXPECT_EQ(checks_of("label_replace(up, \"a\", \"$job\", \"b\", \"(.*)\")"), V{});
}

TEST(ExprChecksTest, CollectsMetricNamesAndCounterUses) {
  auto e = promql::parser::parse_expr("rate(a_total[5m]) / on() group_left {__name__=\"b\"} + increase(c[1m])");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(metric_names(**e), (std::vector<std::string>{"a_total", "b", "c"}));
  auto uses = counter_uses(**e);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].metric, "a_total");
  EXPECT_EQ(uses[1].function, "increase");
}

TEST(LintTest, ReadsEveryPlaceAQueryCanBe) {
  Dashboard d = load(R"json({"dashboard": {
    "annotations": {"list": [{"name": "an", "expr": "up )"}]},
    "templating": {"list": [{"name": "v", "type": "query", "query": {"query": "query_result(up ))"}}]},
    "panels": [{"id": 1, "type": "row", "panels": [{"id": 2, "title": "in row", "targets": [{"refId": "A", "expr": "up )"}]}]}],
    "rows": [{"panels": [{"id": 3, "title": "legacy", "targets": [{"expr": "up )"}, {"refId": "X", "expr": 5}]}]}]
  }})json");
  std::vector<Finding> f = lint_dashboard(d, "f.json", LintOptions{});
  std::vector<std::string> lines;
  for (const Finding& x : f) lines.push_back(format_text(x));
  EXPECT_EQ(lines, (std::vector<std::string>{
      "f.json: dashboard: error: panel \"legacy\" (id 3) target X: expr is not a string: 5 [invalid-field]",
      "f.json: variable \"v\": error: 1:18: parse error: unexpected right parenthesis ')' [promql-syntax]",
      "f.json: annotation \"an\": error: 1:5: parse error: unexpected right parenthesis ')' [promql-syntax]",
      "f.json: panel \"in row\" (id 2) target A: error: 1:5: parse error: unexpected right parenthesis ')' [promql-syntax]",
      "f.json: panel \"legacy\" (id 3) target #1: error: 1:5: parse error: unexpected right parenthesis ')' [promql-syntax]",
      "f.json: panel \"legacy\" (id 3) target X: warning: the target has no expression [empty-expr]",
  }));
}

}  // namespace
}  // namespace strata::dashlint
