// The fixture of the end-to-end tests (strata_e2e_test.cc and
// strata_e2e_series_test.cc): one strata for the whole suite, started on a
// free port of 127.0.0.1 with a temporary data directory, holding the known
// samples of known_data.h (written once; the tests only read). Also the
// helpers that spell the exact JSON answers.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kJson = "application/json";

// `{"status":"success","data":<data>}`, with `warnings` when given.
inline std::string success(const std::string& data, const std::string& warnings = "") {
  std::string s = R"({"status":"success","data":)" + data;
  if (!warnings.empty()) s += R"(,"warnings":)" + warnings;
  return s + "}";
}

inline std::string error_json(const std::string& type, const std::string& message) {
  return R"({"status":"error","errorType":")" + type + R"(","error":)" +
         nlohmann::json(message).dump() + "}";
}

// `[a,b,...]` of JSON texts.
inline std::string array(std::initializer_list<std::string_view> items) {
  std::string out = "[";
  for (std::string_view item : items) {
    if (out.size() > 1) out += ',';
    out.append(item);
  }
  out += ']';
  return out;
}

inline std::string query_string(const Params& params) { return testutil::form_encode(params); }

class StrataE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    t0_ = default_t0_ms();
    auto s = testutil::start_strata();
    if (!s.ok()) {
      setup_error_ = std::string(s.status().message());
      return;
    }
    server_ = std::move(*s).release();
    testutil::HttpClient c = server_->client();
    auto r =
        c.post("/api/v1/write", known_write_body(t0_), "application/x-protobuf",
               {{"Content-Encoding", "snappy"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
    if (!r.ok() || r->status != 204)
      setup_error_ =
          "remote write of the known samples failed: " +
          (r.ok() ? std::to_string(r->status) + " " + r->body : std::string(r.status().message()));
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << setup_error_;
    ASSERT_EQ(setup_error_, "");
  }

  static int64_t t(double offset_s) { return t0_ + int64_t(offset_s * 1000); }

  // GET `path?params` and POST `path` with the params form-encoded: both
  // must answer `status` with exactly `body` (as JSON).
  void expect_get_and_post(const std::string& path, const Params& params, int status,
                           const std::string& body) {
    testutil::HttpClient c = server_->client();
    auto get = c.get(path + "?" + query_string(params));
    ASSERT_TRUE(get.ok()) << get.status();
    EXPECT_EQ(get->status, status) << "GET " << path << "?" << query_string(params);
    EXPECT_EQ(get->body, body) << "GET " << path << "?" << query_string(params);
    EXPECT_EQ(get->header("content-type"), kJson);
    auto post = c.post(path, testutil::form_encode(params), "application/x-www-form-urlencoded");
    ASSERT_TRUE(post.ok()) << post.status();
    EXPECT_EQ(post->status, status) << "POST " << path << " " << query_string(params);
    EXPECT_EQ(post->body, body) << "POST " << path << " " << query_string(params);
  }
  void expect_get(const std::string& target, int status, const std::string& body) {
    testutil::HttpClient c = server_->client();
    auto r = c.get(target);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, status) << "GET " << target;
    EXPECT_EQ(r->body, body) << "GET " << target;
  }
  testutil::HttpResponse get_ok(const std::string& target) {
    testutil::HttpClient c = server_->client();
    auto r = c.get(target);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200) << "GET " << target << ": " << r->body;
    return *r;
  }

  static inline testutil::ServerProcess* server_ = nullptr;
  static inline std::string setup_error_;
  static inline int64_t t0_ = 0;
};

// The label sets of the known series, as the API writes them.
constexpr const char* kReq200 =
    R"({"__name__":"e2e_requests_total","code":"200","instance":"a:9100","job":"api"})";
constexpr const char* kReq500 =
    R"({"__name__":"e2e_requests_total","code":"500","instance":"a:9100","job":"api"})";
constexpr const char* kTemp =
    R"({"__name__":"e2e_temperature_celsius","job":"sensor","room":"kitchen"})";
constexpr const char* kGone = R"({"__name__":"e2e_gone","job":"api"})";
constexpr const char* kMs = R"({"__name__":"e2e_ms","job":"ms"})";
// Go's encoder escapes <, & and > (EscapeHTML), keeps UTF-8 as is.
constexpr const char* kEscape =
    R"({"__name__":"e2e_escape","job":"esc","path":"a\"b\\c\nd\u003c\u0026\u003e","unicode":"ü€😀"})";

}  // namespace strata::integration
