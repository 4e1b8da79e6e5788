// Prometheus 2.42 as the oracle for how one remote-write request is taken
// when it contradicts itself: the same series twice at one timestamp, or a
// series' samples out of order within the request. The same requests go to
// a real Prometheus (--web.enable-remote-write-receiver) and to strata; the
// HTTP status, and then the samples each server stored, must agree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using nlohmann::json;
using testutil::RwSeries;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RemoteWriteOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    auto s = testutil::start_strata({"--query.compat=v2"});
    ASSERT_TRUE(s.ok()) << s.status();
    strata_ = std::move(*s);
    auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\n", 0,
                                        {"--web.enable-remote-write-receiver"});
    ASSERT_TRUE(p.ok()) << p.status();
    prom_ = std::move(*p);
  }

  // Sends `series` to both; returns {prometheus status, strata status}.
  std::pair<int, int> write_both(const std::vector<RwSeries>& series) {
    std::string body = testutil::encode_write_request(series);
    int codes[2] = {0, 0};
    testutil::ServerProcess* servers[2] = {prom_.get(), strata_.get()};
    for (int i = 0; i < 2; ++i) {
      testutil::HttpClient c = servers[i]->client();
      auto r = c.post("/api/v1/write", body, "application/x-protobuf",
                      testutil::remote_write_headers());
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) codes[i] = r->status;
    }
    return {codes[0], codes[1]};
  }

  // The raw samples of `selector` over the last hour, as the API prints them.
  std::pair<json, json> read_both(const std::string& selector, int64_t at_ms) {
    json out[2];
    testutil::ServerProcess* servers[2] = {prom_.get(), strata_.get()};
    for (int i = 0; i < 2; ++i) {
      testutil::HttpClient c = servers[i]->client();
      auto r = c.get("/api/v1/query?" + testutil::form_encode({{"query", selector + "[1h]"},
                                                               {"time", std::to_string(at_ms / 1000)}}));
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) out[i] = json::parse(r->body)["data"]["result"];
    }
    return {out[0], out[1]};
  }

  std::unique_ptr<testutil::ServerProcess> strata_, prom_;
};

TEST_F(RemoteWriteOracleTest, OneRequestThatContradictsItselfIsTakenLikePrometheus) {
  const int64_t t = now_ms() / 1000 * 1000 - 60000;
  struct Case {
    const char* name;
    std::vector<RwSeries> series;
  };
  const std::vector<Case> cases = {
      {"dup_other_value",
       {{{{"__name__", "dup_other_value"}}, {{t, 1}}}, {{{"__name__", "dup_other_value"}}, {{t, 2}}}}},
      {"dup_same_value",
       {{{{"__name__", "dup_same_value"}}, {{t, 1}}}, {{{"__name__", "dup_same_value"}}, {{t, 1}}}}},
      {"dup_in_one_series", {{{{"__name__", "dup_in_one_series"}}, {{t, 1}, {t, 2}, {t + 1000, 3}}}}},
      {"ooo_in_request", {{{{"__name__", "ooo_in_request"}}, {{t, 1}, {t - 5000, 2}, {t + 1000, 3}}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto [prom_code, strata_code] = write_both(c.series);
    EXPECT_EQ(strata_code, prom_code);
    auto [prom, mine] = read_both(c.name, t + 5000);
    EXPECT_EQ(mine, prom) << "prometheus: " << prom.dump() << "\nstrata: " << mine.dump();
  }
  // Across requests the committed state decides, in both.
  auto [p1, s1] = write_both({{{{"__name__", "later"}}, {{t, 1}}}});
  EXPECT_EQ(s1, p1);
  auto [p2, s2] = write_both({{{{"__name__", "later"}}, {{t, 2}}}});
  EXPECT_EQ(s2, p2);
  auto [p3, s3] = write_both({{{{"__name__", "later"}}, {{t - 1000, 3}}}});
  EXPECT_EQ(s3, p3);
  auto [prom, mine] = read_both("later", t + 5000);
  EXPECT_EQ(mine, prom) << "prometheus: " << prom.dump() << "\nstrata: " << mine.dump();
}

}  // namespace
}  // namespace strata::integration
