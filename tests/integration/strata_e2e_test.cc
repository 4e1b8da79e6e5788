// End to end against the real binary: start build/strata on a free port of
// 127.0.0.1 with a temporary data directory, remote-write the known samples
// of known_data.h, and read them back through every endpoint of the
// Foundation issue, comparing exact values and exact JSON texts. The expected
// texts were checked against Prometheus 2.42 fed the same samples, except
// where noted (metadata: 2.42 keeps no metadata from remote write).
//
// This file: health, status pages and queries; strata_e2e_series_test.cc:
// series, labels, label values, metadata, exemplars, self-metrics;
// strata_e2e_server_test.cc: the HTTP server and the process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/integration/strata_e2e_fixture.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "server/build_revision.h"  // STRATA_REVISION, STRATA_BRANCH of this build

namespace strata::integration {
namespace {

using ::testing::HasSubstr;
using testutil::form_encode;
using testutil::HttpClient;
using testutil::HttpResponse;
using testutil::url_encode;
using ordered_json = nlohmann::ordered_json;

TEST_F(StrataE2ETest, HealthAndReadiness) {
  HttpClient c = server_->client();
  auto h = c.get("/-/healthy");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->body, "Strata Server is Healthy.\n");
  EXPECT_EQ(h->header("content-type"), "text/plain; charset=utf-8");
  auto r = c.get("/-/ready");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Strata Server is Ready.\n");
}

TEST_F(StrataE2ETest, BuildInfo) {
  HttpResponse r = get_ok("/api/v1/status/buildinfo");
  EXPECT_EQ(r.header("content-type"), kJson);
  auto j = ordered_json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["status"], "success");
  std::vector<std::string> keys;
  for (const auto& [k, v] : j["data"].items()) {
    keys.push_back(k);
    EXPECT_TRUE(v.is_string()) << k;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"version", "revision", "branch", "buildUser",
                                            "buildDate", "goVersion"}));
  const auto& d = j["data"];
  EXPECT_EQ(d["version"], STRATA_E2E_VERSION);
  EXPECT_EQ(d["revision"], STRATA_REVISION);
  EXPECT_EQ(d["branch"], STRATA_BRANCH);
  EXPECT_NE(d["buildUser"], "");
  EXPECT_NE(d["buildDate"], "");
  EXPECT_NE(d["goVersion"], "");
  // The JSON text itself, given those values.
  EXPECT_EQ(r.body, success(d.dump()));
}

TEST_F(StrataE2ETest, RuntimeInfo) {
  HttpResponse r = get_ok("/api/v1/status/runtimeinfo");
  auto j = ordered_json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["status"], "success");
  const auto& d = j["data"];
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  ASSERT_TRUE(d["startTime"].is_string());
  EXPECT_TRUE(std::regex_match(d["startTime"].get<std::string>(), rfc3339)) << d["startTime"];
  ASSERT_TRUE(d["lastConfigTime"].is_string());
  EXPECT_TRUE(std::regex_match(d["lastConfigTime"].get<std::string>(), rfc3339));
  // The launcher runs strata in its temporary directory.
  EXPECT_EQ(d["CWD"], std::filesystem::canonical(server_->work_dir()).string());
  EXPECT_EQ(d["reloadConfigSuccess"], true);
  EXPECT_EQ(d["corruptionCount"], 0);
  EXPECT_TRUE(d["goroutineCount"].is_number_integer());
  EXPECT_GT(d["GOMAXPROCS"].get<int>(), 0);
  EXPECT_EQ(d["GOGC"], "");
  EXPECT_EQ(d["GODEBUG"], "");
  EXPECT_EQ(d["storageRetention"], "15d");
  EXPECT_EQ(d["timeSeriesCount"], known_series(t0_).size());
}

