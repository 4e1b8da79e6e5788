// The /api/v1 routes end to end without sockets: data goes in through the
// remote-write route, answers are compared byte for byte with Prometheus' JSON.
#include "api/api.h"

#include <gtest/gtest.h>

#include "api/params.h"
#include "remote/codec.h"
#include "remote/remote.pb.h"

namespace strata::api {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = tsdb::DB::open(tsdb::DBOptions{""}, &registry_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    engine_ = std::make_unique<promql::Engine>(promql::EngineOptions{}, &registry_);
    ctx_.queryable = db_.get();
    ctx_.appendable = db_.get();
    ctx_.metadata = db_.get();
    ctx_.exemplars = db_.get();
    ctx_.stats = db_.get();
    ctx_.admin = db_.get();
    ctx_.engine = engine_.get();
    ctx_.registry = &registry_;
    ctx_.status.version = "0.1.0";
    ctx_.status.revision = "abc";
    ctx_.status.branch = "main";
    ctx_.status.flags = {{"web.listen-address", "0.0.0.0:9090"}};
    ctx_.status.config_yaml = [] { return std::string("global:\n  scrape_interval: 15s\n"); };
    register_api_routes(router_, ctx_);

    prometheus::WriteRequest req;
    auto add = [&](std::vector<std::pair<std::string, std::string>> labels,
                   std::vector<std::pair<int64_t, double>> samples) {
      auto* ts = req.add_timeseries();
      for (auto& [n, v] : labels) {
        auto* l = ts->add_labels();
        l->set_name(n);
        l->set_value(v);
      }
      for (auto [t, v] : samples) {
        auto* s = ts->add_samples();
        s->set_timestamp(t);
        s->set_value(v);
      }
    };
    add({{"__name__", "up"}, {"instance", "localhost:9090"}, {"job", "prometheus"}},
        {{1000000, 1}, {1015000, 1}, {1030000, 0}});
    add({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}, {"method", "GET"}},
        {{1000000, 10}, {1015000, 25}, {1030000, 40}});
    add({{"__name__", "http_requests_total"}, {"code", "500"}, {"job", "api"}, {"method", "POST"}},
        {{1000000, 1}, {1015000, 2}, {1030000, 4}});
    auto* md = req.add_metadata();
    md->set_type(prometheus::MetricMetadata::COUNTER);
    md->set_metric_family_name("http_requests_total");
    md->set_help("Total requests.");
    HttpRequest w;
    w.method = "POST";
    w.path = "/api/v1/write";
    w.headers = {{"content-type", "application/x-protobuf"}, {"content-encoding", "snappy"}};
    w.body = strata::remote::encode_write_request(req);
    HttpResponse resp;
    router_.route(w, resp);
    ASSERT_EQ(resp.status, 204) << resp.body;
  }

  HttpResponse get(const std::string& path, const std::string& query) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query = query;
    HttpResponse resp;
    router_.route(r, resp);
    return resp;
  }
  HttpResponse post_form(const std::string& path, const std::string& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
    r.body = body;
    HttpResponse resp;
    router_.route(r, resp);
    return resp;
  }

  metrics::Registry registry_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<promql::Engine> engine_;
  ApiContext ctx_;
  Router router_;
};

TEST_F(ApiTest, InstantQueryVector) {
  auto r = get("/api/v1/query", "query=up&time=1030");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[1030,"0"]}]}})j");
}

TEST_F(ApiTest, InstantQueryScalarAndString) {
  // Grafana's "Save & test".
  auto r = post_form("/api/v1/query", "query=1%2B1&time=4");
  EXPECT_EQ(r.body, R"j({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})j");
  r = get("/api/v1/query", "query=%22hello%22&time=4.5");
  EXPECT_EQ(r.body, R"j({"status":"success","data":{"resultType":"string","result":[4.500,"hello"]}})j");
}

TEST_F(ApiTest, InstantQueryRangeSelectorIsLeftOpen) {
  auto r = get("/api/v1/query", "query=up%5B30s%5D&time=1030");
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"values":[[1015,"1"],[1030,"0"]]}]}})j");
}

