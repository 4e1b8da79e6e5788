// Text helpers that reproduce Go's formatting and number parsing byte for byte
// (strconv.Quote, fmt's %q/%#U/%f, strconv.ParseInt/ParseFloat error texts), so
// that parse errors and printed queries read exactly like Prometheus'.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::promql::parser {

// The rune Go's utf8.DecodeRuneInString returns for invalid input.
inline constexpr int32_t kRuneError = 0xFFFD;

// utf8.DecodeRuneInString: the rune at the start of `s` and its width in bytes.
// Invalid UTF-8 yields {kRuneError, 1}; an empty string {kRuneError, 0}.
struct DecodedRune {
  int32_t rune;
  int width;
};
DecodedRune decode_rune(std::string_view s);
void append_utf8(std::string* out, int32_t r);

// unicode.IsPrint, approximated: control, format and separator characters,
// surrogates and non-characters are not printable.
bool go_is_print(int32_t r);

// strconv.Quote: a double-quoted Go string literal.
std::string go_quote(std::string_view s);
// fmt's "%.Nq": the first `max_runes` runes of `s`, quoted.
std::string go_quote_prefix(std::string_view s, size_t max_runes);
// fmt's "%q" for a rune, e.g. 'a', '\n', '\x00', '�' for invalid runes.
std::string go_quote_rune(int32_t r);
// fmt's "%#U", e.g. "U+0071 'q'" or "U+000A".
std::string go_unicode(int32_t r);

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
