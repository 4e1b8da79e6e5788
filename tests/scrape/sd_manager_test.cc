// http_sd_configs through scrape::Manager end to end on 127.0.0.1: one Beast
// test server is the SD endpoint, another the target it names; the target
// is scraped with the group's labels, follows the endpoint's changes, and
// stays while the endpoint fails.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "scrape/manager.h"
#include "tests/net/test_server.h"
#include "tests/scrape/scrape_test_util.h"

namespace strata::scrape {
namespace {

namespace http = boost::beast::http;
using net::testing::TestServer;

template <typename F>
bool eventually(F&& f, std::chrono::seconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

TEST(SdManagerTest, HttpSdTargetsAreScraped) {
  TestServer metrics_server([](const auto&, auto& res) {
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = "a_total 1\n";
  });
  const std::string target = "127.0.0.1:" + std::to_string(metrics_server.port());
  std::mutex mu;
  int sd_status = 200;
  std::string sd_body = R"([{"targets": [")" + target + R"("], "labels": {"team": "a"}}])";
  TestServer sd_server([&](const auto&, auto& res) {
    std::lock_guard lock(mu);
    res.result(sd_status);
    res.set(http::field::content_type, "application/json");
    res.body() = sd_body;
  });

  testing::MemDb mem;
  Manager m(*mem.db, &mem.registry, {});
  ScrapeConfig c;
  c.job_name = "sd";
  c.scrape_interval_ms = 1000;
  c.scrape_timeout_ms = 1000;
  HttpSdConfig h;
  h.url = sd_server.url("/targets");
  h.refresh_interval_ms = 1000;
  c.http_sd_configs = {h};
  ASSERT_TRUE(m.apply({c}).ok());

  auto active = [&] {
    auto pools = m.pools();
    return pools.size() == 1 ? pools[0].active : std::vector<std::shared_ptr<Target>>{};
  };
  ASSERT_TRUE(eventually([&] {
    auto a = active();
    return a.size() == 1 && a[0]->health().state == HealthState::kUp;
  }));
  auto t = active()[0];
  EXPECT_EQ(t->labels().to_string(), "{instance=\"" + target + "\", job=\"sd\", team=\"a\"}");
  EXPECT_EQ(t->discovered_labels().get("__meta_url"), h.url);
  auto d = testing::dump(*mem.db);
  EXPECT_FALSE(d["{__name__=\"a_total\", instance=\"" + target + "\", job=\"sd\", team=\"a\"}"].empty());

  // The endpoint fails: the target stays.
  {
    std::lock_guard lock(mu);
    sd_status = 500;
  }
  metrics::Counter& failures = mem.registry.counter("strata_sd_http_failures_total",
                                                    "Number of HTTP service discovery refresh failures.");
  ASSERT_TRUE(eventually([&] { return failures.value() >= 1; }));
  EXPECT_EQ(active().size(), 1u);

  // The endpoint lists nothing: the target goes.
  {
    std::lock_guard lock(mu);
    sd_status = 200;
    sd_body = "[]";
  }
  EXPECT_TRUE(eventually([&] { return active().empty(); }));
  m.stop();
}

}  // namespace
}  // namespace strata::scrape