TEST_F(StrataE2ETest, Flags) {
  const std::string data_dir = server_->data_dir();
  const std::string address = "127.0.0.1:" + std::to_string(server_->port());
  expect_get("/api/v1/status/flags", 200,
             success(R"({"alertmanager.drain-notification-queue-on-shutdown":"true",)"
                     R"("alertmanager.notification-queue-capacity":"10000",)"
                     R"("config.file":"strata.yml","enable-feature":"","log.format":"logfmt",)"
                     R"("log.level":"info","notifications.config.file":"",)"
                     R"("query.compat":"v3","query.lookback-delta":"5m",)"
                     R"("query.max-concurrency":"20","query.max-samples":"50000000",)"
                     R"("query.timeout":"2m","rules.alert.for-grace-period":"10m",)"
                     R"("rules.alert.for-outage-tolerance":"1h","rules.alert.resend-delay":"1m",)"
                     R"("storage.exemplars.exemplars-limit":"100000",)"
                     R"("storage.prometheus-tsdb.path":"",)"
                     R"("storage.remote.read-concurrent-limit":"10",)"
                     R"("storage.remote.read-max-bytes-in-frame":"1048576",)"
                     R"("storage.remote.read-sample-limit":"50000000",)"
                     R"("storage.tsdb.head-snapshot-on-shutdown":"true",)"
                     R"("storage.tsdb.max-series":"0",)"
                     R"("storage.tsdb.out-of-order-time-window":"0s",)"
                     R"("storage.tsdb.path":")" +
                     data_dir +
                     R"(",)"
                     R"("storage.tsdb.retention.size":"0B","storage.tsdb.retention.time":"15d",)"
                     R"("storage.tsdb.too-far-in-future.time-window":"10m",)"
                     R"("storage.tsdb.wal-sync":"interval","web.config.file":"","web.cors.origin":".*",)"
                     R"("web.dashboards.dir":"",)"
                     R"("web.enable-admin-api":"false",)"
                     R"("web.enable-lifecycle":"false","web.enable-otlp-receiver":"false",)"
                     R"("web.enable-remote-write-receiver":"false",)"
                     R"("web.external-url":"","web.listen-address":")" +
                     address +
                     R"(","web.max-connections":"512","web.max-inflight-body-size":"256MiB",)"
                     R"("web.read-timeout":"5m"})"));
}

// What Prometheus 2.42 shows for the same YAML (the embedded default, given
// to it as a file): Go's yaml.v2 layout, with the defaults filled in.
// Without --config.file Strata runs on the embedded default: it scrapes
// itself, at the address it listens on, so `up{job="strata"}` is 1 within
// one interval (15 s).
TEST(StrataDefaultConfigTest, ScrapesItself) {
  auto s = testutil::start_strata({}, "");
  ASSERT_TRUE(s.ok()) << s.status();
  HttpClient c = (*s)->client();
  const std::string self = "127.0.0.1:" + std::to_string((*s)->port());
  auto r = c.get("/api/v1/status/config");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body,
            success(R"({"yaml":"global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\n)"
                    R"(  evaluation_interval: 15s\nscrape_configs:\n- job_name: strata\n)"
                    R"(  honor_timestamps: true\n  scrape_interval: 15s\n  scrape_timeout: 10s\n)"
                    R"(  metrics_path: /metrics\n  scheme: http\n  follow_redirects: true\n)"
                    R"(  enable_http2: true\n  static_configs:\n  - targets:\n    - )" +
                    self + R"(\n"})"));
  std::string body;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto q = c.get("/api/v1/query?query=up");
    ASSERT_TRUE(q.ok()) << q.status();
    body = q->body;
    if (body.find(R"("value":[)") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_THAT(body, HasSubstr(R"({"metric":{"__name__":"up","instance":")" + self +
                              R"(","job":"strata"},"value":[)"));
  EXPECT_THAT(body, HasSubstr(R"(,"1"]})"));
  auto t = c.get("/api/v1/targets");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->body, HasSubstr(R"("scrapePool":"strata","scrapeUrl":"http://)" + self + R"(/metrics")"));
  EXPECT_THAT(t->body, HasSubstr(R"("health":"up")"));
}

// A config file of our own, shown exactly as Prometheus 2.42 shows it.
TEST(StrataConfigTest, ConfigFileAsPrometheusShowsIt) {
  testutil::ServerProcess::Options o;
  o.binary = testutil::strata_binary();
  o.files = {{"prometheus.yml",
              "global:\n"
              "  scrape_interval: 30s\n"
              "  external_labels:\n"
              "    cluster: eu-1\n"
              "scrape_configs:\n"
              "  - job_name: node\n"
              "    scrape_interval: 10s\n"
              "    static_configs:\n"
              "      - targets: [\"127.0.0.1:1\", \"127.0.0.1:2\"]\n"
              "        labels:\n"
              "          env: prod\n"
              "    relabel_configs:\n"
              "      - source_labels: [__address__]\n"
              "        regex: \"(.*):9100\"\n"
              "        target_label: host\n"}};
  o.flags = {"--config.file=prometheus.yml"};
  auto s = testutil::ServerProcess::start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  HttpClient c = (*s)->client();
  auto r = c.get("/api/v1/status/config");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            success(R"({"yaml":"global:\n  scrape_interval: 30s\n  scrape_timeout: 10s\n)"
                    R"(  evaluation_interval: 1m\n  external_labels:\n    cluster: eu-1\n)"
                    R"(scrape_configs:\n- job_name: node\n  honor_timestamps: true\n)"
                    R"(  scrape_interval: 10s\n  scrape_timeout: 10s\n  metrics_path: /metrics\n)"
                    R"(  scheme: http\n  follow_redirects: true\n  enable_http2: true\n)"
                    R"(  relabel_configs:\n  - source_labels: [__address__]\n    separator: ;\n)"
                    R"(    regex: (.*):9100\n    target_label: host\n    replacement: $1\n)"
                    R"(    action: replace\n  static_configs:\n  - targets:\n    - 127.0.0.1:1\n)"
                    R"(    - 127.0.0.1:2\n    labels:\n      env: prod\n"})"));
  auto flags = c.get("/api/v1/status/flags");
  ASSERT_TRUE(flags.ok());
  EXPECT_THAT(flags->body, HasSubstr(R"("config.file":"prometheus.yml")"));
}

