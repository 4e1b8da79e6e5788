// The strata binary scraping real HTTP targets on 127.0.0.1 (a Beast test
// server), seen through the API: /api/v1/targets and its filters,
// /api/v1/scrape_pools, /api/v1/targets/metadata, /api/v1/metadata fed from
// scrapes, Prometheus' error texts for HTTP errors and body_size_limit, and
// reloads (SIGHUP) that keep the old configuration when the new one is bad.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/net/test_server.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/strata.h"

namespace strata {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using testutil::eventually;

class StrataScrapeTest : public ::testing::Test {
 protected:
  StrataScrapeTest()
      : target_([](const net::testing::ServerRequest& req, net::testing::ServerResponse& res) {
          if (req.target() != "/metrics") {
            res.result(boost::beast::http::status::not_found);
            res.body() = "404 page not found\n";
            return;
          }
          res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
          res.body() =
              "# HELP a_total Requests served.\n# TYPE a_total counter\na_total{code=\"200\"} 7\n"
              "# HELP g Queue depth.\n# TYPE g gauge\ng 3\n";
        }) {}

  std::string config(const std::string& extra_jobs = "") const {
    const std::string t = "127.0.0.1:" + std::to_string(target_.port());
    return "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
           "- job_name: app\n  static_configs:\n  - targets: ['" + t + "']\n"
           "- job_name: missing\n  metrics_path: /nope\n  static_configs:\n  - targets: ['" + t + "']\n"
           "- job_name: small\n  body_size_limit: 10B\n  static_configs:\n  - targets: ['" + t + "']\n"
           "- job_name: dropped\n  static_configs:\n  - targets: ['" + t + "']\n"
           "  relabel_configs:\n  - action: drop\n    source_labels: [__address__]\n    regex: '.*'\n"
           "- job_name: k8s\n  kubernetes_sd_configs:\n  - role: pod\n" +
           extra_jobs;
  }

  json get(testutil::ServerProcess& s, const std::string& path) {
    auto r = s.client().get(path);
    if (!r.ok() || r->status != 200) return json();
    return json::parse(r->body, nullptr, false)["data"];
  }

  // Active targets by scrape pool once every one has been scraped.
  std::map<std::string, json> scraped(testutil::ServerProcess& s, size_t n) {
    std::map<std::string, json> out;
    eventually([&] {
      out.clear();
      json d = get(s, "/api/v1/targets");
      if (!d.is_object()) return false;
      for (const auto& t : d["activeTargets"]) {
        if (t["health"] == "unknown") return false;
        out[t["scrapePool"].get<std::string>()] = t;
      }
      return out.size() == n;
    });
    return out;
  }

