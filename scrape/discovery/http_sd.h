// The pure parts of the http_sd_configs provider (http_sd.cc), internal to
// scrape/discovery and its tests: what one answer means, and the refresh
// interval header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/message.h"
#include "scrape/discovery/target_group.h"

namespace strata::scrape {

// The groups of an answer from `url`: 200, a JSON Content-Type
// (json_content_type()) and a JSON list of groups, each with source
// `<url>:<index>` and __meta_url. Otherwise Prometheus' error, e.g.
// `server returned HTTP status 404 Not Found`,
// `unsupported content type "text/plain"`.
absl::StatusOr<std::vector<TargetGroup>> http_sd_groups(const net::Response& r, const std::string& url);

// Whether a Content-Type is what Prometheus accepts:
// `^(?i:application\/json(;\s*charset=("utf-8"|utf-8))?)$` after trimming.
bool json_content_type(std::string_view ct);

// X-Prometheus-Refresh-Interval-Seconds: the interval in seconds, as Go's
// strconv.FormatFloat(s, 'f', -1, 64) prints it ("60", "0.5").
std::string refresh_interval_header(int64_t ms);

}  // namespace strata::scrape
