// What a scrape job is, as prometheus.yml's scrape_configs say it: the
// target sources (static, file, HTTP and DNS discovery), the HTTP client,
// relabeling and limits. Durations in milliseconds, defaults Prometheus'.
// Filled and validated by server/'s config parser; the scrape manager (next)
// runs it. Value types.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "net/config.h"
#include "tsdb/labels/relabel.h"

namespace strata::scrape {

struct StaticConfig {
  std::vector<std::string> targets;  // host:port
  std::map<std::string, std::string> labels;
  bool operator==(const StaticConfig&) const = default;
};

struct FileSdConfig {
  std::vector<std::string> files;  // globs, resolved against the config's directory
  int64_t refresh_interval_ms = 5 * 60 * 1000;
  bool operator==(const FileSdConfig&) const = default;
};

// http_sd_configs: GET `url` every refresh_interval for a JSON list of
// target groups (Prometheus' HTTP SD).
struct HttpSdConfig {
  std::string url;  // http:// or https://, checked by the parser
  int64_t refresh_interval_ms = 60 * 1000;
  net::HttpClientConfig http;
  bool operator==(const HttpSdConfig&) const = default;
};

// dns_sd_configs: each name is looked up every refresh_interval through the
// system's resolver configuration (resolv.conf).
struct DnsSdConfig {
  std::vector<std::string> names;
  int64_t refresh_interval_ms = 30 * 1000;
  // As written ("SRV", "A", "AAAA" or "MX", any case); shown as written.
  std::string type = "SRV";
  int64_t port = 0;  // required for A, AAAA and MX; SRV records carry theirs
  bool operator==(const DnsSdConfig&) const = default;
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
  uint64_t keep_dropped_targets = 0;  // how many dropped targets the API lists; 0 = all
  std::vector<std::string> scrape_protocols;  // empty = Prometheus' default order
  // The format of a response whose Content-Type names none ("" = fail).
  std::string fallback_scrape_protocol;
  bool track_timestamps_staleness = false;
  bool enable_compression = true;
  net::HttpClientConfig http;
  std::vector<tsdb::relabel::Config> relabel_configs;
  std::vector<tsdb::relabel::Config> metric_relabel_configs;
  std::vector<DnsSdConfig> dns_sd_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<HttpSdConfig> http_sd_configs;
  std::vector<StaticConfig> static_configs;
  bool from_scrape_config_file = false;  // loaded via scrape_config_files
  // Discovery sections of the job Strata does not act on (e.g.
  // "kubernetes_sd_configs"): warned about at every load and listed by
  // /api/v1/targets, never dropped silently.
  std::vector<std::string> unsupported_sd_configs;

  bool operator==(const ScrapeConfig&) const = default;
};

}  // namespace strata::scrape
