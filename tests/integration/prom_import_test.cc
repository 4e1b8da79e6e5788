// Migrating from Prometheus, end to end: Prometheus 2.42 gets a few hours of
// samples over remote write (tests/testutil/prom_blocks.h: several persisted
// blocks, a tombstone, a snapshot), answers a set of PromQL queries, and is
// stopped; `stratatool import prometheus-tsdb` converts the snapshot into a
// strata data directory; strata (--query.compat=v2) started on it must
// answer the same queries with the same `data`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testutil/http_client.h"
#include "tests/testutil/prom_blocks.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata::integration {
namespace {

using nlohmann::json;

struct Query {
  std::string expr;
  bool range;  // a range query over the imported span, else instant at its end
  int64_t step_s = 300;
};

// `path?params` from `server`'s API: the `data` member, or the whole body
// when the query failed.
json ask(testutil::ServerProcess& server, const std::string& path) {
  testutil::HttpClient c = server.client();
  auto r = c.get(path);
  if (!r.ok()) return json{{"transport_error", std::string(r.status().message())}};
  json j = json::parse(r->body, nullptr, false);
  if (r->status != 200 || !j.contains("data")) return json{{"http", r->status}, {"body", r->body}};
  json d = j["data"];
  // An instant vector's order is unspecified (Prometheus' aggregations come
  // out in hash order): compare it as a set.
  if (d.value("resultType", "") == "vector") {
    std::sort(d["result"].begin(), d["result"].end(),
              [](const json& a, const json& b) { return a["metric"].dump() < b["metric"].dump(); });
  }
  return d;
}

// Runs `cmd`, returning its exit status and output.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return {-1, "popen failed"};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return {::pclose(f), out};
}

// Prometheus' answers are taken once: the blocks, the queries and what
// Prometheus answered to each, shared by the tests below.
class PromImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testutil::prometheus_installed()) return;
    tmp_ = new testutil::TempDir("prom_import_e2e");
    auto blocks = testutil::make_prom_blocks(tmp_->path() + "/snapshot");
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    blocks_ = new testutil::PromBlocks(std::move(*blocks));
    const int64_t start_s = blocks_->mint_ms / 1000 + 600, end_s = blocks_->maxt_ms / 1000;
    // Inside the deleted range of inst1, to see the tombstone honoured.
    const int64_t deleted_s = blocks_->deleted_mint_ms / 1000 + 300;
    const std::vector<Query> queries = {
        {"import_metric_0{job=\"job0\"}", false},
        {"sum by (job) (rate(import_metric_1[5m]))", false},
        {"count(import_metric_2)", false},
        {"import_metric_1{instance=\"inst1\"}[30m]", false},
        {"rate(import_metric_0{job=\"job0\"}[5m])", true},
        {"sum by (job) (increase(import_metric_1[10m]))", true, 600},
        {"max_over_time(import_metric_1{instance=~\"inst1|inst4\"}[10m])", true, 120},
        {"count by (__name__) ({__name__=~\"import_metric_.*\"})", true, 900},
        {"avg(import_metric_2) by (job) - min(import_metric_2) by (job)", true, 1800},
    };
    auto path_of = [&](const Query& q, int64_t at_s) {
      if (!q.range) {
        return "/api/v1/query?" + testutil::form_encode({{"query", q.expr},
                                                         {"time", std::to_string(at_s)}});
      }
      return "/api/v1/query_range?" +
             testutil::form_encode({{"query", q.expr}, {"start", std::to_string(start_s)},
                                    {"end", std::to_string(end_s)},
                                    {"step", std::to_string(q.step_s)}});
    };
    paths_ = new std::vector<std::string>();
    want_ = new std::vector<json>();
    for (const Query& q : queries) {
      paths_->push_back(path_of(q, end_s));
      if (!q.range) paths_->push_back(path_of(q, deleted_s));
    }
    for (const std::string& p : *paths_) want_->push_back(ask(*blocks_->prometheus, p));
    blocks_->prometheus.reset();  // stopped: the user switches
  }
  static void TearDownTestSuite() {
    delete want_;
    delete paths_;
    delete blocks_;
    delete tmp_;
  }
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    ASSERT_NE(want_, nullptr);
  }

  // Every query answers on `strata` as it did on Prometheus.
  void expect_answers_like_prometheus(testutil::ServerProcess& strata) {
    for (size_t i = 0; i < paths_->size(); ++i) {
      SCOPED_TRACE((*paths_)[i]);
      const json& want = (*want_)[i];
      json got = ask(strata, (*paths_)[i]);
      ASSERT_TRUE(want.contains("result")) << "prometheus: " << want.dump();
      EXPECT_FALSE(want["result"].empty()) << "the query should find samples";
      EXPECT_EQ(got, want) << "prometheus: " << want.dump().substr(0, 2000)
                           << "\nstrata: " << got.dump().substr(0, 2000);
    }
  }

  static testutil::TempDir* tmp_;
  static testutil::PromBlocks* blocks_;
  static std::vector<std::string>* paths_;
  static std::vector<json>* want_;
};
testutil::TempDir* PromImportTest::tmp_ = nullptr;
testutil::PromBlocks* PromImportTest::blocks_ = nullptr;
std::vector<std::string>* PromImportTest::paths_ = nullptr;
std::vector<json>* PromImportTest::want_ = nullptr;

TEST_F(PromImportTest, ImportedHistoryAnswersLikePrometheus) {
  const std::string dst = tmp_->path() + "/strata-data";
  auto [rc, out] = run(std::string(STRATATOOL_BINARY) + " import prometheus-tsdb '" +
                       blocks_->snapshot_dir + "' --storage.tsdb.path='" + dst + "'");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("imported"), std::string::npos) << out;
  auto strata = testutil::start_strata({"--query.compat=v2", "--storage.tsdb.path=" + dst});
  ASSERT_TRUE(strata.ok()) << strata.status();
  expect_answers_like_prometheus(**strata);
}

TEST_F(PromImportTest, PrometheusDirectoryServedAlongsideAnswersLikePrometheus) {
  auto strata = testutil::start_strata(
      {"--query.compat=v2", "--storage.prometheus-tsdb.path=" + blocks_->snapshot_dir});
  ASSERT_TRUE(strata.ok()) << strata.status();
  expect_answers_like_prometheus(**strata);

  // New samples go to Strata's own storage; a query sees both.
  const int64_t t = blocks_->maxt_ms + 30000;
  testutil::HttpClient c = (*strata)->client();
  auto w = c.post("/api/v1/write",
                  testutil::encode_write_request(
                      {{{{"__name__", "import_metric_2"}, {"instance", "inst2"}, {"job", "job2"}},
                        {{t, 1234}}}}),
                  "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->status / 100, 2) << w->body;
  json got = ask(**strata, "/api/v1/query?" + testutil::form_encode(
                                                  {{"query", "import_metric_2{instance=\"inst2\"}[2m]"},
                                                   {"time", std::to_string(t / 1000)}}));
  ASSERT_EQ(got["result"].size(), 1u) << got.dump();
  const json& values = got["result"][0]["values"];
  ASSERT_EQ(values.size(), 3u) << got.dump();  // two from Prometheus' blocks, one new
  EXPECT_EQ(values[2][1], "1234");
}

}  // namespace
}  // namespace strata::integration
