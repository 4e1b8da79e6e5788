// The body of Alertmanager's POST /api/v2/alerts, written byte for byte as
// Prometheus' notifier marshals it (the API's postableAlert through Go's
// encoding/json): a JSON array of objects with the fields in the order
//   annotations (left out when empty), endsAt, startsAt, generatorURL (left
//   out when empty), labels
// Label and annotation maps are written with their names in byte order (Go
// sorts map keys). Strings are escaped as Go's encoder does: \" \\ \n \r \t
// \b \f, other control characters as \u00XX, '<' '>' '&' as \u003c \u003e
// \u0026, U+2028 and U+2029 as \u2028 \u2029, and every byte of invalid UTF-8
// as \ufffd. Times are RFC 3339 in UTC with exactly three fractional digits
// ("2024-05-01T10:00:00.000Z", go-openapi's strfmt.DateTime); a time of 0 is
// Go's zero time, "0001-01-01T00:00:00.000Z", which Alertmanager reads as
// unset.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rules/alert.h"

namespace strata::rules::notifier {

// Appends `s` as a JSON string (with the quotes), escaped as above.
void append_json_string(std::string* out, std::string_view s);

// Appends `t_ms` (Unix milliseconds) as a quoted RFC 3339 time as above.
void append_json_time(std::string* out, int64_t t_ms);

// The whole request body for `alerts` ("[]" for none).
std::string encode_alerts(std::span<const Alert> alerts);

}  // namespace strata::rules::notifier
