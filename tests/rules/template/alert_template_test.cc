// AlertTemplate's contract beyond the tables: error texts wrap as
// Prometheus' alerting rule does, errors count the prefix in columns,
// the query callback, the bounds, and concurrent expansion.
#include "rules/template/alert_template.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace strata::rules {
namespace {

AlertTemplate must_parse(std::string_view text) {
  absl::StatusOr<AlertTemplate> t = AlertTemplate::parse("HighLatency", text);
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(AlertTemplateTest, ErrorTextAndColumnsCountThePrefix) {
  AlertTemplate t = must_parse("{{ humanize \"x\" }}");
  EXPECT_EQ(t.name(), "__alert_HighLatency");
  EXPECT_EQ(t.source(), "{{ humanize \"x\" }}");
  AlertTemplateData d;
  EXPECT_EQ(t.expand(d, 0, nullptr),
            "<error expanding template: error executing template __alert_HighLatency: "
            "template: __alert_HighLatency:1:115: executing \"__alert_HighLatency\" at "
            "<humanize \"x\">: error calling humanize: strconv.ParseFloat: parsing \"x\": "
            "invalid syntax>");
  absl::StatusOr<std::string> r = t.execute(d, 0, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()).substr(0, 35), "template: __alert_HighLatency:1:115");
}

TEST(AlertTemplateTest, PlainTextIsItself) {
  AlertTemplate t = must_parse("no actions here } {");
  EXPECT_EQ(t.expand(AlertTemplateData{}, 0, nullptr), "no actions here } {");
  EXPECT_EQ(AlertTemplate().expand(AlertTemplateData{}, 0, nullptr), "");
}

TEST(AlertTemplateTest, ExternalDataAndURLFunctions) {
  AlertTemplate t =
      must_parse("{{ $externalLabels.dc }} {{ .ExternalURL }} {{ externalURL }} {{ pathPrefix }}");
  AlertTemplateData d;
  d.external_labels = tsdb::Labels::from_strings({"dc", "eu1"});
  d.external_url = "https://prom.example.com/prometheus?x=1";
  EXPECT_EQ(t.expand(d, 0, nullptr),
            "eu1 https://prom.example.com/prometheus?x=1 "
            "https://prom.example.com/prometheus?x=1 /prometheus");
}

TEST(AlertTemplateTest, QueryRunsAtEvaluationTimeThroughTheCallback) {
  AlertTemplate t = must_parse(
      "{{ range query \"up\" }}{{ .Labels.job }}={{ .Value }} {{ end }}"
      "{{ with query \"bad(\" }}{{ end }}");
  std::vector<std::pair<std::string, int64_t>> calls;
  TemplateQueryFn q = [&](std::string_view expr,
                          int64_t t_ms) -> absl::StatusOr<std::vector<TemplateSample>> {
    calls.emplace_back(std::string(expr), t_ms);
    if (expr == "up") {
      return std::vector<TemplateSample>{
          {tsdb::Labels::from_strings({"__name__", "up", "job", "a"}), 1},
          {tsdb::Labels::from_strings({"__name__", "up", "job", "b"}), 0}};
    }
    return absl::InvalidArgumentError("1:5: parse error: unclosed left parenthesis");
  };
  std::string out = t.expand(AlertTemplateData{}, 42000, &q);
  EXPECT_EQ(out,
            "<error expanding template: error executing template __alert_HighLatency: template: "
            "__alert_HighLatency:1:182: executing \"__alert_HighLatency\" at <query \"bad(\">: "
            "error calling query: 1:5: parse error: unclosed left parenthesis>");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], std::make_pair(std::string("up"), int64_t{42000}));
  AlertTemplate ok = must_parse("{{ range query \"up\" }}{{ .Labels.job }}={{ .Value }} {{ end }}");
  EXPECT_EQ(ok.expand(AlertTemplateData{}, 0, &q), "a=1 b=0 ");
  EXPECT_EQ(ok.expand(AlertTemplateData{}, 0, nullptr).find("no query engine available") !=
                std::string::npos,
            true);
}

