// OTLP end to end with the OpenTelemetry JS SDK (@opentelemetry/sdk-metrics
// and @opentelemetry/exporter-metrics-otlp-proto from npm, installed with
// `npm ci` from otlp_js/package-lock.json into the build directory): the SDK
// exports counters, histograms, an up-down counter and a gauge with resource
// attributes to the built strata (127.0.0.1 only), and
//  - the series and values match Prometheus 3's documented translation
//    (default strategy; a table of expected series);
//  - after a reload to `translation_strategy: UnderscoreEscapingWithoutSuffixes`
//    with a promoted attribute, seed 003's PromQL queries over the bot_*
//    names (its counters have no `_total` added) all return data;
//  - a DELTA exporter is answered with partial success, its counters and
//    histograms not written;
//  - without --web.enable-otlp-receiver the path is unknown (404).
// Skipped only when node or npm are not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using nlohmann::json;

// An executable named `name` on $PATH, or "".
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string p = dir + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// node_modules for emit.mjs in the build directory, installed once per
// lockfile (the lockfile pins every package).
std::string install_sdk() {
  const std::string src = STRATA_OTLP_JS_SRC, work = STRATA_OTLP_JS_WORK;
  const std::string lock = read_file(src + "/package-lock.json");
  if (lock.empty()) return "missing " + src + "/package-lock.json";
  if (read_file(work + "/package-lock.json") != lock ||
      ::access((work + "/node_modules/@opentelemetry/sdk-metrics").c_str(), F_OK) != 0) {
    std::string cmd = "mkdir -p '" + work + "' && cp '" + src + "/package.json' '" + src +
                      "/package-lock.json' '" + work + "/' && cd '" + work +
                      "' && timeout 300 npm ci --no-audit --no-fund --ignore-scripts > npm.log 2>&1";
    if (std::system(cmd.c_str()) != 0) return "npm ci failed: " + read_file(work + "/npm.log");
  }
  std::string cp = "cp '" + src + "/emit.mjs' '" + work + "/'";
  if (std::system(cp.c_str()) != 0) return "cannot copy emit.mjs";
  return "";
}

class OtlpJsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = on_path("node");
    if (node_.empty() || on_path("npm").empty()) GTEST_SKIP() << "node or npm not installed";
    std::string err = install_sdk();
    ASSERT_EQ(err, "");
    auto p = testutil::start_strata({"--web.enable-otlp-receiver", "--web.enable-lifecycle"});
    ASSERT_TRUE(p.ok()) << p.status();
    strata_ = std::move(*p);
  }

  // Runs the SDK against strata; its output on failure.
  void emit(const std::string& service, const std::string& temporality,
            const std::string& compression) {
    auto r = testutil::run_binary(
        node_,
        {std::string(STRATA_OTLP_JS_WORK) + "/emit.mjs",
         strata_->base_url() + "/api/v1/otlp/v1/metrics", service, temporality, compression},
        std::chrono::seconds(60));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->output << "\n" << strata_->log();
  }

  json query(const std::string& q) {
    auto c = strata_->client();
    auto r = c.get("/api/v1/query?query=" + testutil::url_encode(q));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << q << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }

  std::string node_;
  std::unique_ptr<testutil::ServerProcess> strata_;
};

