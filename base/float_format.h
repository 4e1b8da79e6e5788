// Float <-> text the way Prometheus' Go code does it, so our JSON and
// exposition output are byte-identical to Prometheus'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata {

// Appends `v` like jsonutil.MarshalFloat (without the quotes): shortest
// round-trip digits in 'f' format, 'e' format when |v| < 1e-6 or >= 1e21,
// and "NaN", "+Inf", "-Inf".
void append_float_json(std::string* out, double v);

// Appends `v` like Go's strconv.FormatFloat(v, 'g', -1, 64) with Prometheus'
// spellings of the special values ("NaN", "+Inf", "-Inf"): the exposition format.
void append_float_go_g(std::string* out, double v);

// Appends `v` like strconv.FormatFloat(v, 'e', -1, 64): "1e+00", "1.5e-07"
// (alert values in /api/v1/alerts).
void append_float_go_e(std::string* out, double v);

// Appends a millisecond timestamp as JSON seconds: "1435781451.781", "10.050", "10".
void append_timestamp_seconds(std::string* out, int64_t t_ms);

// Parses a float like Go's strconv.ParseFloat: decimal, exponent, hex floats,
// Inf/Infinity/NaN in any case with an optional sign. The whole string must be used.
std::optional<double> parse_go_float(std::string_view s);

}  // namespace strata