TEST(AlertTemplateTest, BoundsAreEnforced) {
  AlertTemplateData d;
  TemplateLimits small;
  small.max_output_bytes = 100;
  // Output.
  EXPECT_NE(must_parse("{{ range $i, $e := args 1 2 3 4 5 6 7 8 9 }}0123456789012345{{ end }}")
                .expand(d, 0, nullptr, small)
                .find("template output exceeds 100 bytes"),
            std::string::npos);
  // One string value.
  EXPECT_NE(must_parse("{{ $x := printf \"%0500d\" 1 }}")
                .expand(d, 0, nullptr, small)
                .find("result exceeds 100 bytes"),
            std::string::npos);
  // Range iterations, over all loops.
  TemplateLimits few;
  few.max_range_iterations = 5;
  EXPECT_NE(must_parse("{{ range args 1 2 3 }}{{ range args 1 2 3 }}{{ end }}{{ end }}")
                .expand(d, 0, nullptr, few)
                .find("range iterations exceed 5"),
            std::string::npos);
  // Template recursion.
  EXPECT_NE(must_parse("{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}")
                .expand(d, 0, nullptr)
                .find("exceeded maximum template depth (100)"),
            std::string::npos);
  // Exponential template fan-out hits the step budget.
  std::string fan;
  for (int i = 0; i < 30; ++i) {
    fan += "{{ define \"t" + std::to_string(i) + "\" }}{{ template \"t" + std::to_string(i + 1) +
           "\" }}{{ template \"t" + std::to_string(i + 1) + "\" }}{{ end }}";
  }
  fan += "{{ define \"t30\" }}{{ end }}{{ template \"t0\" }}";
  EXPECT_NE(must_parse(fan).expand(d, 0, nullptr).find("steps"), std::string::npos);
  // Query result size and query count.
  TemplateQueryFn big = [](std::string_view,
                           int64_t) -> absl::StatusOr<std::vector<TemplateSample>> {
    return std::vector<TemplateSample>(20);
  };
  TemplateLimits q;
  q.max_query_samples = 10;
  EXPECT_NE(must_parse("{{ query \"x\" }}").expand(d, 0, &big, q).find("more than the limit of 10"),
            std::string::npos);
  q.max_query_samples = 100;
  q.max_query_calls = 2;
  EXPECT_NE(must_parse("{{ range args 1 2 3 }}{{ $r := query \"x\" }}{{ end }}")
                .expand(d, 0, &big, q)
                .find("more than 2 queries"),
            std::string::npos);
  // Bytes all calls produce: a big printf in a loop.
  TemplateLimits work;
  work.max_work_bytes = 1 << 20;
  EXPECT_NE(must_parse("{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ $x := printf \"%0200000d\" 1 }}"
                       "{{ end }}")
                .expand(d, 0, nullptr, work)
                .find("template functions produced more than 1048576 bytes"),
            std::string::npos);
  // Regexps count the bytes they scan.
  EXPECT_NE(must_parse("{{ $big := printf \"%0500000d\" 1 }}{{ range args 1 2 3 4 5 }}"
                       "{{ if match \"x\" $big }}{{ end }}{{ end }}")
                .expand(d, 0, nullptr, work)
                .find("at <match \"x\" $big>: template functions produced more than"),
            std::string::npos);
  // One printf call with many huge verbs stops early.
  std::string many = "{{ printf \"";
  for (int i = 0; i < 200; ++i) many += "%0999999d";
  many += "\"";
  for (int i = 0; i < 200; ++i) many += " 1";
  many += " }}";
  EXPECT_NE(must_parse(many).expand(d, 0, nullptr).find("result exceeds 1048576 bytes"),
            std::string::npos);
  // Nesting across {{template}} calls.
  std::string nest = "{{ define \"n\" }}";
  for (int i = 0; i < 50; ++i) nest += "{{ if true }}";
  nest += "{{ template \"n\" }}";
  for (int i = 0; i < 50; ++i) nest += "{{ end }}";
  nest += "{{ end }}{{ template \"n\" }}";
  EXPECT_NE(must_parse(nest).expand(d, 0, nullptr).find("template nesting exceeds 1000 levels"),
            std::string::npos);
  // Parse: nesting depth and text size.
  std::string deep(1000, '(');
  EXPECT_NE(
      std::string(
          check_alert_template("X", "{{ " + deep + "1" + std::string(1000, ')') + " }}").message())
          .find("max expression depth exceeded"),
      std::string::npos);
  EXPECT_FALSE(check_alert_template("X", std::string(kMaxTemplateTextBytes + 1, 'x')).ok());
}

TEST(AlertTemplateTest, ConcurrentExpansionOfOneTemplate) {
  AlertTemplate t = must_parse(
      "{{ range $k, $v := $labels }}{{ $k }}={{ $v | toUpper }};{{ end }}{{ humanize $value }}");
  constexpr int kThreads = 4;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      AlertTemplateData d;
      d.labels = tsdb::Labels::from_strings({"job", "j" + std::to_string(i)});
      d.value = 1000.0 * (i + 1);
      std::string want = "job=J" + std::to_string(i) + ";" + std::to_string(i + 1) + "k";
      for (int n = 0; n < 2000; ++n) {
        if (t.expand(d, 0, nullptr) != want) bad++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace strata::rules
