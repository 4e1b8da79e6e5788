// scrape::Manager end to end on 127.0.0.1: a Beast test server as the
// target, an in-memory DB, real timers (1 s interval; every wait bounded).
#include "scrape/manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/net/test_server.h"
#include "tests/testutil/eventually.h"
#include "tsdb/labels/relabel.h"
#include "tests/scrape/scrape_test_util.h"

namespace strata::scrape {
namespace {

using net::testing::TestServer;

ScrapeConfig job(const std::string& name, const std::vector<std::string>& targets) {
  ScrapeConfig c;
  c.job_name = name;
  c.scrape_interval_ms = 1000;
  c.scrape_timeout_ms = 1000;
  StaticConfig sc;
  sc.targets = targets;
  c.static_configs = {sc};
  return c;
}

using testutil::eventually;

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest()
      : server_([this](const net::testing::ServerRequest& req, net::testing::ServerResponse& res) {
          ++requests_;
          std::lock_guard lock(mu_);
          accept_ = std::string(req[boost::beast::http::field::accept]);
          timeout_header_ = std::string(req["X-Prometheus-Scrape-Timeout-Seconds"]);
          res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
          res.body() = body_;
        }) {}

  std::string target() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  std::shared_ptr<Target> only_target(Manager& m) {
    auto pools = m.pools();
    if (pools.size() != 1 || pools[0].active.size() != 1) return nullptr;
    return pools[0].active[0];
  }

  // The only target once it is up; null if it is not up in time.
  std::shared_ptr<Target> wait_up(Manager& m) {
    std::shared_ptr<Target> t;
    bool up = eventually([&] {
      t = only_target(m);
      return t && t->health().state == HealthState::kUp;
    });
    return up ? t : nullptr;
  }
  std::shared_ptr<Target> only_target_of(Manager& m, const std::string& job) {
    for (auto& p : m.pools())
      if (p.job == job && p.active.size() == 1) return p.active[0];
    return nullptr;
  }

  testing::MemDb mem_;
  std::mutex mu_;
  std::string body_ = "# TYPE a counter\na_total 1\n";
  std::string accept_, timeout_header_;
  std::atomic<int> requests_{0};
  TestServer server_;
};

TEST_F(ManagerTest, ScrapesStaticTargetsAndReportsHealth) {
  Manager m(*mem_.db, &mem_.registry, {});
  ASSERT_TRUE(m.apply({job("app", {target()})}).ok());
  std::shared_ptr<Target> t = wait_up(m);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url(), "http://" + target() + "/metrics");
  EXPECT_EQ(t->labels().to_string(), "{instance=\"" + target() + "\", job=\"app\"}");
  EXPECT_EQ(t->health().last_error, "");
  auto d = testing::dump(*mem_.db);
  std::string up = "{__name__=\"up\", instance=\"" + target() + "\", job=\"app\"}";
  ASSERT_FALSE(d[up].empty());
  EXPECT_EQ(d[up].back().second, 1);
  EXPECT_FALSE(d["{__name__=\"a_total\", instance=\"" + target() + "\", job=\"app\"}"].empty());
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(timeout_header_, "1");
    EXPECT_EQ(accept_.rfind("application/openmetrics-text;version=1.0.0", 0), 0u) << accept_;
  }
  m.stop();
}

TEST_F(ManagerTest, FailedScrapesAreDownWithPrometheusErrors) {
  Manager m(*mem_.db, &mem_.registry, {});
  {
    std::lock_guard lock(mu_);
    body_ = "a_total{ 1\n";
  }
  ASSERT_TRUE(m.apply({job("app", {target(), "127.0.0.1:1"})}).ok());
  ASSERT_TRUE(eventually([&] {
    auto pools = m.pools();
    if (pools.empty() || pools[0].active.size() != 2) return false;
    for (auto& t : pools[0].active)
      if (t->health().state != HealthState::kDown) return false;
    return true;
  }));
  std::vector<PoolSnapshot> pools = m.pools();
  for (auto& t : pools[0].active) {
    std::string err = t->health().last_error;
    if (t->url().find(":1/") != std::string::npos) {
      EXPECT_EQ(err, "Get \"http://127.0.0.1:1/metrics\": dial tcp 127.0.0.1:1: connect: connection refused");
    } else {
      EXPECT_FALSE(err.empty());  // the parser's message
    }
  }
  m.stop();
}