TEST_F(ApiTest, RangeQueryPostForm) {
  auto r = post_form("/api/v1/query_range",
                     "query=http_requests_total%7Bcode%3D%22500%22%7D&start=1000&end=1030&step=15");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","code":"500","job":"api","method":"POST"},"values":[[1000,"1"],[1015,"2"],[1030,"4"]]}]}})j");
  r = get("/api/v1/query_range", "query=sum(rate(http_requests_total%5B1m%5D))&start=2026-11-22T00:00:00Z&end=2026-11-22T00:01:00Z&step=1m");
  EXPECT_EQ(r.body, R"j({"status":"success","data":{"resultType":"matrix","result":[]}})j");
}

TEST_F(ApiTest, SeriesLabelsValuesMetadata) {
  auto r = get("/api/v1/series", "match[]=http_requests_total&start=900&end=1100");
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":[{"__name__":"http_requests_total","code":"200","job":"api","method":"GET"},{"__name__":"http_requests_total","code":"500","job":"api","method":"POST"}]})j");
  r = post_form("/api/v1/series", "match[]=up&match[]=%7Bcode%3D%22500%22%7D");
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":[{"__name__":"http_requests_total","code":"500","job":"api","method":"POST"},{"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})j");
  r = get("/api/v1/labels", "");
  EXPECT_EQ(r.body, R"j({"status":"success","data":["__name__","code","instance","job","method"]})j");
  r = get("/api/v1/labels", "match[]=up");
  EXPECT_EQ(r.body, R"j({"status":"success","data":["__name__","instance","job"]})j");
  r = get("/api/v1/label/job/values", "");
  EXPECT_EQ(r.body, R"j({"status":"success","data":["api","prometheus"]})j");
  r = get("/api/v1/label/__name__/values", "limit=1");
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":["http_requests_total"],"warnings":["results truncated due to limit"]})j");
  r = get("/api/v1/metadata", "");
  EXPECT_EQ(r.body,
            R"j({"status":"success","data":{"http_requests_total":[{"type":"counter","help":"Total requests.","unit":""}]}})j");
  r = get("/api/v1/query_exemplars", "query=up&start=1&end=2");
  EXPECT_EQ(r.body, R"j({"status":"success","data":[]})j");
  // Grafana's exemplar probe sends milliseconds as seconds.
  r = get("/api/v1/query_exemplars", "query=test&start=1700000000000&end=1700000600000");
  EXPECT_EQ(r.status, 200);
}

TEST_F(ApiTest, StatusEndpoints) {
  EXPECT_EQ(get("/api/v1/status/buildinfo", "").body,
            R"j({"status":"success","data":{"version":"0.1.0","revision":"abc","branch":"main","buildUser":"","buildDate":"","goVersion":""}})j");
  EXPECT_EQ(get("/api/v1/status/flags", "").body,
            R"j({"status":"success","data":{"web.listen-address":"0.0.0.0:9090"}})j");
  EXPECT_EQ(get("/api/v1/status/config", "").body,
            R"j({"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n"}})j");
  auto tsdb = get("/api/v1/status/tsdb", "");
  EXPECT_NE(tsdb.body.find(R"j("headStats":{"numSeries":3,)j"), std::string::npos) << tsdb.body;
  EXPECT_NE(tsdb.body.find(R"j("seriesCountByMetricName":[{"name":"http_requests_total","value":2},{"name":"up","value":1}])j"),
            std::string::npos);
  EXPECT_NE(get("/api/v1/status/runtimeinfo", "").body.find(R"j("timeSeriesCount":3)j"), std::string::npos);
}

TEST_F(ApiTest, FormatQuery) {
  auto r = get("/api/v1/format_query", "query=sum(rate(foo%5B5m%5D))by(job)");
  EXPECT_EQ(r.body, R"j({"status":"success","data":"sum by (job) (rate(foo[5m]))"})j");
}

struct ErrorCase {
  const char* name;
  const char* path;
  const char* query;
  int status;
  const char* body;
};