  net::testing::TestServer target_;
};

TEST_F(StrataScrapeTest, TargetsApiAndErrors) {
  auto s = testutil::start_strata({}, config());
  ASSERT_TRUE(s.ok()) << s.status();
  auto targets = scraped(**s, 3);
  ASSERT_EQ(targets.size(), 3u);
  const std::string addr = "127.0.0.1:" + std::to_string(target_.port());

  const json& app = targets["app"];
  EXPECT_EQ(app["health"], "up");
  EXPECT_EQ(app["lastError"], "");
  EXPECT_EQ(app["labels"], json({{"instance", addr}, {"job", "app"}}));
  EXPECT_EQ(app["discoveredLabels"], json({{"__address__", addr}, {"__metrics_path__", "/metrics"},
                                           {"__scheme__", "http"}, {"__scrape_interval__", "1s"},
                                           {"__scrape_timeout__", "1s"}, {"job", "app"}}));
  EXPECT_EQ(app["scrapeUrl"], "http://" + addr + "/metrics");
  EXPECT_EQ(app["scrapeInterval"], "1s");
  EXPECT_EQ(app["scrapeTimeout"], "1s");
  EXPECT_TRUE(app["lastScrapeDuration"].is_number());
  EXPECT_THAT(app["lastScrape"].get<std::string>(), ::testing::ContainsRegex(R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$)"));
  EXPECT_EQ(targets["missing"]["health"], "down");
  EXPECT_EQ(targets["missing"]["lastError"], "server returned HTTP status 404 Not Found");
  EXPECT_EQ(targets["small"]["lastError"], "body size limit exceeded");

  json all = get(**s, "/api/v1/targets");
  ASSERT_EQ(all["droppedTargets"].size(), 1u);
  EXPECT_EQ(all["droppedTargets"][0]["discoveredLabels"]["job"], "dropped");
  EXPECT_EQ(all["droppedTargetCounts"],
            json({{"app", 0}, {"dropped", 1}, {"k8s", 0}, {"missing", 0}, {"small", 0}}));
  // A discovery kind Strata ignores is named, not dropped silently.
  EXPECT_EQ(all["unsupportedDiscovery"], json({{"k8s", {"kubernetes_sd_configs"}}}));
  EXPECT_EQ(get(**s, "/api/v1/targets?state=active")["droppedTargets"].size(), 0u);
  EXPECT_EQ(get(**s, "/api/v1/targets?state=dropped")["activeTargets"].size(), 0u);
  json only_app = get(**s, "/api/v1/targets?scrapePool=app");
  ASSERT_EQ(only_app["activeTargets"].size(), 1u);
  EXPECT_EQ(only_app["activeTargets"][0]["scrapePool"], "app");
  EXPECT_EQ(get(**s, "/api/v1/scrape_pools"),
            json({{"scrapePools", {"app", "dropped", "k8s", "missing", "small"}}}));

  // Metadata as the target exposed it, per target and in storage.
  json md = get(**s, "/api/v1/targets/metadata?match_target=%7Bjob%3D%22app%22%7D&metric=a_total");
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0]["target"], json({{"instance", addr}, {"job", "app"}}));
  EXPECT_EQ(md[0]["type"], "counter");
  EXPECT_EQ(md[0]["help"], "Requests served.");
  json stored = get(**s, "/api/v1/metadata?metric=g");
  EXPECT_EQ(stored, json({{"g", {{{"type", "gauge"}, {"help", "Queue depth."}, {"unit", ""}}}}}));

  json up = get(**s, "/api/v1/query?query=sort(up)");
  ASSERT_EQ(up["result"].size(), 3u);
  json a = get(**s, "/api/v1/query?query=a_total");
  ASSERT_EQ(a["result"].size(), 1u);
  EXPECT_EQ(a["result"][0]["metric"], json({{"__name__", "a_total"}, {"code", "200"}, {"instance", addr}, {"job", "app"}}));
  EXPECT_EQ(a["result"][0]["value"][1], "7");
}

TEST_F(StrataScrapeTest, ReloadKeepsTheOldConfigWhenTheNewOneIsBad) {
  auto s = testutil::start_strata({}, config());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(scraped(**s, 3).size(), 3u);
  const std::string file = (*s)->work_dir() + "/strata.yml";
  std::ofstream(file) << "scrape_configs:\n- job_name: [\n";
  ASSERT_TRUE((*s)->signal(SIGHUP).ok());
  EXPECT_TRUE(eventually([&] {
    auto r = (*s)->client().get("/metrics");
    return r.ok() && r->body.find("\nstrata_config_last_reload_successful 0\n") != std::string::npos;
  }));
  EXPECT_EQ(get(**s, "/api/v1/scrape_pools")["scrapePools"].size(), 5u);  // still the old jobs
  // A good config with one more job: applied, the old targets keep going.
  std::ofstream(file) << config("- job_name: more\n  static_configs:\n  - targets: ['127.0.0.1:" +
                                std::to_string(target_.port()) + "']\n");
  ASSERT_TRUE((*s)->signal(SIGHUP).ok());
  EXPECT_EQ(scraped(**s, 4).size(), 4u);
  EXPECT_THAT((*s)->log(), HasSubstr("Error reloading config"));
}

}  // namespace
}  // namespace strata