TEST_F(StrataE2ETest, InstantQueries) {
  struct Case {
    std::string name;
    Params params;
    std::string data;
  };
  const std::string sel200 = R"(e2e_requests_total{code="200"})";
  const std::vector<Case> cases = {
      {"unix seconds",
       {{"query", sel200}, {"time", param_ts(t(60))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq200) + R"(,"value":)" +
           pair(t(60), "40") + "}]}"},
      {"RFC 3339",
       {{"query", sel200}, {"time", rfc3339(t(60))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq200) + R"(,"value":)" +
           pair(t(60), "40") + "}]}"},
      {"fractional seconds",
       {{"query", sel200}, {"time", param_ts(t(60.5))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq200) + R"(,"value":)" +
           pair(t(60.5), "40") + "}]}"},
      {"RFC 3339 with fraction and offset",
       {{"query", sel200}, {"time", rfc3339(t(3600 + 60.25)).substr(0, 19) + ".250+01:00"}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq200) + R"(,"value":)" +
           pair(t(60.25), "40") + "}]}"},
      {"timeout",
       {{"query", sel200}, {"time", param_ts(t(60))}, {"timeout", "10s"}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq200) + R"(,"value":)" +
           pair(t(60), "40") + "}]}"},
      {"sort",
       {{"query", "sort(e2e_requests_total)"}, {"time", param_ts(t(300))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kReq500) + R"(,"value":)" +
           pair(t(300), "20") + R"(},{"metric":)" + kReq200 + R"(,"value":)" + pair(t(300), "200") +
           "}]}"},
      {"aggregation",
       {{"query", "sum by (job) (e2e_requests_total)"}, {"time", param_ts(t(300))}},
       R"({"resultType":"vector","result":[{"metric":{"job":"api"},"value":)" +
           pair(t(300), "220") + "}]}"},
      {"scalar",
       {{"query", "1+1"}, {"time", param_ts(t(300))}},
       R"({"resultType":"scalar","result":)" + pair(t(300), "2") + "}"},
      {"string",
       {{"query", "\"hello\""}, {"time", param_ts(t(300))}},
       R"({"resultType":"string","result":)" + pair(t(300), "hello") + "}"},
      {"before the stale marker",
       {{"query", "e2e_gone"}, {"time", param_ts(t(30))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kGone) + R"(,"value":)" +
           pair(t(30), "3") + "}]}"},
      {"after the stale marker",
       {{"query", "e2e_gone"}, {"time", param_ts(t(60))}},
       R"({"resultType":"vector","result":[]})"},
      {"millisecond timestamps",
       {{"query", "e2e_ms[5s]"}, {"time", param_ts(t(3))}},
       R"({"resultType":"matrix","result":[{"metric":)" + std::string(kMs) + R"(,"values":[)" +
           pair(t(0.05), "1") + "," + pair(t(1.5), "2") + "," + pair(t(2.001), "3") + "]}]}"},
      {"JSON escaping",
       {{"query", "e2e_escape"}, {"time", param_ts(t(10))}},
       R"({"resultType":"vector","result":[{"metric":)" + std::string(kEscape) + R"(,"value":)" +
           pair(t(10), "1") + "}]}"},
      {"no such series",
       {{"query", "nothing_here"}, {"time", param_ts(t(10))}},
       R"({"resultType":"vector","result":[]})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_get_and_post("/api/v1/query", c.params, 200, success(c.data));
  }
}

TEST_F(StrataE2ETest, InstantQueryWithoutTimeIsNow) {
  const double before = double(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()) /
                        1000;
  HttpResponse r = get_ok("/api/v1/query?query=time()");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  ASSERT_EQ(j["data"]["resultType"], "scalar");
  const double ts = j["data"]["result"][0].get<double>();
  EXPECT_GE(ts, before - 1);
  EXPECT_LE(ts, before + 60);
  EXPECT_EQ(std::stod(j["data"]["result"][1].get<std::string>()), ts);
}

TEST_F(StrataE2ETest, RangeQueries) {
  struct Case {
    std::string name;
    Params params;
    std::string data;
  };
  const std::string sel500 = R"(e2e_requests_total{code="500"})";
  const std::string req500_0_60 = R"({"resultType":"matrix","result":[{"metric":)" +
                                  std::string(kReq500) + R"(,"values":[)" + pair(t(0), "0") + "," +
                                  pair(t(15), "1") + "," + pair(t(30), "2") + "," +
                                  pair(t(45), "3") + "," + pair(t(60), "4") + "]}]}";
  std::string temps;
  for (size_t i = 0; i < 11; ++i) {  // up to t0+300s
    if (i > 0) temps += ",";
    temps += pair(t(30.0 * double(i)), kTemperatureStrings[i]);
  }
  const std::vector<Case> cases = {
      {"unix seconds, duration step",
       {{"query", sel500}, {"start", param_ts(t(0))}, {"end", param_ts(t(60))}, {"step", "15s"}},
       req500_0_60},
      {"RFC 3339, float step",
       {{"query", sel500}, {"start", rfc3339(t(0))}, {"end", rfc3339(t(60))}, {"step", "15"}},
       req500_0_60},
      {"float step with fraction",
       {{"query", sel500}, {"start", param_ts(t(0))}, {"end", param_ts(t(60))}, {"step", "15.0"}},
       req500_0_60},
      {"end not on the step grid",
       {{"query", sel500}, {"start", param_ts(t(0))}, {"end", param_ts(t(74))}, {"step", "15s"}},
       req500_0_60},
      {"timeout",
       {{"query", sel500},
        {"start", param_ts(t(0))},
        {"end", param_ts(t(60))},
        {"step", "15s"},
        {"timeout", "30s"}},
       req500_0_60},
      {"float formatting",
       {{"query", "e2e_temperature_celsius"},
        {"start", param_ts(t(0))},
        {"end", param_ts(t(300))},
        {"step", "30s"}},
       R"({"resultType":"matrix","result":[{"metric":)" + std::string(kTemp) + R"(,"values":[)" +
           temps + "]}]}"},
      {"staleness",
       {{"query", "e2e_gone"}, {"start", param_ts(t(0))}, {"end", param_ts(t(90))}, {"step", "15"}},
       R"({"resultType":"matrix","result":[{"metric":)" + std::string(kGone) + R"(,"values":[)" +
           pair(t(0), "1") + "," + pair(t(15), "2") + "," + pair(t(30), "3") + "]}]}"},
      {"series sorted by labels",
       {{"query", "e2e_requests_total"},
        {"start", param_ts(t(300))},
        {"end", param_ts(t(300))},
        {"step", "1m"}},
       R"({"resultType":"matrix","result":[{"metric":)" + std::string(kReq200) + R"(,"values":[)" +
           pair(t(300), "200") + R"(]},{"metric":)" + kReq500 + R"(,"values":[)" +
           pair(t(300), "20") + "]}]}"},
      {"scalar result",
       {{"query", "2"}, {"start", param_ts(t(0))}, {"end", param_ts(t(2))}, {"step", "1"}},
       R"({"resultType":"matrix","result":[{"metric":{},"values":[)" + pair(t(0), "2") + "," +
           pair(t(1), "2") + "," + pair(t(2), "2") + "]}]}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_get_and_post("/api/v1/query_range", c.params, 200, success(c.data));
  }
}

// Go formats with the shortest digits that round-trip, padded with zeros:
// 2^63 is "9223372036854776000", not its exact "9223372036854775808"
// (Prometheus 2.42 shows process_virtual_memory_max_bytes as
// "18446744073709552000").
TEST_F(StrataE2ETest, LargeValuesUseTheShortestDigitsLikeGo) {
  expect_get_and_post(
      "/api/v1/query", {{"query", "e2e_temperature_celsius"}, {"time", param_ts(t(330))}}, 200,
      success(R"({"resultType":"vector","result":[{"metric":)" + std::string(kTemp) +
              R"(,"value":)" + pair(t(330), kTemperatureStrings[11]) + "}]}"));
  expect_get_and_post(
      "/api/v1/query", {{"query", "18446744073709551615"}, {"time", param_ts(t(330))}}, 200,
      success(R"({"resultType":"scalar","result":)" + pair(t(330), "18446744073709552000") + "}"));
  expect_get_and_post(
      "/api/v1/query", {{"query", "-1.2345678901234567e19"}, {"time", param_ts(t(330))}}, 200,
      success(R"({"resultType":"scalar","result":)" + pair(t(330), "-12345678901234567000") + "}"));
}

TEST_F(StrataE2ETest, RangeQueryPointLimit) {
  // 11,000 steps (11,001 points) is the most Prometheus allows.
  HttpResponse ok = get_ok("/api/v1/query_range?" + query_string({{"query", "vector(1)"},
                                                                  {"start", param_ts(t(0))},
                                                                  {"end", param_ts(t(11000))},
                                                                  {"step", "1"}}));
  auto j = nlohmann::json::parse(ok.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["values"].size(), 11001u);
  expect_get_and_post(
      "/api/v1/query_range",
      {{"query", "vector(1)"},
       {"start", param_ts(t(0))},
       {"end", param_ts(t(11001))},
       {"step", "1"}},
      400,
      error_json("bad_data",
                 "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                 "query resolution (?step=XX)"));
  expect_get_and_post(
      "/api/v1/query_range",
      {{"query", "vector(1)"},
       {"start", param_ts(t(0))},
       {"end", param_ts(t(1101))},
       {"step", "0.1"}},
      400,
      error_json("bad_data",
                 "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                 "query resolution (?step=XX)"));
}

// A query that runs far longer than its `timeout` parameter is aborted with
// 503 and errorType "timeout" (Prometheus 2.42 answers this very request
// after ~0.1 s with "query timed out in expression evaluation").
TEST_F(StrataE2ETest, QueryTimeoutParameterAbortsSlowQueries) {
  HttpClient c = server_->client();
  auto r = c.get("/api/v1/query_range?" +
                 query_string({{"query", "quantile_over_time(0.5, vector(time())[1h:1ms])"},
                               {"start", param_ts(t(0))},
                               {"end", param_ts(t(20))},
                               {"step", "1"},
                               {"timeout", "100ms"}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503) << r->body.substr(0, 300);
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r->body.substr(0, 300);
  EXPECT_EQ(j.value("status", ""), "error");
  EXPECT_EQ(j.value("errorType", ""), "timeout");
  EXPECT_THAT(j.value("error", ""), HasSubstr("query timed out in "));
}

}  // namespace
}  // namespace strata::integration