TEST_F(OtlpJsTest, SdkExportsMatchPrometheus3TranslationAndSeed003QueriesReturnData) {
  emit("chat", "cumulative", "gzip");

  // Default strategy (UnderscoreEscapingWithSuffixes). Values after two
  // collections: record(1) then record(2) in emit.mjs.
  const std::string res = R"(job="bots/chat",instance="worker-1")";
  const std::string anth = R"(provider="anthropic",model="claude-3-5-sonnet-latest")";
  struct Row {
    const char* what;
    std::string selector;
    double value;
  } rows[] = {
      {"counter already ending in _total",
       "bot_api_calls_total{" + res + "," + anth + R"(,status="success"})", 30},
      {"counter gains _total", "bot_tokens_used_total{" + res + "," + anth + R"(,token_type="input"})",
       3000},
      {"inner total moves to the end", "bot_cost_usd_total{" + res + "," + anth + "}", 15},
      {"histogram without unit: _count", "bot_response_time_count{" + res + "," + anth +
                                             R"(,status="error",success="false"})",
       2},
      {"histogram without unit: _sum", "bot_response_time_sum{" + res + "," + anth +
                                           R"(,status="success",success="true"})",
       8.35},
      {"histogram with unit ms: +Inf bucket",
       "http_server_duration_milliseconds_bucket{" + res + R"(,http_method="POST",le="+Inf"})", 60},
      {"cumulative bucket le=25", "http_server_duration_milliseconds_bucket{" + res +
                                      R"(,http_method="POST",le="25"})",
       48},
      {"empty bucket le=10", "http_server_duration_milliseconds_bucket{" + res +
                                 R"(,http_method="POST",le="10"})",
       0},
      {"up-down counter: a gauge, annotation unit dropped", "bot_queue_size{" + res + "}", 2},
      {"gauge with unit 1: _ratio", "process_memory_utilization_ratio{" + res + "}", 0.42},
      {"target_info with the non-identifying resource attributes",
       "target_info{" + res +
           R"(,host_name="ci-host",deployment_environment="test",telemetry_sdk_language="nodejs"})",
       1},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    json r = query(row.selector);
    ASSERT_EQ(r["data"]["result"].size(), 1u) << row.selector << ": " << r.dump();
    double v = std::stod(r["data"]["result"][0]["value"][1].get<std::string>());
    EXPECT_NEAR(v, row.value, 1e-9 * std::max(1.0, std::abs(row.value))) << row.selector;
  }
  // Nothing under the untranslated names, and job/instance are labels, not
  // target_info's service_* attributes.
  for (const char* q : {"bot_tokens_used", R"({__name__=~"bot\\..*"})",
                        R"(target_info{service_name!=""})"}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(query(q)["data"]["result"].size(), 0u);
  }

  // Seed 003 names its counters without `_total` (bot_tokens_used,
  // bot_cost_total_usd): that is UnderscoreEscapingWithoutSuffixes.
  {
    std::ofstream(strata_->work_dir() + "/strata.yml")
        << "global:\n  scrape_interval: 1m\n"
           "otlp:\n  translation_strategy: UnderscoreEscapingWithoutSuffixes\n"
           "  promote_resource_attributes: [deployment.environment]\n";
    auto c = strata_->client();
    auto r = c.post("/-/reload", "", "text/plain");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  emit("assistant", "cumulative", "none");
  EXPECT_EQ(query(R"(bot_tokens_used{job="bots/assistant",deployment_environment="test",token_type="output",provider="openai"})")
                ["data"]["result"][0]["value"][1],
            "7500");
  // Seed 003's queries that are valid PromQL and hold for this data (its
  // `rate(a) / rate(b) by (x)` forms do not parse, in Prometheus either).
  const char* seed_queries[] = {
      "rate(bot_response_time_sum[5m]) / rate(bot_response_time_count[5m])",
      "histogram_quantile(0.95, rate(bot_response_time_bucket[5m]))",
      R"(rate(bot_response_time_sum{provider="anthropic"}[5m]) / rate(bot_response_time_count{provider="anthropic"}[5m]))",
      "histogram_quantile(0.50, rate(bot_response_time_bucket[5m]))",
      "histogram_quantile(0.99, rate(bot_response_time_bucket[5m]))",
      R"(rate(bot_response_time_sum{success="true"}[5m]) / rate(bot_response_time_count{success="true"}[5m]))",
      R"(rate(bot_response_time_sum{success="false"}[5m]) / rate(bot_response_time_count{success="false"}[5m]))",
      "rate(bot_api_call_duration_sum[5m]) / rate(bot_api_call_duration_count[5m])",
      "histogram_quantile(0.95, rate(bot_api_call_duration_bucket[5m]))",
      "rate(bot_tool_execution_duration_sum[5m]) / rate(bot_tool_execution_duration_count[5m])",
      "histogram_quantile(0.95, rate(bot_tool_execution_duration_bucket[5m]))",
      R"(rate(bot_tool_execution_duration_sum{success="true"}[5m]) / rate(bot_tool_execution_duration_count{success="true"}[5m]))",
      "rate(bot_message_building_duration_sum[5m]) / rate(bot_message_building_duration_count[5m])",
      "histogram_quantile(0.95, rate(bot_message_building_duration_bucket[5m]))",
      "rate(bot_api_calls_total[5m])",
      "increase(bot_api_calls_total[1h])",
      R"(rate(bot_api_calls_total{status="success"}[5m]) / rate(bot_api_calls_total[5m]))",
      "topk(5, rate(bot_api_calls_total[5m]))",
      "rate(bot_tool_calls_total[5m])",
      R"(rate(bot_tool_calls_total{success="true"}[5m]) / rate(bot_tool_calls_total[5m]))",
      "increase(bot_tool_calls_total[1h])",
      "rate(bot_tokens_used[5m])",
      R"(rate(bot_tokens_used{token_type="input"}[5m]))",
      R"(rate(bot_tokens_used{token_type="output"}[5m]))",
      "increase(bot_tokens_used[1h])",
      "topk(5, rate(bot_tokens_used[5m]))",
      "rate(bot_cost_usd_sum[5m]) / rate(bot_cost_usd_count[5m])",
      "histogram_quantile(0.95, rate(bot_cost_usd_bucket[5m]))",
      "rate(bot_cost_total_usd[5m])",
      "rate(bot_cost_total_usd[5m]) * 60",
      "rate(bot_cost_total_usd[5m]) * 86400",
      "increase(bot_cost_total_usd[1h])",
      "increase(bot_cost_total_usd[24h])",
      "sum(rate(bot_cost_total_usd[5m])) > 0.01",
      "histogram_quantile(0.95, sum(rate(bot_cost_usd_bucket[5m])) by (le)) > 0.05",
      "sum(increase(bot_cost_total_usd[24h]))",
      "sum(rate(bot_errors_total[5m]))",
      "sum(rate(bot_errors_total[5m])) by (provider)",
      "topk(10, sum(rate(bot_errors_total[5m])) by (error_type))",
      "sum(rate(bot_tool_failures_total[5m]))",
      "topk(10, sum(rate(bot_tool_failures_total[5m])) by (tool_name))",
      R"((sum(rate(bot_api_calls_total{status="success"}[5m])) / sum(rate(bot_api_calls_total[5m]))) * 100)",
      R"((sum(rate(bot_tool_calls_total{success="true"}[5m])) / sum(rate(bot_tool_calls_total[5m]))) * 100)",
      "(sum(rate(bot_errors_total[5m])) / sum(rate(bot_api_calls_total[5m]))) * 100",
      "sum(rate(bot_errors_total[5m])) by (provider, error_type)",
      "sum(increase(bot_errors_total[1h]))",
      "sum(rate(bot_errors_total[5m])) by (provider, error_type, operation)",
      "(sum(rate(bot_tool_failures_total[5m])) / sum(rate(bot_tool_calls_total[5m]))) * 100 > 10",
  };
  for (const char* q : seed_queries) {
    SCOPED_TRACE(q);
    json r = query(q);
    EXPECT_EQ(r["status"], "success") << r.dump();
    EXPECT_GT(r["data"]["result"].size(), 0u) << r.dump();
  }

  // A DELTA exporter: 200 with partial success (the SDK reports success),
  // its sums and histograms refused, its gauge written.
  emit("delta", "delta", "none");
  EXPECT_EQ(query(R"({job="bots/delta",__name__=~"bot_api_calls_total|bot_response_time_count"})")
                ["data"]["result"].size(),
            0u);
  EXPECT_EQ(query(R"(process_memory_utilization{job="bots/delta"})")["data"]["result"].size(), 1u);
  auto c = strata_->client();
  auto m = c.get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->body.find("strata_otlp_data_points_rejected_total"), std::string::npos);
  EXPECT_EQ(m->body.find("strata_otlp_data_points_rejected_total 0\n"), std::string::npos);
}

TEST(OtlpReceiverTest, AbsentWithoutTheFlag) {
  auto p = testutil::start_strata();
  ASSERT_TRUE(p.ok()) << p.status();
  auto c = (*p)->client();
  auto r = c.post("/api/v1/otlp/v1/metrics", "", "application/x-protobuf");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 404);
}

// Browser apps export too: the answer carries CORS headers (the preflight is
// the API's OPTIONS route), and an empty protobuf request is a valid one.
TEST(OtlpReceiverTest, EnabledAnswersWithCorsHeaders) {
  auto p = testutil::start_strata({"--web.enable-otlp-receiver"});
  ASSERT_TRUE(p.ok()) << p.status();
  auto c = (*p)->client();
  auto r = c.post("/api/v1/otlp/v1/metrics", "", "application/x-protobuf",
                  {{"Origin", "http://app.example"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("Access-Control-Allow-Origin"), "*");
  auto pre = c.request("OPTIONS", "/api/v1/otlp/v1/metrics", "",
                       {{"Origin", "http://app.example"},
                        {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(pre.ok()) << pre.status();
  EXPECT_EQ(pre->status, 204);
  EXPECT_NE(pre->header("Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);
}

}  // namespace
}  // namespace strata::integration
