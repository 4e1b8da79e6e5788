// Request parameters as Prometheus' API reads them: form values from the
// URL-encoded POST body first, then the URL query (Go's r.FormValue), and the
// time / duration syntaxes of `time`, `start`, `end`, `step`, `timeout`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "api/http.h"

namespace strata::api {

// The bounds Prometheus uses for "no start" / "no end" (ms since epoch).
inline constexpr int64_t kMinTimeMs = -9223309901257974000LL;
inline constexpr int64_t kMaxTimeMs = 9223309901257974999LL;

class Form {
 public:
  static Form parse(const HttpRequest& req);
  // First value of `key`, or "" when absent.
  std::string value(std::string_view key) const;
  bool has(std::string_view key) const;
  std::vector<std::string> values(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, std::string>> kv_;
};

// Decodes application/x-www-form-urlencoded text ('+' is a space) as Go's
// url.ParseQuery does: a pair with an invalid percent escape or a ';' is
// dropped, the other pairs are kept.
std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view s);
// Percent-decodes `s`; nullopt if an escape is not '%' and two hex digits.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Unix seconds with decimals (rounded to ms) or RFC 3339; errors read
// `cannot parse "x" to a valid timestamp`.
absl::StatusOr<int64_t> parse_time_ms(std::string_view s);
// Float seconds or a Prometheus duration ("1m30s"); errors read
// `cannot parse "x" to a valid duration`.
absl::StatusOr<int64_t> parse_duration_ms(std::string_view s);
// Go's time.Time in JSON (RFC 3339, UTC, fraction without trailing zeros);
// 0 stands for Go's zero time ("never").
std::string format_rfc3339(int64_t t_ms);

}  // namespace strata::api