TEST_F(ManagerTest, ReloadKeepsUnchangedTargetsAndStalesRemovedOnes) {
  Manager m(*mem_.db, &mem_.registry, {});
  ASSERT_TRUE(m.apply({job("app", {target()})}).ok());
  std::shared_ptr<Target> t = wait_up(m);
  ASSERT_TRUE(t);
  // The same config again, plus a new job: the target object (and its loop)
  // stays.
  ASSERT_TRUE(m.apply({job("app", {target()}), job("other", {})}).ok());
  EXPECT_EQ(m.pools().size(), 2u);
  EXPECT_EQ(only_target_of(m, "app"), t);
  // The target leaves its job: its series get stale markers about one
  // interval later.
  ASSERT_TRUE(m.apply({job("app", {}), job("other", {})}).ok());
  std::string a = "{__name__=\"a_total\", instance=\"" + target() + "\", job=\"app\"}";
  EXPECT_TRUE(eventually([&] {
    auto d = testing::dump(*mem_.db);
    return !d[a].empty() && d[a].back().second == testing::kStale;
  }));
  // A job that goes from the configuration stops without markers.
  ASSERT_TRUE(m.apply({job("app", {}), job("other", {target()})}).ok());
  std::string b = "{__name__=\"a_total\", instance=\"" + target() + "\", job=\"other\"}";
  ASSERT_TRUE(eventually([&] { return !testing::dump(*mem_.db)[b].empty(); }));
  ASSERT_TRUE(m.apply({job("app", {})}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto d = testing::dump(*mem_.db);
  EXPECT_NE(d[b].back().second, testing::kStale);
  m.stop();
}

// More targets than target_limit: every scrape of the job fails (up = 0)
// with Prometheus' error, and keep_dropped_targets bounds the dropped list.
TEST_F(ManagerTest, TargetLimitAndKeepDroppedTargets) {
  Manager m(*mem_.db, &mem_.registry, {});
  ScrapeConfig c = job("app", {target(), "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"});
  c.target_limit = 1;
  c.keep_dropped_targets = 1;
  tsdb::relabel::Config drop = tsdb::relabel::default_config();
  drop.action = tsdb::relabel::Action::kDrop;
  drop.source_labels = {"__address__"};
  drop.regex_text = "127.0.0.1:[23]";
  drop.regex = *tsdb::relabel::compile_regex(drop.regex_text);
  c.relabel_configs = {drop};
  ASSERT_TRUE(m.apply({c}).ok());
  ASSERT_TRUE(eventually([&] {
    auto pools = m.pools();
    if (pools.size() != 1 || pools[0].active.size() != 2) return false;
    for (auto& t : pools[0].active)
      if (t->health().state != HealthState::kDown) return false;
    return true;
  }));
  std::vector<PoolSnapshot> pools = m.pools();
  for (auto& t : pools[0].active)
    EXPECT_EQ(t->health().last_error, "target_limit exceeded (number of targets: 2, limit: 1)");
  EXPECT_EQ(pools[0].dropped.size(), 1u);
  EXPECT_EQ(pools[0].dropped_total, 2u);
  m.stop();
}

TEST_F(ManagerTest, StopEndsEveryLoopWithoutStaleMarkers) {
  auto m = std::make_unique<Manager>(*mem_.db, &mem_.registry, ManagerOptions{});
  ASSERT_TRUE(m->apply({job("app", {target()})}).ok());
  std::string up = "{__name__=\"up\", instance=\"" + target() + "\", job=\"app\"}";
  // A whole scrape stored, not just the request served: a stop in between
  // abandons that scrape (a sanitized build on a busy machine got there).
  ASSERT_TRUE(eventually([&] { return !testing::dump(*mem_.db)[up].empty(); }));
  m->stop();
  int after = requests_;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(requests_, after);
  auto d = testing::dump(*mem_.db);
  ASSERT_FALSE(d[up].empty());
  EXPECT_NE(d[up].back().second, testing::kStale);
}

}  // namespace
}  // namespace strata::scrape
