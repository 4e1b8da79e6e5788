// Text helpers that reproduce Go's formatting and number parsing byte for byte
// (fmt's %f, strconv.ParseInt/ParseFloat and their error texts; quoting comes
// from base/go_quote.h, found by the parser's unqualified calls), so that
// parse errors and printed queries read exactly like Prometheus'.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/go_quote.h"

namespace strata::promql::parser {

// strconv.FormatFloat(v, 'f', prec, 64); prec -1 = shortest round-trip digits.
// Infinities are "+Inf"/"-Inf", NaN is "NaN".
std::string format_float_f(double v, int prec = -1);

// Prometheus' parser.number(): strconv.ParseInt(s, 0, 64), falling back to
// strconv.ParseFloat(s, 64). On failure returns false and sets *err to Go's
// error text, e.g. `strconv.ParseFloat: parsing "1e": invalid syntax`; *out
// still receives ParseFloat's value (±Inf for out-of-range numbers).
bool parse_go_number(std::string_view s, double* out, std::string* err);

// strconv.ParseUint(s, 10, 64); on failure *err is Go's error text.
bool parse_go_uint(std::string_view s, uint64_t* out, std::string* err);

}  // namespace strata::promql::parser
