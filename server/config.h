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
#include "remote/config.h"
#include "remote/otlp_config.h"
#include "rules/config.h"
#include "scrape/config.h"
#include "tsdb/labels/relabel.h"

namespace strata::server {

// The parts of prometheus.yml each component owns, under the names this
// parser and its tests use.
using RelabelConfig = tsdb::relabel::Config;
using StaticConfig = scrape::StaticConfig;
using FileSdConfig = scrape::FileSdConfig;
using ScrapeConfig = scrape::ScrapeConfig;
using QueueConfig = remote::QueueConfig;
using MetadataConfig = remote::MetadataConfig;
using RemoteWriteConfig = remote::RemoteWriteConfig;
using AlertmanagerConfig = rules::AlertmanagerConfig;

struct GlobalConfig {
  int64_t scrape_interval_ms = 60 * 1000;
  int64_t scrape_timeout_ms = 10 * 1000;
  int64_t evaluation_interval_ms = 60 * 1000;
  // Prometheus 3: how far back rules evaluate, unless their group says.
  int64_t rule_query_offset_ms = 0;
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
  remote::OtlpConfig otlp;  // the `otlp:` section (Prometheus 3)
  // Accepted but not acted on; the server logs them.
  std::vector<std::string> warnings;

  // The configuration with defaults filled in and secrets shown as <secret>,
  // in yaml.v2's style, as /api/v1/status/config shows it.
  std::string to_yaml() const;
};

// The configuration used without --config.file: like Prometheus' example
// prometheus.yml, one scrape job (`strata`) for this server at
// `self_address` (e.g. "localhost:9090") every 15 s.
std::string default_config_yaml(const std::string& self_address);
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
