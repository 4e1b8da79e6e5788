// The strata binary evaluating rule files: a bad rule file stops start-up
// with its message; a reload (SIGHUP) with a bad one keeps the running
// rules; a good one replaces them; and an alert's pending time survives a
// restart through ALERTS_FOR_STATE (--rules.alert.for-grace-period).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/testutil/eventually.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testutil::eventually;
using testutil::ServerProcess;

constexpr const char* kConfig =
    "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n";

json get(ServerProcess& s, const std::string& path) {
  auto r = s.client().get(path);
  if (!r.ok() || r->status != 200) return json();
  return json::parse(r->body, nullptr, false)["data"];
}

absl::StatusOr<std::unique_ptr<ServerProcess>> start_in(const std::string& dir,
                                                        std::vector<std::string> extra = {}) {
  ServerProcess::Options o;
  o.binary = testutil::strata_binary();
  o.flags = {"--storage.tsdb.path=" + dir + "/data", "--config.file=" + dir + "/strata.yml"};
  for (auto& f : extra) o.flags.push_back(std::move(f));
  return ServerProcess::start(o);
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(StrataRulesTest, ABadRuleFileStopsStartUp) {
  testutil::TempDir dir("strata-rules-e2e");
  write(dir.path() + "/strata.yml", kConfig);
  write(dir.path() + "/rules.yml", "groups:\n- name: g\n  rules:\n  - record: x\n    expr: sum(\n");
  auto s = start_in(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("rules.yml: 5:11: group \\\"g\\\", rule 1, \\\"x\\\": could not parse expression"));
}

TEST(StrataRulesTest, ReloadKeepsRunningRulesWhenTheNewOnesAreBad) {
  testutil::TempDir dir("strata-rules-e2e");
  write(dir.path() + "/strata.yml", kConfig);
  write(dir.path() + "/rules.yml",
        "groups:\n- name: g\n  interval: 1s\n  rules:\n  - record: one\n    expr: vector(1)\n"
        "  - alert: Always\n    expr: vector(1)\n    labels: {severity: page}\n");
  auto s = start_in(dir.path());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(eventually([&] {
    json a = get(**s, "/api/v1/alerts");
    return a.is_object() && a["alerts"].size() == 1 && a["alerts"][0]["state"] == "firing";
  }));
  json q = get(**s, "/api/v1/query?query=one");
  ASSERT_EQ(q["result"].size(), 1u);

  write(dir.path() + "/rules.yml", "groups:\n- name: g\n  rules:\n  - alert: 'x'\n    expr: up\n    for: 5x\n");
  ASSERT_TRUE((*s)->signal(SIGHUP).ok());
  EXPECT_TRUE(eventually([&] {
    auto r = (*s)->client().get("/metrics");
    return r.ok() && r->body.find("\nstrata_config_last_reload_successful 0\n") != std::string::npos;
  }));
  EXPECT_THAT((*s)->log(), HasSubstr("not a valid duration string"));
  json rules = get(**s, "/api/v1/rules");
  ASSERT_EQ(rules["groups"].size(), 1u);
  EXPECT_EQ(rules["groups"][0]["rules"].size(), 2u);  // still the old rules

  write(dir.path() + "/rules.yml",
        "groups:\n- name: h\n  interval: 1s\n  rules:\n  - record: two\n    expr: vector(2)\n");
  ASSERT_TRUE((*s)->signal(SIGHUP).ok());
  EXPECT_TRUE(eventually([&] {
    json g = get(**s, "/api/v1/rules");
    return g.is_object() && g["groups"].size() == 1 && g["groups"][0]["name"] == "h";
  }));
  EXPECT_TRUE(eventually([&] { return get(**s, "/api/v1/query?query=two")["result"].size() == 1; }));
  // The removed group's alert is gone from the API at once.
  EXPECT_TRUE(get(**s, "/api/v1/alerts")["alerts"].empty());
}

// activeAt ("2026-12-03T15:44:51.917Z") in ms since the epoch.
int64_t parse_active_at(const json& alert) {
  std::string s = alert["activeAt"].get<std::string>();
  std::tm tm{};
  int ms = 0;
  char frac[16] = {0};
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%9[0-9]Z", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac) < 6) {
    ADD_FAILURE() << s;
    return 0;
  }
  std::string f = std::string(frac) + "000";
  ms = std::stoi(f.substr(0, 3));
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t(timegm(&tm)) * 1000 + ms;
}

TEST(StrataRulesTest, PendingTimeSurvivesARestart) {
  testutil::TempDir dir("strata-rules-e2e");
  write(dir.path() + "/strata.yml", kConfig);
  write(dir.path() + "/rules.yml",
        "groups:\n- name: g\n  interval: 1s\n  rules:\n  - alert: Slow\n    expr: vector(1)\n"
        "    for: 1h\n");
  const std::vector<std::string> flags = {"--rules.alert.for-grace-period=1s",
                                          "--storage.tsdb.wal-sync=always"};
  int64_t first_active_at = 0;
  {
    auto s = start_in(dir.path(), flags);
    ASSERT_TRUE(s.ok()) << s.status();
    // Restoring needs ALERTS_FOR_STATE samples from a few evaluations.
    ASSERT_TRUE(eventually([&] {
      return get(**s, "/api/v1/query?query=ALERTS_FOR_STATE")["result"].size() == 1;
    }));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    json a = get(**s, "/api/v1/alerts");
    ASSERT_EQ(a["alerts"].size(), 1u);
    EXPECT_EQ(a["alerts"][0]["state"], "pending");
    first_active_at = parse_active_at(a["alerts"][0]);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the outage
  const int64_t restarted_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  auto s = start_in(dir.path(), flags);
  ASSERT_TRUE(s.ok()) << s.status();
  // After the second evaluation the alert's start moves by the outage: later
  // than before, but before this start (a fresh alert would begin after it).
  int64_t restored = 0;
  EXPECT_TRUE(eventually([&] {
    json a = get(**s, "/api/v1/alerts");
    if (!a.is_object() || a["alerts"].size() != 1) return false;
    restored = parse_active_at(a["alerts"][0]);
    return restored != 0 && restored < restarted_ms;
  }));
  EXPECT_GT(restored, first_active_at);
  EXPECT_LT(restored, restarted_ms);
}

}  // namespace
}  // namespace strata
