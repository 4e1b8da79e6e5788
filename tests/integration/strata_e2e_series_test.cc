// End to end against the real binary (see strata_e2e_fixture.h): the
// metadata endpoints read back exactly what was remote-written: series,
// labels and label values (with match[], start, end, limit), metadata,
// exemplars, and the self-metrics counting it all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/integration/strata_e2e_fixture.h"
#include "tests/testutil/http_client.h"

namespace strata::integration {
namespace {

using ::testing::HasSubstr;
using testutil::HttpResponse;

TEST_F(StrataE2ETest, Series) {
  struct Case {
    std::string name;
    Params params;
    std::string body;
  };
  const std::string truncated = R"(["results truncated due to limit"])";
  const std::vector<Case> cases = {
      {"one matcher", {{"match[]", "e2e_requests_total"}}, success(array({kReq200, kReq500}))},
      {"several matchers, sorted and merged",
       {{"match[]", "e2e_ms"}, {"match[]", "e2e_gone"}, {"match[]", R"({__name__="e2e_ms"})"}},
       success(array({kGone, kMs}))},
      {"regex matcher", {{"match[]", R"({job=~"ms|sensor"})"}}, success(array({kMs, kTemp}))},
      {"start and end around the data",
       {{"match[]", "e2e_requests_total"}, {"start", rfc3339(t(0))}, {"end", param_ts(t(300))}},
       success(array({kReq200, kReq500}))},
      {"a day before the data",
       {{"match[]", "e2e_requests_total"},
        {"start", param_ts(t(-86400))},
        {"end", param_ts(t(-82800))}},
       success("[]")},
      {"limit",
       {{"match[]", "e2e_requests_total"}, {"limit", "1"}},
       success(array({kReq200}), truncated)},
      {"limit not reached",
       {{"match[]", "e2e_requests_total"}, {"limit", "2"}},
       success(array({kReq200, kReq500}))},
      {"limit 0 is no limit",
       {{"match[]", "e2e_requests_total"}, {"limit", "0"}},
       success(array({kReq200, kReq500}))},
      {"no match", {{"match[]", "nothing_here"}}, success("[]")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_get_and_post("/api/v1/series", c.params, 200, c.body);
  }
}

TEST_F(StrataE2ETest, Labels) {
  struct Case {
    std::string name;
    Params params;
    std::string body;
  };
  const std::string truncated = R"(["results truncated due to limit"])";
  const std::vector<Case> cases = {
      {"all", {}, success(R"(["__name__","code","instance","job","path","room","unicode"])")},
      {"match", {{"match[]", "e2e_temperature_celsius"}}, success(R"(["__name__","job","room"])")},
      {"several matches",
       {{"match[]", "e2e_temperature_celsius"}, {"match[]", "e2e_escape"}},
       success(R"(["__name__","job","path","room","unicode"])")},
      {"start and end around the data",
       {{"start", param_ts(t(0))}, {"end", rfc3339(t(300))}},
       success(R"(["__name__","code","instance","job","path","room","unicode"])")},
      // Prometheus 2.42: nothing when the range does not overlap the data.
      {"a day before the data",
       {{"start", param_ts(t(-86400))}, {"end", param_ts(t(-82800))}},
       success("[]")},
      {"limit", {{"limit", "2"}}, success(R"(["__name__","code"])", truncated)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_get_and_post("/api/v1/labels", c.params, 200, c.body);
  }
}

TEST_F(StrataE2ETest, LabelValues) {
  struct Case {
    std::string name;
    std::string label;
    Params params;
    std::string body;
  };
  const std::string truncated = R"(["results truncated due to limit"])";
  const std::vector<Case> cases = {
      {"all", "job", {}, success(R"(["api","esc","ms","sensor"])")},
      {"metric names",
       "__name__",
       {},
       success(
           R"(["e2e_escape","e2e_gone","e2e_ms","e2e_requests_total","e2e_temperature_celsius"])")},
      {"match", "job", {{"match[]", "e2e_requests_total"}}, success(R"(["api"])")},
      {"several matches",
       "job",
       {{"match[]", "e2e_gone"}, {"match[]", "e2e_ms"}},
       success(R"(["api","ms"])")},
      {"escaped values", "path", {}, success(R"(["a\"b\\c\nd\u003c\u0026\u003e"])")},
      {"start and end around the data",
       "job",
       {{"start", param_ts(t(0))}, {"end", param_ts(t(300))}},
       success(R"(["api","esc","ms","sensor"])")},
      // Prometheus 2.42: nothing when the range does not overlap the data.
      {"a day before the data",
       "job",
       {{"start", param_ts(t(-86400))}, {"end", param_ts(t(-82800))}},
       success("[]")},
      {"limit", "job", {{"limit", "3"}}, success(R"(["api","esc","ms"])", truncated)},
      {"unknown label", "nope", {}, success("[]")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string target = std::string("/api/v1/label/") + c.label + "/values";
    if (!c.params.empty()) {
      target += '?';
      target += query_string(c.params);
    }
    expect_get(target, 200, c.body);
  }
}

// Metadata arrives with remote write (Prometheus 2.42 keeps none from remote
// write; the shape is that of its scrape-cache metadata).
TEST_F(StrataE2ETest, Metadata) {
  const std::string requests =
      R"("e2e_requests_total":[{"type":"counter","help":"Requests served.","unit":""}])";
  const std::string temp =
      R"("e2e_temperature_celsius":[{"type":"gauge","help":"Kitchen temperature.","unit":"celsius"}])";
  expect_get("/api/v1/metadata", 200, success("{" + requests + "," + temp + "}"));
  expect_get("/api/v1/metadata?metric=e2e_requests_total", 200, success("{" + requests + "}"));
  expect_get("/api/v1/metadata?metric=nothing_here", 200, success("{}"));
  expect_get("/api/v1/metadata?limit=1", 200, success("{" + requests + "}"));
  expect_get("/api/v1/metadata?limit=0", 200, success("{}"));
}

TEST_F(StrataE2ETest, QueryExemplarsIsAnEmptyList) {
  expect_get_and_post(
      "/api/v1/query_exemplars",
      {{"query", "e2e_requests_total"}, {"start", param_ts(t(0))}, {"end", param_ts(t(300))}}, 200,
      success("[]"));
}

// The lines of `text` that start with `prefix`, for readable failures.
std::string lines_starting_with(const std::string& text, const std::string& prefix) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, prefix.size(), prefix) == 0) out += text.substr(pos, end + 1 - pos);
    pos = end + 1;
  }
  return out;
}

TEST_F(StrataE2ETest, SelfMetricsCountRequestsAndRemoteWrite) {
  get_ok("/api/v1/query?query=1");
  HttpResponse m = get_ok("/metrics");
  EXPECT_EQ(m.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  // Labels sorted by name, as Prometheus' client library writes them.
  const std::string requests = lines_starting_with(m.body, "strata_http_requests_total");
  EXPECT_THAT(requests,
              HasSubstr("strata_http_requests_total{code=\"200\",handler=\"/api/v1/query\"} "))
      << requests;
  EXPECT_THAT(m.body, HasSubstr("\n# TYPE strata_http_requests_total counter\n"));
  const std::string received =
      lines_starting_with(m.body, "strata_remote_write_samples_received_total");
  EXPECT_EQ(received, "strata_remote_write_samples_received_total " +
                          std::to_string(known_sample_count(t0_)) + "\n");
}

}  // namespace
}  // namespace strata::integration
