// End to end against the real binary: requests that used to crash or exhaust
// the server (issue "No request can crash or exhaust Strata") get an answer
// and the server lives on. Each reproduction is run as a user would send it;
// after each, /-/healthy must still answer.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/sanitizers.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using nlohmann::json;
using testutil::HttpClient;
using testutil::RwSeries;
using Params = std::vector<std::pair<std::string, std::string>>;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A /proc/<pid>/status field in bytes (VmHWM: peak resident set; RssAnon:
// resident anonymous memory), or -1.
int64_t proc_status_bytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  return -1;
}

class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testutil::start_strata();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }

  HttpClient client() { return server_->client(); }

  void write(const std::vector<RwSeries>& series) {
    HttpClient c = client();
    auto r = c.post("/api/v1/write", testutil::encode_write_request(series),
                    "application/x-protobuf", testutil::remote_write_headers());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 204) << r->body;
  }

  testutil::HttpResponse query(const std::string& path, const Params& params) {
    HttpClient c = client();
    auto r = c.post(path, testutil::form_encode(params), "application/x-www-form-urlencoded");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : testutil::HttpResponse{};
  }

  void expect_alive() {
    HttpClient c = client();
    auto r = c.get("/-/healthy");
    ASSERT_TRUE(r.ok()) << "server gone: " << r.status();
    EXPECT_EQ(r->status, 200);
  }

  std::unique_ptr<testutil::ServerProcess> server_;
};

