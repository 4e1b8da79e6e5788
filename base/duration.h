// Prometheus durations ("5m", "1h30m", "1m0s", "90d", "1y2w", "1500ms"), with
// the semantics of prometheus/common's model.ParseDuration and
// model.Duration.String(). One copy for every reader of durations: the PromQL
// parser (ranges, steps, offsets), the HTTP API (`step`, `timeout`,
// `lookback_delta`), flags and the configuration file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata {

// Parses `[Ny][Nw][Nd][Nh][Nm][Ns][Nms]` (units in this order, each at most
// once, integer counts) or the bare "0" into milliseconds. Like Go, the total
// must fit int64 nanoseconds (about 292 years). Errors are InvalidArgument
// with Prometheus' texts: `not a valid duration string: "1.5m"`, `duration
// out of range`, `empty duration string`. Zero is allowed here; callers that
// need a positive duration check it themselves.
absl::StatusOr<int64_t> parse_duration(std::string_view text);

// model.Duration.String(): "1h30m", "1d1ms", "0s"; years and weeks only when
// they divide the value exactly (90d stays "90d", 14d is "2w"). `ms` >= 0.
std::string format_duration(int64_t ms);

// Go's time.Duration.String() for whole milliseconds: "0s", "500ms",
// "1.5s", "1m0s", "1h2m3s", "-1m0s".
std::string format_go_duration(int64_t ms);

}  // namespace strata
