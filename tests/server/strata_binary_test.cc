// The strata binary as a process: configuration reloads (SIGHUP and
// POST /-/reload), /-/quit, exit codes for bad configurations, and the
// startup log. Runs build/strata through tests/testutil.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::server {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testutil::ServerProcess;

std::unique_ptr<ServerProcess> start(std::vector<std::string> flags,
                                     std::vector<std::pair<std::string, std::string>> files = {}) {
  ServerProcess::Options o;
  o.binary = testutil::strata_binary();
  o.flags = std::move(flags);
  o.files = std::move(files);
  auto s = ServerProcess::start(std::move(o));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

std::string get_body(ServerProcess& s, const std::string& path) {
  auto r = s.client().get(path);
  return r.ok() ? r->body : "error: " + std::string(r.status().message());
}

// Polls `path` until its body contains `text` (reloads are asynchronous to
// the signal that asks for them).
bool eventually_contains(ServerProcess& s, const std::string& path, const std::string& text) {
  for (int i = 0; i < 500; ++i) {
    if (get_body(s, path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(StrataBinaryTest, SighupReloadsAndAFailedReloadKeepsTheOldConfig) {
  auto s = start({"--config.file=strata.yml"}, {{"strata.yml", "global:\n  scrape_interval: 30s\n"}});
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(get_body(*s, "/api/v1/status/config"), HasSubstr("scrape_interval: 30s"));
  const std::string path = s->work_dir() + "/strata.yml";

  write_file(path, "global:\n  scrape_interval: 45s\n");
  ASSERT_TRUE(s->signal(SIGHUP).ok());
  EXPECT_TRUE(eventually_contains(*s, "/api/v1/status/config", "scrape_interval: 45s"));

  write_file(path, "global:\n  scrape_interval: 45s\n  bogus: 1\n");
  ASSERT_TRUE(s->signal(SIGHUP).ok());
  EXPECT_TRUE(eventually_contains(*s, "/metrics", "strata_config_last_reload_successful 0\n"));
  EXPECT_THAT(get_body(*s, "/api/v1/status/config"), HasSubstr("scrape_interval: 45s"));
  EXPECT_THAT(get_body(*s, "/api/v1/status/runtimeinfo"), HasSubstr("\"reloadConfigSuccess\":false"));
  EXPECT_EQ(s->stop(), 0);
  EXPECT_THAT(s->log(), HasSubstr("msg=\"Error reloading config\" err=\"couldn't load configuration "
                                  "(--config.file=\\\"strata.yml\\\"): parsing YAML file strata.yml: "
                                  "line 3: field bogus not found in type config.plain\""));
}

TEST(StrataBinaryTest, HttpReloadNeedsTheLifecycleFlag) {
  auto off = start({});
  ASSERT_NE(off, nullptr);
  auto r = off->client().post("/-/reload", "", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "Lifecycle API is not enabled.\n");

  auto on = start({"--web.enable-lifecycle", "--config.file=strata.yml"},
                  {{"strata.yml", "global:\n  evaluation_interval: 20s\n"}});
  ASSERT_NE(on, nullptr);
  testutil::HttpClient c = on->client();
  // Subqueries without a step use evaluation_interval: points of
  // (900s, 1000s] at multiples of 20s, then of 25s after the reload.
  const std::string subquery = "/api/v1/query?time=1000&query=count_over_time%28vector%281%29%5B100s%3A%5D%29";
  EXPECT_THAT(get_body(*on, subquery), HasSubstr("[1000,\"5\"]"));
  write_file(on->work_dir() + "/strata.yml", "global:\n  evaluation_interval: 25s\n");
  auto ok = c.post("/-/reload", "", "");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_THAT(get_body(*on, "/api/v1/status/config"), HasSubstr("evaluation_interval: 25s"));
  EXPECT_THAT(get_body(*on, subquery), HasSubstr("[1000,\"4\"]"));

  write_file(on->work_dir() + "/strata.yml", "global:\n  evaluation_interval: soon\n");
  auto bad = c.post("/-/reload", "", "");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 500);
  EXPECT_THAT(bad->body, HasSubstr("failed to reload config: couldn't load configuration"));
  EXPECT_THAT(bad->body, HasSubstr("not a valid duration string: \"soon\""));
  EXPECT_THAT(get_body(*on, "/api/v1/status/config"), HasSubstr("evaluation_interval: 25s"));
}

TEST(StrataBinaryTest, QuitStopsTheServerCleanly) {
  auto s = start({"--web.enable-lifecycle"});
  ASSERT_NE(s, nullptr);
  auto r = s->client().post("/-/quit", "", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Requesting termination... Goodbye!");
  auto code = s->wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(s->log(), HasSubstr("Received termination request via web service, exiting gracefully..."));
  EXPECT_THAT(s->log(), HasSubstr("msg=\"See you next time!\""));
}

TEST(StrataBinaryTest, InvalidConfigAtStartExits2) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-bin-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "bad.yml").string();
  write_file(path, "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n");
  auto r = testutil::run_binary(testutil::strata_binary(),
                                {"--config.file=" + path, "--web.listen-address=127.0.0.1:0",
                                 "--storage.tsdb.path=" + (dir / "data").string()});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2) << r->output;
  EXPECT_THAT(r->output, HasSubstr("level=error component=main msg=\"Error loading config (--config.file=" + path + ")\""));
  EXPECT_THAT(r->output, HasSubstr("scrape timeout greater than scrape interval for scrape config with job name \\\"a\\\""));
  EXPECT_THAT(r->output, ::testing::Not(HasSubstr("Listening on")));
}

TEST(StrataBinaryTest, VersionAndHelp) {
  auto v = testutil::run_binary(testutil::strata_binary(), {"--version"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->exit_code, 0);
  EXPECT_THAT(v->output, ::testing::StartsWith("strata, version "));
  for (const char* line : {"\n  build user:       ", "\n  build date:       ", "\n  compiler:         ",
                           "\n  platform:         linux/"})
    EXPECT_THAT(v->output, HasSubstr(line));
  auto h = testutil::run_binary(testutil::strata_binary(), {"-h"});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->exit_code, 0);
  EXPECT_THAT(h->output, HasSubstr("Prometheus-compatible"));
  EXPECT_THAT(h->output, HasSubstr("--storage.tsdb.retention.time=<duration>"));
}

TEST(StrataBinaryTest, ListensOnAKernelChosenPort) {
  auto s = start({"--web.listen-address=127.0.0.1:0"});
  ASSERT_NE(s, nullptr);
  EXPECT_GT(s->port(), 0);  // read from the "Listening on" log line
  EXPECT_EQ(get_body(*s, "/-/healthy"), "Strata Server is Healthy.\n");
}

TEST(StrataBinaryTest, StartupLogAndUnknownFeatures) {
  auto s = start({"--enable-feature=promql-experimental-functions,warp-drive"});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->stop(), 0);
  std::string log = s->log();
  EXPECT_THAT(log, HasSubstr("level=warn component=main msg=\"Unknown option for --enable-feature\" option=warp-drive"));
  EXPECT_THAT(log, HasSubstr("msg=\"Experimental PromQL functions enabled.\""));
  EXPECT_THAT(log, HasSubstr("component=web msg=\"Listening on\" address=127.0.0.1:" + std::to_string(s->port())));
  EXPECT_THAT(log, HasSubstr("msg=\"TSDB started\""));
  EXPECT_THAT(log, HasSubstr("msg=\"Server is ready to receive web requests.\""));
}

}  // namespace
}  // namespace strata::server
