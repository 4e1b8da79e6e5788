// Target groups from file_sd files and the static / file providers.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "scrape/discovery/provider.h"
#include "scrape/discovery/target_group.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/temp_dir.h"

namespace strata::scrape {
namespace {

TEST(TargetGroupTest, ParsesJsonAndYamlFiles) {
  const char* json = R"([{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}, {"targets": ["c:3"]}])";
  auto g = parse_target_groups(json, GroupFileFormat::kJson, "/sd/x.json");
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[0].source, "/sd/x.json:0");
  EXPECT_EQ((*g)[0].targets.size(), 2u);
  EXPECT_EQ((*g)[0].targets[1].get("__address__"), "b:2");
  EXPECT_EQ((*g)[0].labels.to_string(), R"({__meta_filepath="/sd/x.json", env="prod"})");
  EXPECT_EQ((*g)[1].labels.to_string(), R"({__meta_filepath="/sd/x.json"})");

  const char* yaml = "- targets: ['a:1']\n  labels:\n    env: dev\n";
  g = parse_target_groups(yaml, GroupFileFormat::kYaml, "/sd/y.yml");
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ((*g)[0].labels.get("env"), "dev");
}

TEST(TargetGroupTest, RejectsInvalidFiles) {
  auto bad_label = parse_target_groups(R"([{"targets": ["a:1"], "labels": {"1x": "v"}}])",
                                       GroupFileFormat::kJson, "f.json");
  EXPECT_EQ(bad_label.status().message(), "\"1x\" is not a valid label name");
  EXPECT_FALSE(parse_target_groups("[{", GroupFileFormat::kJson, "f.json").ok());
  EXPECT_FALSE(parse_target_groups("- targets: [a\n", GroupFileFormat::kYaml, "f.yml").ok());
  EXPECT_FALSE(parse_target_groups("- foo: 1\n", GroupFileFormat::kYaml, "f.yml").ok());
  EXPECT_EQ(group_file_format("x.JSON"), GroupFileFormat::kJson);
  EXPECT_EQ(group_file_format("x.yaml"), GroupFileFormat::kYaml);
  EXPECT_FALSE(group_file_format("x.txt").has_value());
}

TEST(ProviderTest, StaticConfigsAreSentOnce) {
  boost::asio::io_context ioc;
  StaticConfig sc;
  sc.targets = {"a:1"};
  sc.labels = {{"env", "x"}};
  auto p = make_static_provider({sc});
  std::vector<TargetGroup> got;
  p->start(ioc, [&](std::vector<TargetGroup> g) { got = std::move(g); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source, "0");
  EXPECT_EQ(got[0].targets[0].get("__address__"), "a:1");
  EXPECT_EQ(got[0].labels.get("env"), "x");
}

// A file provider notices a new file, a change and a removal without
// waiting for refresh_interval (inotify), keeps the last good groups of a
// broken file, and counts the read error.
TEST(ProviderTest, FileProviderFollowsChanges) {
  testutil::TempDir tmp("strata-sd-");
  std::filesystem::path dir_path(tmp.path());
  metrics::Registry registry;
  DiscoveryMetrics m(&registry);
  FileSdConfig fc;
  fc.files = {(dir_path / "*.json").string()};
  fc.refresh_interval_ms = 3600 * 1000;
  boost::asio::io_context ioc;
  std::vector<std::vector<TargetGroup>> updates;
  auto p = make_file_provider(fc, &m);
  p->start(ioc, [&](std::vector<TargetGroup> g) { updates.push_back(std::move(g)); });
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream((dir_path / (name + ".tmp")).string()) << text;
    std::filesystem::rename(dir_path / (name + ".tmp"), dir_path / name);
  };
  // Runs the loop until `n` updates arrived (bounded).
  auto wait_for = [&](size_t n) { return testutil::run_until(ioc, [&] { return updates.size() >= n; }); };
  ASSERT_TRUE(wait_for(1));
  EXPECT_TRUE(updates[0].empty());  // no file yet

  write("a.json", R"([{"targets": ["a:1"]}])");
  ASSERT_TRUE(wait_for(2));
  ASSERT_EQ(updates[1].size(), 1u);
  EXPECT_EQ(updates[1][0].targets[0].get("__address__"), "a:1");

  write("a.json", "[{");  // broken: keeps a:1, no update, an error counted
  testutil::run_until(ioc, [&] { return m.file_read_errors->value() >= 1; });
  EXPECT_EQ(m.file_read_errors->value(), 1);
  EXPECT_EQ(updates.size(), 2u);

  std::filesystem::remove(dir_path / "a.json");
  ASSERT_TRUE(wait_for(3));
  ASSERT_EQ(updates[2].size(), 1u);  // the vanished group, sent empty
  EXPECT_TRUE(updates[2][0].targets.empty());
  p->stop();
}

}  // namespace
}  // namespace strata::scrape
