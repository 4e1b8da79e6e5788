// Loading and reloading the configuration: a failed reload keeps the old one
// and is reported in the metrics.
#include "server/config_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace strata::server {
namespace {

class ConfigManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("strata-cm-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "strata.yml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string metrics() {
    std::string out;
    registry_.write_text(&out);
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  metrics::Registry registry_;
};

TEST_F(ConfigManagerTest, EmbeddedDefaultWithoutAPath) {
  ConfigManager cm("", default_config_yaml("localhost:9090"), &registry_);
  ASSERT_TRUE(cm.reload().ok());
  EXPECT_EQ(cm.display_name(), "<embedded default>");
  EXPECT_EQ(cm.current()->scrape_configs.at(0).job_name, "strata");
  EXPECT_NE(cm.yaml().find("job_name: strata"), std::string::npos);
  EXPECT_TRUE(cm.last_reload_successful());
  EXPECT_GT(cm.last_success_time_s(), 0);
}

TEST_F(ConfigManagerTest, FailedReloadKeepsTheOldConfiguration) {
  write("global:\n  scrape_interval: 30s\n");
  ConfigManager cm(path_, "", &registry_);
  std::vector<int64_t> applied;
  cm.on_reload([&](const Config& c) {
    applied.push_back(c.global.scrape_interval_ms);
    return absl::OkStatus();
  });
  ASSERT_TRUE(cm.reload().ok());
  double first_success = cm.last_success_time_s();
  EXPECT_NE(metrics().find("strata_config_last_reload_successful 1\n"), std::string::npos);

  write("global:\n  scrape_interval: 30x\n");
  absl::Status s = cm.reload();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.message()),
            "couldn't load configuration (--config.file=\"" + path_ + "\"): parsing YAML file " +
                path_ + ": line 2: not a valid duration string: \"30x\"");
  EXPECT_EQ(cm.current()->global.scrape_interval_ms, 30000);
  EXPECT_NE(cm.yaml().find("scrape_interval: 30s"), std::string::npos);
  EXPECT_FALSE(cm.last_reload_successful());
  EXPECT_EQ(cm.last_success_time_s(), first_success);
  EXPECT_NE(metrics().find("strata_config_last_reload_successful 0\n"), std::string::npos);

  write("global:\n  scrape_interval: 2m\n");
  ASSERT_TRUE(cm.reload().ok());
  EXPECT_EQ(cm.current()->global.scrape_interval_ms, 120000);
  EXPECT_TRUE(cm.last_reload_successful());
  EXPECT_EQ(applied, (std::vector<int64_t>{30000, 120000}));
}

TEST_F(ConfigManagerTest, FailingApplierFailsTheReload) {
  write("global: {}\n");
  ConfigManager cm(path_, "", &registry_);
  cm.on_reload([](const Config&) { return absl::InternalError("scrape manager said no"); });
  absl::Status s = cm.reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("one or more errors occurred while applying the new configuration"),
            std::string::npos);
  EXPECT_FALSE(cm.last_reload_successful());
  ASSERT_NE(cm.current(), nullptr);  // applied, as in Prometheus
}

TEST_F(ConfigManagerTest, MissingFileAtStart) {
  ConfigManager cm((dir_ / "absent.yml").string(), "", &registry_);
  absl::Status s = cm.reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("absent.yml: no such file or directory"), std::string::npos);
  EXPECT_EQ(cm.current(), nullptr);
}

}  // namespace
}  // namespace strata::server
