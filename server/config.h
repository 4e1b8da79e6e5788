// The Prometheus configuration file (prometheus.yml) as plain structs.
// parse_config() reads it strictly with yaml-cpp, as Prometheus does: unknown
// or repeated fields, wrong types, bad durations and invalid values are errors
// that name the line; defaults are Prometheus'. Relative file paths (rule
// files, file_sd files, TLS and credential files) are resolved against the
// config file's directory. Sections Strata accepts but does not act on yet
// (other service discoveries, remote_read, storage, tracing) produce
// warnings instead of errors, so an existing prometheus.yml loads unchanged.
// Config::to_yaml() re-marshals with defaults filled in, in yaml.v2's style,
// for /api/v1/status/config. Components receive the parts they need; nothing
// keeps the YAML tree. Value types; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "net/config.h"

namespace strata::server {

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";  // unanchored text; matching anchors it
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  std::string action = "replace";  // lower-case
};

struct StaticConfig {
  std::vector<std::string> targets;  // host:port
  std::map<std::string, std::string> labels;
};

struct FileSdConfig {
  std::vector<std::string> files;  // globs, resolved against the config's directory
  int64_t refresh_interval_ms = 5 * 60 * 1000;
};

struct ScrapeConfig {
  std::string job_name;
  bool honor_labels = false;
  bool honor_timestamps = true;
  std::map<std::string, std::vector<std::string>> params;
  int64_t scrape_interval_ms = 0;  // filled from global when absent
  int64_t scrape_timeout_ms = 0;   // filled from global (capped at the interval)
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  int64_t body_size_limit_bytes = 0;  // 0 = none; limits default from global
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  std::vector<std::string> scrape_protocols;  // empty = Prometheus' default order
  bool track_timestamps_staleness = false;
  bool enable_compression = true;
  net::HttpClientConfig http;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<StaticConfig> static_configs;
  bool from_scrape_config_file = false;  // loaded via scrape_config_files
};

struct QueueConfig {  // Prometheus 2.42 defaults
  int64_t capacity = 2500;
  int64_t max_shards = 200;
  int64_t min_shards = 1;
  int64_t max_samples_per_send = 500;
  int64_t batch_send_deadline_ms = 5000;
  int64_t min_backoff_ms = 30;
  int64_t max_backoff_ms = 5000;
  bool retry_on_http_429 = false;
};

struct MetadataConfig {
  bool send = true;
  int64_t send_interval_ms = 60 * 1000;
  int64_t max_samples_per_send = 500;
};

struct RemoteWriteConfig {
  std::string url;
  int64_t remote_timeout_ms = 30 * 1000;
  std::map<std::string, std::string> headers;
  std::vector<RelabelConfig> write_relabel_configs;
  std::string name;
  bool send_exemplars = false;
  bool send_native_histograms = false;
  net::HttpClientConfig http;
  QueueConfig queue_config;
  MetadataConfig metadata_config;
};

struct AlertmanagerConfig {
  net::HttpClientConfig http;
  std::string scheme = "http";
  std::string path_prefix;
  int64_t timeout_ms = 10 * 1000;
  std::string api_version = "v2";
  std::vector<RelabelConfig> relabel_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<StaticConfig> static_configs;
};

struct GlobalConfig {
  int64_t scrape_interval_ms = 60 * 1000;
  int64_t scrape_timeout_ms = 10 * 1000;
  int64_t evaluation_interval_ms = 60 * 1000;
  std::string query_log_file;
  std::map<std::string, std::string> external_labels;
  // Defaults for every scrape config (Prometheus 2.45+); 0 = none.
  int64_t body_size_limit_bytes = 0;
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
};

struct Config {
  GlobalConfig global;
  std::vector<AlertmanagerConfig> alertmanagers;
  std::vector<RelabelConfig> alert_relabel_configs;
  std::vector<std::string> rule_files;           // globs, resolved
  std::vector<std::string> scrape_config_files;  // globs, resolved
  std::vector<ScrapeConfig> scrape_configs;      // includes those from scrape_config_files
  std::vector<RemoteWriteConfig> remote_write;
  // Accepted but not acted on; the server logs them.
  std::vector<std::string> warnings;

  // The configuration with defaults filled in and secrets shown as <secret>,
  // in yaml.v2's style, as /api/v1/status/config shows it.
  std::string to_yaml() const;
};

// The configuration used without --config.file: like Prometheus' example
// prometheus.yml, one scrape job for this server on localhost:9090 every 15 s.
extern const char* const kDefaultConfigYaml;
extern const char* const kDefaultConfigName;  // "<embedded default>", for messages

// Parses YAML text. `filename` appears in messages; `dir` is where relative
// paths point (the config file's directory; "" = the working directory).
// scrape_config_files globs are read from disk.
// Errors: `parsing YAML file <filename>: line 5: field foo not found in type config.plain`.
absl::StatusOr<Config> parse_config(const std::string& yaml, const std::string& filename,
                                    const std::string& dir = "");
// Reads and parses a file.
absl::StatusOr<Config> load_config_file(const std::string& path);

}  // namespace strata::server
