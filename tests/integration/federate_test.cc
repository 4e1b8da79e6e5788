// /federate against Prometheus 2.42: the same samples are remote-written to
// a real Prometheus and to strata (both with the same external labels), and
// their /federate answers must be byte-identical for a set of selectors,
// including the errors. Then a third server, a Prometheus federating from
// both with honor_labels, must hold the same series and values from each.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/testutil/eventually.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using nlohmann::json;
using testutil::RwSeries;

constexpr const char* kConfig =
    "global:\n"
    "  scrape_interval: 1m\n"
    "  external_labels:\n"
    "    zone: eu\n"
    "    a: x\n";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double stale_nan() {
  uint64_t bits = 0x7ff0000000000002ULL;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Families of at most a few series each: Prometheus orders a family's series
// by an unstable sort, which keeps label order only for small families.
std::vector<RwSeries> data(int64_t t) {
  return {
      {{{"__name__", "fed_requests_total"}, {"instance", "api-1:80"}, {"job", "api"}, {"code", "200"}},
       {{t - 30000, 10}, {t - 15000, 12}, {t, 1e6}}},
      {{{"__name__", "fed_requests_total"}, {"instance", "api-1:80"}, {"job", "api"}, {"code", "500"}},
       {{t, 0.001}}},
      // No instance label: federation adds instance="".
      {{{"__name__", "fed_cost"}, {"job", "billing"}}, {{t, 1234567.5}}},
      // An external label the series has itself is not added again.
      {{{"__name__", "fed_cost"}, {"job", "billing"}, {"zone", "us"}}, {{t, -0.5}}},
      // Values and label values that need escaping or special spellings.
      {{{"__name__", "fed_odd"}, {"path", "a\"b\\c\nd"}}, {{t, std::nan("")}}},
      {{{"__name__", "fed_odd"}, {"path", "inf"}}, {{t, INFINITY}}},
      {{{"__name__", "fed_odd"}, {"path", "-inf"}}, {{t, -INFINITY}}},
      {{{"__name__", "fed_odd"}, {"path", "tiny"}}, {{t, 1.5e-7}}},
      // Newest sample a staleness marker: left out.
      {{{"__name__", "fed_gone"}, {"job", "x"}}, {{t - 20000, 1}, {t - 10000, stale_nan()}}},
      // Only samples older than the lookback delta: left out.
      {{{"__name__", "fed_old"}, {"job", "x"}}, {{t - 600000, 1}}},
      {{{"__name__", "other_metric"}, {"job", "x"}}, {{t - 1000, 42}}},
  };
}

class FederateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    auto s = testutil::start_strata({"--query.compat=v2"}, kConfig);
    ASSERT_TRUE(s.ok()) << s.status();
    strata_ = std::move(*s);
    auto p = testutil::start_prometheus(kConfig, 0, {"--web.enable-remote-write-receiver"});
    ASSERT_TRUE(p.ok()) << p.status();
    prom_ = std::move(*p);
    std::string body = testutil::encode_write_request(data(now_ms() / 1000 * 1000 - 5000));
    for (testutil::ServerProcess* s : {prom_.get(), strata_.get()}) {
      auto r = s->client().post("/api/v1/write", body, "application/x-protobuf",
                                testutil::remote_write_headers());
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->status, 204) << r->body;
    }
  }

  static testutil::HttpResponse federate(testutil::ServerProcess& s,
                                         const std::vector<std::string>& matches) {
    std::vector<std::pair<std::string, std::string>> form;
    for (const std::string& m : matches) form.push_back({"match[]", m});
    auto r = s.client().get("/federate?" + testutil::form_encode(form));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : testutil::HttpResponse{};
  }

  std::unique_ptr<testutil::ServerProcess> strata_, prom_;
};

TEST_F(FederateTest, AnswersLikePrometheus) {
  const std::vector<std::vector<std::string>> cases = {
      {"fed_requests_total"},
      {"{__name__=~\"fed_.*\"}"},
      {"{__name__=~\"fed_.*\"}", "fed_cost", "other_metric"},  // overlapping selectors
      {"{job=\"billing\"}", "{path=~\"in.*\"}"},
      {"{__name__=~\"fed_.*\", job=\"\"}"},
      {"fed_cost{zone!=\"us\"}"},
      {"nothing_matches"},
      {},
      // Errors.
      {"fed_cost{"},
      {""},
      {"sum(fed_cost)"},
      {"fed_cost[5m]"},
      {"{job=~\"(\"}"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c));
    testutil::HttpResponse want = federate(*prom_, c);
    testutil::HttpResponse got = federate(*strata_, c);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.body, want.body);
    EXPECT_EQ(got.header("content-type"), want.header("content-type"));
  }
  // The data is there at all (not two empty answers).
  EXPECT_NE(federate(*strata_, {"fed_requests_total"}).body.find("1e+06"), std::string::npos);
}