// Range queries whose series become equal after a label change and never
// overlap in time used to crash the evaluator; Prometheus 3 merges them.
TEST_F(RobustnessTest, SeriesThatMergeAfterALabelChangeAnswerLikePrometheus) {
  const int64_t t = (now_ms() - 30 * 60 * 1000) / 1000 * 1000;
  const int64_t t2 = t + 20 * 60 * 1000;
  write({{{{"__name__", "series"}, {"label", "a"}, {"idx", "1"}}, {{t, 1}}},
         {{{"__name__", "series"}, {"label", "a"}, {"idx", "2"}}, {{t2, 2}}},
         {{{"__name__", "metric_a"}, {"job", "api"}}, {{t, 1}}},
         {{{"__name__", "metric_b"}, {"job", "api"}}, {{t2, 2}}}});
  const std::string start = std::to_string(t / 1000), end = std::to_string(t2 / 1000);
  struct Case {
    std::string query;
    json metric;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {R"(label_replace(series,"idx","replaced","idx",".*"))",
       {{"__name__", "series"}, {"label", "a"}, {"idx", "replaced"}}, {1, 2}},
      {R"(label_join(series, "idx", ",", "label", "label"))",
       {{"__name__", "series"}, {"label", "a"}, {"idx", "a,a"}}, {1, 2}},
      {R"(-{job="api"})", {{"job", "api"}}, {-1, -2}},
      {"-metric_a or -metric_b", {{"job", "api"}}, {-1, -2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    auto r = query("/api/v1/query_range",
                   {{"query", c.query}, {"start", start}, {"end", end}, {"step", "20m"}});
    ASSERT_EQ(r.status, 200) << r.body;
    json body = json::parse(r.body);
    ASSERT_EQ(body["data"]["result"].size(), 1u) << r.body;
    const json& s = body["data"]["result"][0];
    EXPECT_EQ(s["metric"], c.metric);
    ASSERT_EQ(s["values"].size(), c.values.size());
    for (size_t i = 0; i < c.values.size(); ++i)
      EXPECT_EQ(std::stod(s["values"][i][1].get<std::string>()), c.values[i]);
    expect_alive();
  }
  // Where two of them have a sample at the same step it is an error.
  write({{{{"__name__", "metric_c"}, {"job", "api"}}, {{t2, 3}}}});
  auto r = query("/api/v1/query_range",
                 {{"query", R"(-{job="api"})"}, {"start", start}, {"end", end}, {"step", "20m"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("vector cannot contain metrics with the same labelset"), std::string::npos)
      << r.body;
  expect_alive();
}

// The experimental limit_ratio over the same kind of merge.
TEST_F(RobustnessTest, LimitRatioUnionAnswers) {
  server_.reset();
  auto s = testutil::start_strata({"--enable-feature=promql-experimental-functions"});
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = std::move(*s);
  const int64_t t = (now_ms() - 30 * 60 * 1000) / 60000 * 60000;
  std::vector<RwSeries> series;
  for (int i = 0; i < 6; ++i) {
    RwSeries rs{{{"__name__", "http_requests"}, {"job", "api"}, {"instance", std::to_string(i)}}, {}};
    for (int k = 0; k <= 20; ++k) rs.samples.push_back({t + k * 60000, double(k)});
    series.push_back(std::move(rs));
  }
  write(series);
  auto r = query("/api/v1/query_range",
                 {{"query",
                   "count(limit_ratio(time() % 17/17, http_requests) or "
                   "limit_ratio(-(1.0 - (time() % 17/17)), http_requests))"},
                  {"start", std::to_string(t / 1000)},
                  {"end", std::to_string(t / 1000 + 1200)},
                  {"step", "60"}});
  ASSERT_EQ(r.status, 200) << r.body;
  // Every series is sampled by exactly one side at every step.
  json body = json::parse(r.body);
  ASSERT_EQ(body["data"]["result"].size(), 1u);
  for (const json& v : body["data"]["result"][0]["values"]) EXPECT_EQ(v[1], "6");
  expect_alive();
}

// One header field longer than Beast's field store used to abort the process.
TEST_F(RobustnessTest, OversizedHeaderFieldIs431AndTheServerLives) {
  HttpClient c = client();
  auto r = c.get("/-/healthy", {{"X-A", std::string(65535, 'a')}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 431);
  HttpClient c2 = client();
  auto name = c2.get("/-/healthy", {{std::string(70000, 'n'), "v"}});
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->status, 431);
  // A long but storable field is fine.
  HttpClient c3 = client();
  auto ok = c3.get("/-/healthy", {{"X-A", std::string(60000, 'a')}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
  expect_alive();
}

// A fine-step subquery over many series used to grow the process until the
// kernel killed it. It is refused (422, as Prometheus) before memory is
// spent: peak RSS stays under 2 GiB (Prometheus needs about 2 GB here), and
// the memory of the refused query is given back within seconds.
TEST_F(RobustnessTest, FineStepSubqueryOverManySeriesIsRefusedWithBoundedMemory) {
  const int64_t t = now_ms() / 1000 * 1000;
  constexpr int kSeries = 100000;
  for (int b = 0; b < kSeries; b += 10000) {
    std::vector<RwSeries> batch;
    for (int i = b; i < b + 10000; ++i) {
      batch.push_back({{{"__name__", "m" + std::to_string(i % 50)}, {"i", std::to_string(i)}},
                       {{t - 9 * 60 * 1000, double(i)}, {t - 4 * 60 * 1000, double(i + 1)}}});
    }
    write(batch);
  }
  const int64_t rss_before = proc_status_bytes(server_->pid(), "RssAnon");
  for (const std::string q : {R"(sum(count_over_time({__name__=~".+"}[10m:1ms])))",
                              R"(sum(count_over_time({__name__=~".+"}[10s:1ms])))"}) {
    SCOPED_TRACE(q);
    auto r = query("/api/v1/query",
                   {{"query", q}, {"time", std::to_string(t / 1000)}, {"timeout", "20s"}});
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("query processing would load too many samples into memory"),
              std::string::npos)
        << r.body;
    expect_alive();
  }
  const int64_t peak = proc_status_bytes(server_->pid(), "VmHWM");
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, int64_t(2) << 30) << "peak RSS " << peak;
  // Freed heap goes back to the kernel once no query runs (the trimmer looks
  // every 2 s): allow a few rounds on a busy machine.
  int64_t rss = 0;
  for (int i = 0; i < 40; ++i) {
    rss = proc_status_bytes(server_->pid(), "RssAnon");
    if (rss < rss_before + (int64_t(200) << 20)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!kAddressSanitizer)  // its quarantine keeps freed memory resident
    EXPECT_LT(rss, rss_before + (int64_t(200) << 20))
      << "before " << rss_before << ", after " << rss << ", peak " << peak;
}

// Tools generate long chains of `or`: 10,000 operands are answered (the
// server's query threads have deep stacks and the evaluator walks chains in
// a loop); only nesting that would overflow the stack is refused, cleanly.
TEST_F(RobustnessTest, LongOperatorChainsAreAnsweredAndAbsurdNestingRefused) {
  const int64_t t = now_ms() / 1000 * 1000;
  write({{{{"__name__", "a"}, {"x", "1"}}, {{t - 1000, 1}}},
         {{{"__name__", "b"}, {"x", "2"}}, {{t - 1000, 2}}}});
  std::string chain = "a";
  for (int i = 1; i < 10000; ++i) chain += i % 2 ? " or b" : " or a";
  auto r = query("/api/v1/query", {{"query", chain}, {"time", std::to_string(t / 1000)}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(json::parse(r.body)["data"]["result"].size(), 2u);
  auto range = query("/api/v1/query_range", {{"query", chain},
                                              {"start", std::to_string(t / 1000 - 60)},
                                              {"end", std::to_string(t / 1000)},
                                              {"step", "15"}});
  ASSERT_EQ(range.status, 200) << range.body.substr(0, 300);

  std::string deep = std::string(200000, '(') + "a" + std::string(200000, ')');
  auto d = query("/api/v1/query", {{"query", deep}});
  EXPECT_EQ(d.status, 400);
  EXPECT_NE(d.body.find("expression nesting is deeper than"), std::string::npos)
      << d.body.substr(0, 300);
  expect_alive();
}

// Prometheus' answers to OPTIONS, HEAD and CORS on the API.
TEST_F(RobustnessTest, OptionsHeadAndCorsLikePrometheus) {
  HttpClient c = client();
  auto pre = c.request("OPTIONS", "/api/v1/query", "", {{"Origin", "http://grafana.example"}});
  ASSERT_TRUE(pre.ok()) << pre.status();
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->header("access-control-allow-origin"), "*");
  EXPECT_EQ(pre->header("access-control-allow-methods"), "GET, POST, OPTIONS");
  EXPECT_EQ(pre->header("access-control-allow-headers"),
            "Accept, Authorization, Content-Type, Origin");
  auto any = c.request("OPTIONS", "/api/v1/anything", "", {});
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->status, 204);
  EXPECT_FALSE(any->has_header("access-control-allow-origin"));

  auto q = c.get("/api/v1/query?query=1", {{"Origin", "http://grafana.example"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->status, 200);
  EXPECT_EQ(q->header("access-control-allow-origin"), "*");
  EXPECT_EQ(q->header("vary"), "Origin");

  auto head = c.head("/api/v1/query?query=1");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 405);
  EXPECT_EQ(head->header("allow"), "GET, OPTIONS, POST");
  auto head_ready = c.head("/-/ready");
  ASSERT_TRUE(head_ready.ok());
  EXPECT_EQ(head_ready->status, 200);
  auto head_metrics = c.head("/metrics");
  ASSERT_TRUE(head_metrics.ok());
  EXPECT_EQ(head_metrics->status, 405);
}

TEST_F(RobustnessTest, CorsOriginFlagIsAnAnchoredRegex) {
  server_.reset();
  auto s = testutil::start_strata({"--web.cors.origin=https?://grafana\\.example"});
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = std::move(*s);
  HttpClient c = client();
  auto ok = c.get("/api/v1/query?query=1", {{"Origin", "https://grafana.example"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->header("access-control-allow-origin"), "https://grafana.example");
  auto no = c.get("/api/v1/query?query=1", {{"Origin", "https://grafana.example.evil"}});
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no->has_header("access-control-allow-origin"));
  EXPECT_EQ(no->header("access-control-allow-methods"), "GET, POST, OPTIONS");
}

TEST_F(RobustnessTest, RulesTypeFilterAndMalformedEscapesLikePrometheus) {
  HttpClient c = client();
  auto bogus = c.get("/api/v1/rules?type=bogus");
  ASSERT_TRUE(bogus.ok());
  EXPECT_EQ(bogus->status, 400);
  EXPECT_EQ(bogus->body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"type\": not supported value \"bogus\""})");
  auto alert = c.get("/api/v1/rules?type=ALERT");
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->status, 200);

  // Go's form parser drops a pair with a bad escape: the query is missing.
  auto bad = c.get("/api/v1/query?query=up%zz");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error: no expression found in input"})");
  // ... and one with a semicolon; the other pairs still count.
  auto semi = c.get("/api/v1/query?query=1&time=5;x");
  ASSERT_TRUE(semi.ok());
  EXPECT_EQ(semi->status, 200) << semi->body;
  // query_exemplars reports a parse error without the parameter's name.
  auto ex = c.get("/api/v1/query_exemplars?query=up%7B&start=0&end=100");
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->status, 400);
  EXPECT_EQ(ex->body,
            R"({"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"})");
  // A path that does not decode is a bad request.
  auto path = c.get("/api/v1/qu%zzery");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->status, 400);
  expect_alive();
}

}  // namespace
}  // namespace strata::integration
