// Exemplars end to end: remote write stores them, /api/v1/query_exemplars
// returns them in Prometheus' exact JSON, selecting series by the selectors
// of the query expression and the time range; refused exemplars are counted
// and never fail the write.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using ::testing::HasSubstr;
using testutil::RwExemplar;
using testutil::RwSeries;

class StrataExemplarsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = testutil::start_strata();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static std::string get(const std::string& target) {
    auto r = server_->client().get(target);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << target << ": " << r->body;
    return r->body;
  }
  static std::string exemplars(const std::string& query, int64_t start_ms, int64_t end_ms) {
    return get("/api/v1/query_exemplars?query=" + testutil::url_encode(query) +
               "&start=" + param_ts(start_ms) + "&end=" + param_ts(end_ms));
  }
  static std::string ex_json(const std::string& labels, const std::string& value, int64_t t) {
    return R"({"labels":)" + labels + R"(,"value":")" + value + R"(","timestamp":)" + json_ts(t) +
           "}";
  }

  static inline testutil::ServerProcess* server_ = nullptr;
};

TEST_F(StrataExemplarsTest, RemoteWrittenExemplarsComeBackInPrometheusShape) {
  const int64_t t0 = default_t0_ms();
  std::vector<RwSeries> series = {
      {{{"__name__", "ex_requests_total"}, {"job", "api"}},
       {{t0, 1}, {t0 + 15'000, 2}},
       {{{{"trace_id", "abc"}}, 1, t0},
        {{{"trace_id", "def"}, {"span_id", "x"}}, 2.5, t0 + 15'000},
        {{{"trace_id", "def"}, {"span_id", "x"}}, 2.5, t0 + 15'000},  // resend: ignored
        {{{"trace_id", "old"}}, 3, t0 - 1000}}},                      // out of order
      {{{"__name__", "ex_requests_total"}, {"job", "web"}},
       {{t0 + 5000, 7}},
       {{{{"trace_id", "w1"}}, 0.125, t0 + 5000}}},
      {{{"__name__", "ex_other"}}, {{t0, 1}}, {{{}, 42, t0}}},
  };
  auto w = server_->client().post("/api/v1/write", testutil::encode_write_request(series),
                                  "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->status, 204) << w->body;
  EXPECT_EQ(w->header("x-prometheus-remote-write-exemplars-written"), "5");

  const std::string api =
      R"({"seriesLabels":{"__name__":"ex_requests_total","job":"api"},"exemplars":[)" +
      ex_json(R"({"trace_id":"abc"})", "1", t0) + "," +
      ex_json(R"({"span_id":"x","trace_id":"def"})", "2.5", t0 + 15'000) + "]}";
  const std::string web =
      R"({"seriesLabels":{"__name__":"ex_requests_total","job":"web"},"exemplars":[)" +
      ex_json(R"({"trace_id":"w1"})", "0.125", t0 + 5000) + "]}";
  EXPECT_EQ(exemplars("ex_requests_total", t0 - 60'000, t0 + 60'000),
            R"({"status":"success","data":[)" + api + "," + web + "]}");
  // The time range cuts per exemplar.
  EXPECT_EQ(exemplars("ex_requests_total", t0 + 1, t0 + 60'000),
            R"({"status":"success","data":[{"seriesLabels":{"__name__":"ex_requests_total","job":"api"},"exemplars":[)" +
                ex_json(R"({"span_id":"x","trace_id":"def"})", "2.5", t0 + 15'000) + "]}," + web +
                "]}");
  // Selectors inside functions and binary expressions, as Prometheus
  // extracts them; a series matched by two selectors appears once.
  EXPECT_EQ(exemplars(R"(rate(ex_requests_total{job="web"}[5m]) + on() group_left ex_other)",
                      t0 - 60'000, t0 + 60'000),
            R"({"status":"success","data":[{"seriesLabels":{"__name__":"ex_other"},"exemplars":[)" +
                ex_json("{}", "42", t0) + "]}," + web + "]}");
  EXPECT_EQ(exemplars(R"(ex_requests_total or ex_requests_total{job="api"})", t0 - 60'000,
                      t0 + 60'000),
            R"({"status":"success","data":[)" + api + "," + web + "]}");
  EXPECT_EQ(exemplars("nothing_here", t0 - 60'000, t0 + 60'000), R"({"status":"success","data":[]})");
  // No selector at all: Prometheus leaves data out.
  EXPECT_EQ(exemplars("1 + 1", t0 - 60'000, t0 + 60'000), R"({"status":"success"})");

  const std::string m = get("/metrics");
  EXPECT_THAT(m, HasSubstr("strata_tsdb_exemplar_exemplars_in_storage 4\n"));
  EXPECT_THAT(m, HasSubstr("strata_tsdb_exemplar_series_with_exemplars_in_storage 3\n"));
  EXPECT_THAT(m, HasSubstr("strata_tsdb_exemplar_max_exemplars 100000\n"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_exemplars_received_total 6\n"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_exemplars_rejected_total 1\n"));
}

TEST(StrataExemplarsLimitTest, ZeroLimitStoresNoneAndStillAcceptsTheWrite) {
  auto s = testutil::start_strata({"--storage.exemplars.exemplars-limit=0"});
  ASSERT_TRUE(s.ok()) << s.status();
  const int64_t t0 = default_t0_ms();
  std::vector<RwSeries> series = {
      {{{"__name__", "ex_off"}}, {{t0, 1}}, {{{{"trace_id", "abc"}}, 1, t0}}}};
  auto w = (*s)->client().post("/api/v1/write", testutil::encode_write_request(series),
                               "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->status, 204) << w->body;
  EXPECT_EQ(w->header("x-prometheus-remote-write-samples-written"), "1");
  EXPECT_EQ(w->header("x-prometheus-remote-write-exemplars-written"), "0");
  auto r = (*s)->client().get("/api/v1/query_exemplars?query=ex_off&start=" + param_ts(t0 - 1000) +
                              "&end=" + param_ts(t0 + 1000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace strata::integration
