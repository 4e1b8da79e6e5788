// The Prometheus configuration file (prometheus.yml), parsed strictly with
// yaml-cpp into plain structs: unknown fields, bad durations and invalid
// values are errors with the line number, as in Prometheus. Components get
// the parts they need; nothing keeps the YAML tree.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::server {

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::string regex = "(.*)";
  uint64_t modulus = 0;
  std::string replacement = "$1";
  std::string action = "replace";
};

struct StaticConfig {
  std::vector<std::string> targets;
  std::map<std::string, std::string> labels;
};

struct ScrapeConfig {
  std::string job_name;
  int64_t scrape_interval_ms = 0;  // 0 = global
  int64_t scrape_timeout_ms = 0;   // 0 = global
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  bool honor_labels = false;
  bool honor_timestamps = true;
  std::map<std::string, std::vector<std::string>> params;
  uint64_t sample_limit = 0;
  std::vector<StaticConfig> static_configs;
  std::vector<std::string> file_sd_files;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
};

struct RemoteWriteConfig {
  std::string url;
  std::string name;
  int64_t remote_timeout_ms = 30000;
  std::map<std::string, std::string> headers;
  std::vector<RelabelConfig> write_relabel_configs;
};

struct AlertmanagerConfig {
  std::string scheme = "http";
  std::string path_prefix = "/";
  int64_t timeout_ms = 10000;
  std::string api_version = "v2";
  std::vector<StaticConfig> static_configs;
};

struct GlobalConfig {
  int64_t scrape_interval_ms = 60000;
  int64_t scrape_timeout_ms = 10000;
  int64_t evaluation_interval_ms = 60000;
  std::map<std::string, std::string> external_labels;
  std::string query_log_file;
};

struct Config {
  GlobalConfig global;
  std::vector<std::string> rule_files;
  std::vector<ScrapeConfig> scrape_configs;
  std::vector<RemoteWriteConfig> remote_write;
  std::vector<AlertmanagerConfig> alertmanagers;
  std::vector<RelabelConfig> alert_relabel_configs;

  // The configuration with defaults filled in, as /api/v1/status/config shows it.
  std::string to_yaml() const;
};

// The configuration used without --config.file: Strata scrapes itself.
extern const char* const kDefaultConfigYaml;

// Parses YAML text; `filename` only appears in messages.
absl::StatusOr<Config> parse_config(const std::string& yaml, const std::string& filename);
absl::StatusOr<Config> load_config_file(const std::string& path);

}  // namespace strata::server