TEST_F(FederateTest, APrometheusFederatingFromBothGetsTheSameSeries) {
  // honor_labels keeps the federated labels; the target label `source`
  // (absent from the data) tells the two copies apart.
  auto job = [](const std::string& name, const testutil::ServerProcess& s) {
    return "- job_name: " + name +
           "\n  honor_labels: true\n  metrics_path: /federate\n  scrape_interval: 1s\n"
           "  params:\n    'match[]': ['{__name__=~\"fed_.*|other_metric\"}']\n"
           "  static_configs:\n  - targets: ['127.0.0.1:" +
           std::to_string(s.port()) + "']\n    labels: {source: " + name + "}\n";
  };
  std::string config = "global:\n  scrape_interval: 1s\nscrape_configs:\n" +
                       job("prometheus", *prom_) + job("strata", *strata_);
  auto f = testutil::start_prometheus(config);
  ASSERT_TRUE(f.ok()) << f.status();
  auto fed = std::move(*f);

  // "labels value" lines of one source's copy, without the source label.
  auto copy_of = [&](const std::string& source) {
    std::vector<std::string> out;
    auto r = fed->client().get(
        "/api/v1/query?" +
        testutil::form_encode({{"query", "{__name__=~\"fed_.*|other_metric\", source=\"" + source + "\"}"}}));
    if (!r.ok() || r->status != 200) return out;
    json body = json::parse(r->body);
    for (json s : body["data"]["result"]) {
      s["metric"].erase("source");
      // A series without a job takes the federating job's.
      if (s["metric"].value("job", "") == source) s["metric"]["job"] = "SOURCE";
      out.push_back(s["metric"].dump() + " " + s["value"][1].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  // instance="" from federation keeps the scraping job's instance off
  // (honor_labels: an empty label is no label).
  const std::vector<std::string> want = {
      R"({"__name__":"fed_cost","a":"x","job":"billing","zone":"eu"} 1234567.5)",
      R"({"__name__":"fed_cost","a":"x","job":"billing","zone":"us"} -0.5)",
      R"({"__name__":"fed_odd","a":"x","job":"SOURCE","path":"-inf","zone":"eu"} -Inf)",
      R"({"__name__":"fed_odd","a":"x","job":"SOURCE","path":"a\"b\\c\nd","zone":"eu"} NaN)",
      R"({"__name__":"fed_odd","a":"x","job":"SOURCE","path":"inf","zone":"eu"} +Inf)",
      R"({"__name__":"fed_odd","a":"x","job":"SOURCE","path":"tiny","zone":"eu"} 1.5e-07)",
      R"({"__name__":"fed_requests_total","a":"x","code":"200","instance":"api-1:80","job":"api","zone":"eu"} 1000000)",
      R"({"__name__":"fed_requests_total","a":"x","code":"500","instance":"api-1:80","job":"api","zone":"eu"} 0.001)",
      R"({"__name__":"other_metric","a":"x","job":"x","zone":"eu"} 42)",
  };

  std::vector<std::string> from_prom, from_strata;
  ASSERT_TRUE(testutil::eventually(
      [&] {
        from_prom = copy_of("prometheus");
        from_strata = copy_of("strata");
        return from_prom.size() == want.size() && from_strata.size() == want.size();
      },
      std::chrono::seconds(30)))
      << ::testing::PrintToString(from_prom) << "\n" << ::testing::PrintToString(from_strata) << "\n"
      << fed->log();
  EXPECT_EQ(from_prom, want);
  EXPECT_EQ(from_strata, from_prom);
}

// Strata's own bound: a federation that would hold more series than
// --query.max-samples is refused (422) instead of building the answer.
TEST(FederateLimitTest, MoreSeriesThanMaxSamplesIs422) {
  auto s = testutil::start_strata({"--query.max-samples=5"}, kConfig);
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<RwSeries> series;
  const int64_t t = now_ms();
  for (int i = 0; i < 6; ++i)
    series.push_back({{{"__name__", "fed_many"}, {"i", std::to_string(i)}}, {{t, double(i)}}});
  auto w = (*s)->client().post("/api/v1/write",
                               testutil::encode_write_request(series),
                               "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->status, 204) << w->body;
  auto five = (*s)->client().get("/federate?match[]=" + testutil::url_encode("fed_many{i!=\"5\"}"));
  ASSERT_TRUE(five.ok()) << five.status();
  EXPECT_EQ(five->status, 200) << five->body;
  auto six = (*s)->client().get("/federate?match[]=fed_many");
  ASSERT_TRUE(six.ok()) << six.status();
  EXPECT_EQ(six->status, 422);
  EXPECT_EQ(six->body,
            "federation would load too many samples into memory (--query.max-samples=5); narrow "
            "the match[] selectors\n");
}

}  // namespace
}  // namespace strata::integration