TEST_F(ApiTest, ErrorsLookLikePrometheus) {
  const ErrorCase cases[] = {
      {"parse error", "/api/v1/query", "query=rate(a%5B5m%5D)%20%2F%20rate(b%5B5m%5D)%20by%20(provider)", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:27: parse error: unexpected \u003cby\u003e"})j"},
      {"empty query", "/api/v1/query", "query=", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error: no expression found in input"})j"},
      {"bad time", "/api/v1/query", "query=up&time=abc", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"})j"},
      {"bad timeout", "/api/v1/query", "query=up&timeout=x", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"x\" to a valid duration"})j"},
      {"end before start", "/api/v1/query_range", "query=up&start=10&end=5&step=1", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})j"},
      {"zero step", "/api/v1/query_range", "query=up&start=1&end=5&step=0", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"})j"},
      {"too many points", "/api/v1/query_range", "query=up&start=0&end=11001&step=1", 400,
       R"j({"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})j"},
      {"missing start", "/api/v1/query_range", "query=up&end=5&step=1", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"})j"},
      {"matrix in range query", "/api/v1/query_range", "query=up%5B5m%5D&start=1&end=5&step=1", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"})j"},
      {"series without match", "/api/v1/series", "", 400,
       R"j({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})j"},
      {"bad match", "/api/v1/series", "match[]=up%7B", 400, nullptr},
      {"bad limit", "/api/v1/labels", "limit=-1", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": limit must be non-negative"})j"},
      {"bad label name", "/api/v1/label/\xff/values", "", 400,
       R"j({"status":"error","errorType":"bad_data","error":"invalid label name: \"\\xff\""})j"},
      {"many-to-many", "/api/v1/query", "query=http_requests_total%20%2B%20on(job)%20http_requests_total&time=1030", 422,
       R"j({"status":"error","errorType":"execution","error":"found duplicate series for the match group {job=\"api\"} on the right hand-side of the operation: [{__name__=\"http_requests_total\", code=\"500\", job=\"api\", method=\"POST\"}, {__name__=\"http_requests_total\", code=\"200\", job=\"api\", method=\"GET\"}];many-to-many matching not allowed: matching labels must be unique on one side"})j"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = get(c.path, c.query);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.body) EXPECT_EQ(r.body, c.body);
    EXPECT_NE(r.body.find(R"j("status":"error")j"), std::string::npos);
  }
}

TEST_F(ApiTest, UnknownPathsAndMethods) {
  EXPECT_EQ(get("/api/v1/nope", "").status, 404);
  HttpRequest r;
  r.method = "DELETE";
  r.path = "/api/v1/query";
  HttpResponse resp;
  router_.route(r, resp);
  EXPECT_EQ(resp.status, 405);
}

TEST(ParamsTest, TimesAndDurations) {
  EXPECT_EQ(*parse_time_ms("1435781451.781"), 1435781451781);
  EXPECT_EQ(*parse_time_ms("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(*parse_time_ms("2015-07-01T22:10:51.781+02:00"), 1435781451781);
  EXPECT_EQ(*parse_time_ms("-292273086-05-16T16:47:06Z"), kMinTimeMs);
  EXPECT_FALSE(parse_time_ms("2015-13-01T00:00:00Z").ok());
  EXPECT_EQ(*parse_duration_ms("1m30s"), 90000);
  EXPECT_EQ(*parse_duration_ms("0.5"), 500);
  EXPECT_EQ(*parse_duration_ms("15"), 15000);
  EXPECT_FALSE(parse_duration_ms("1.5m").ok());
  EXPECT_EQ(*parse_duration_ms("1y2w3d4h5m6s7ms"), 9172 * 3600000LL + 5 * 60000 + 6007);
  // As Prometheus' model.ParseDuration: the total must fit int64 nanoseconds.
  EXPECT_FALSE(parse_duration_ms("300y").ok());
  // Values are quoted as Go's %q does.
  EXPECT_EQ(parse_duration_ms("1\n").status().message(),
            "cannot parse \"1\\n\" to a valid duration");
  EXPECT_EQ(parse_time_ms("x\"").status().message(),
            "cannot parse \"x\\\"\" to a valid timestamp");
}

}  // namespace
}  // namespace strata::api
