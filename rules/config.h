// An alertmanagers entry of prometheus.yml's alerting section: where the
// notifier sends alerts (static or file discovery, scheme, path prefix,
// API version, HTTP client) and how it relabels them. Filled and validated
// by server/'s config parser; the notifier (next) runs it. Value types.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "net/config.h"
#include "scrape/config.h"
#include "tsdb/labels/relabel.h"

namespace strata::rules {

struct AlertmanagerConfig {
  net::HttpClientConfig http;
  std::string scheme = "http";
  std::string path_prefix;
  int64_t timeout_ms = 10 * 1000;
  std::string api_version = "v2";
  std::vector<tsdb::relabel::Config> relabel_configs;
  // Prometheus 3: relabeling of the alerts sent to these Alertmanagers only,
  // after the global alert_relabel_configs.
  std::vector<tsdb::relabel::Config> alert_relabel_configs;
  std::vector<scrape::FileSdConfig> file_sd_configs;
  std::vector<scrape::StaticConfig> static_configs;
};

}  // namespace strata::rules
