// Go's fmt package over template values: Sprintf (verbs, flags, width,
// precision, argument indexes, and the %!d(string=x), %!d(MISSING),
// %!(EXTRA ...) forms), Sprint and Sprintln. Byte-identical to Go for the
// kinds in value.h, except pointers inside containers, which Go prints as
// addresses and we print as a fixed placeholder. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/template/value.h"

namespace strata::rules::tmpl {

// fmt.Sprintf(format, args...). A kInvalid argument prints as Go's nil.
// Stops early (with a partial result) once the output exceeds `max_bytes`.
std::string go_sprintf(std::string_view format, const std::vector<Value>& args,
                       size_t max_bytes = SIZE_MAX);
// fmt.Sprint(args...): a space between operands when neither is a string.
std::string go_sprint(const std::vector<Value>& args);
// fmt.Sprintln(args...): spaces between all operands, then "\n".
std::string go_sprintln(const std::vector<Value>& args);

// What an action prints for a value (text/template's printValue):
// "<no value>" for kInvalid, a non-nil *sample without the "&".
std::string printable(const Value& v);

// strconv.FormatFloat(v, fmt, prec, 64) for fmt in "beEfFgGxX"; prec -1 is
// the shortest representation. Infinities are "+Inf"/"-Inf", NaN "NaN".
std::string go_format_float(double v, char fmt, int prec);

}  // namespace strata::rules::tmpl
