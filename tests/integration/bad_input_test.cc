// Bad input over real HTTP to the strata binary: malformed remote-write
// bodies (transport, Snappy, protobuf wire format, labels, samples) and
// malformed query requests (PromQL, times, steps, durations, limits,
// matchers, endpoints, methods). Each must get a 4xx with a message saying
// what was wrong; afterwards strata must be healthy and the valid data
// written before must be intact.
//
// The query cases' exact texts are Prometheus 2.42's answers to the same
// requests, except `limit`, which 2.42 ignores (the texts are those of
// Prometheus 3's parseLimitParam). For remote write Strata follows the spec
// and is stricter than 2.42's receiver, which accepts invalid names and
// UTF-8 with 204 and answers some bad input with 500 (so senders retry it
// forever); where both reject, both say 400 (415/413 here are the 2.0
// spec's codes for unsupported media types and oversized bodies).
//
// strata runs with --query.compat=v2, Prometheus 2.42's rules, under which
// metric and label names must be classic identifiers (v3 accepts any UTF-8).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/bad_input_cases.h"
#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/tcp_connection.h"

namespace strata::integration {
namespace {

using ::testing::HasSubstr;
using testutil::form_encode;
using testutil::Headers;
using testutil::HttpClient;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testutil::start_strata({"--query.compat=v2"});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    t0_ = default_t0_ms();
    HttpClient c = server_->client();
    auto r = c.post("/api/v1/write", known_write_body(t0_), "application/x-protobuf",
                    {{"Content-Encoding", "snappy"}});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 204) << r->body;
    known_answers_ = snapshot();
  }

  // Answers that show the known data: every series over its whole time range,
  // and the series and metric names in store.
  std::vector<std::string> snapshot() {
    HttpClient c = server_->client();
    std::vector<std::string> out;
    const std::vector<std::string> targets = {
        "/api/v1/query_range?" + form_encode({{"query", "{__name__=~\"e2e_.*\"}"},
                                              {"start", param_ts(t0_)},
                                              {"end", param_ts(t0_ + 300'000)},
                                              {"step", "1"}}),
        "/api/v1/query?" + form_encode({{"query", "{__name__=~\"e2e_.*\"}[10m]"},
                                        {"time", param_ts(t0_ + 300'000)}}),
        "/api/v1/series?" + form_encode({{"match[]", "{__name__=~\"e2e_.*\"}"}}),
    };
    for (const std::string& target : targets) {
      auto r = c.get(target);
      out.push_back(r.ok() ? std::to_string(r->status) + " " + r->body
                           : std::string(r.status().message()));
    }
    return out;
  }

  std::unique_ptr<testutil::ServerProcess> server_;
  int64_t t0_ = 0;
  std::vector<std::string> known_answers_;
};

TEST_F(BadInputTest, MalformedRemoteWritesAre4xxWithAMessage) {
  std::vector<WriteCase> cases = write_cases(t0_);
  ASSERT_GE(cases.size(), 30u);
  HttpClient c = server_->client();
  for (const WriteCase& w : cases) {
    SCOPED_TRACE(w.name);
    Headers headers = w.headers;
    headers.emplace_back("X-Prometheus-Remote-Write-Version", "0.1.0");
    auto r = c.request(w.method, "/api/v1/write", w.body, headers);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, w.status) << r->body;
    EXPECT_GE(r->status, 400);
    EXPECT_LT(r->status, 500);
    EXPECT_EQ(r->header("content-type"), "text/plain; charset=utf-8");
    ASSERT_FALSE(r->body.empty());
    EXPECT_EQ(r->body.back(), '\n');
    for (const std::string& part : w.message_parts) EXPECT_THAT(r->body, HasSubstr(part));
  }
  // Nothing of the rejected series was stored; the known data is untouched.
  // (Requests that contradict themselves are accepted as in Prometheus; see
  // remote_write_oracle_test.cc.)
  auto bad = c.get("/api/v1/series?" + form_encode({{"match[]", "{__name__=~\"bad.*\"}"}}));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->body, R"({"status":"success","data":[]})");
  EXPECT_EQ(snapshot(), known_answers_);
}

TEST_F(BadInputTest, MalformedHttpRequestsAre4xx) {
  struct Raw {
    std::string name;
    std::string request;
    int status;
  };
  const std::vector<Raw> cases = {
      {"body over the 64 MiB limit",
       "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
       "Content-Length: 1073741824\r\n\r\n",
       413},
      {"garbage request line", "HELLO THERE\r\n\r\n", 400},
      {"bad Content-Length",
       "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n", 400},
      {"bad chunk size",
       "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
       "chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
       400},
  };
  for (const Raw& raw : cases) {
    SCOPED_TRACE(raw.name);
    auto conn =
        testutil::TcpConnection::connect("127.0.0.1", server_->port(), std::chrono::seconds(5));
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_TRUE(conn->send_all(raw.request, std::chrono::seconds(5)).ok());
    std::string answer;
    for (;;) {
      auto r = conn->recv_some(std::chrono::seconds(10));
      if (!r.ok() || r->empty()) break;
      answer += *r;
    }
    ASSERT_GE(answer.size(), 12u) << answer;
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 " + std::to_string(raw.status)) << answer;
    // A message after the headers.
    size_t end = answer.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos);
    EXPECT_GT(answer.size(), end + 4) << "no message: " << answer;
  }
}

TEST_F(BadInputTest, MalformedQueriesAre4xxWithAMessage) {
  std::vector<QueryCase> cases = query_cases(t0_);
  ASSERT_GE(cases.size(), 20u);
  HttpClient c = server_->client();
  for (const QueryCase& q : cases) {
    SCOPED_TRACE(q.name);
    absl::StatusOr<testutil::HttpResponse> r;
    if (q.method == "GET") {
      r = c.get(target_of(q));
    } else if (q.method == "POST") {
      r = c.post(q.path, form_encode(q.params), "application/x-www-form-urlencoded");
    } else {
      r = c.request(q.method, target_of(q), "", {});
    }
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, q.status) << r->body;
    EXPECT_GE(r->status, 400);
    EXPECT_LT(r->status, 500);
    if (q.error_type.empty()) {
      EXPECT_EQ(r->body, q.message);
      continue;
    }
    EXPECT_EQ(r->header("content-type"), "application/json");
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r->body;
    EXPECT_EQ(j.value("status", ""), "error");
    EXPECT_EQ(j.value("errorType", ""), q.error_type);
    const std::string message = j.value("error", "");
    EXPECT_FALSE(message.empty());
    if (q.exact) {
      EXPECT_EQ(message, q.message);
    } else {
      EXPECT_THAT(message, HasSubstr(q.message));
    }
  }
}

TEST_F(BadInputTest, StaysHealthyAndKeepsTheDataAfterAllOfIt) {
  // Everything above, in one go, on this server.
  HttpClient c = server_->client();
  for (const WriteCase& w : write_cases(t0_))
    (void)c.request(w.method, "/api/v1/write", w.body, w.headers);
  for (const QueryCase& q : query_cases(t0_)) (void)c.request(q.method, target_of(q), "", {});
  auto h = c.get("/-/healthy");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->status, 200);
  auto ready = c.get("/-/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(snapshot(), known_answers_);
  // And it still accepts good data.
  auto w =
      c.post("/api/v1/write",
             testutil::encode_write_request({{{{"__name__", "after_bad"}}, {{t0_ + 400'000, 7}}}}),
             "application/x-protobuf", {{"Content-Encoding", "snappy"}});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, 204) << w->body;
  auto q = c.get("/api/v1/query?" +
                 form_encode({{"query", "after_bad"}, {"time", param_ts(t0_ + 400'000)}}));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(
      q->body,
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"after_bad"},"value":)" +
          pair(t0_ + 400'000, "7") + "}]}}");
  EXPECT_TRUE(server_->running());
}

}  // namespace
}  // namespace strata::integration