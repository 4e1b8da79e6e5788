// What `stratatool lint dashboard --url` learns from a running Strata (or
// Prometheus) before linting: the metric names that have series
// (/api/v1/label/__name__/values), the metric types of /api/v1/metadata and
// the global scrape interval of /api/v1/status/config. Fetched once, then
// read by every dashboard's checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "absl/status/statusor.h"

namespace strata::dashlint {

struct ServerFacts {
  std::string url;
  std::unordered_set<std::string> metric_names;
  std::unordered_map<std::string, std::string> metric_types;  // "counter", "gauge", ...
  std::optional<int64_t> scrape_interval_ms;
};

// Three GETs under `url` (no trailing slash needed), each within `timeout_ms`.
// Errors name the URL and what failed.
absl::StatusOr<ServerFacts> fetch_server_facts(const std::string& url, int64_t timeout_ms);

}  // namespace strata::dashlint
