// Go's quoting of strings and runes, byte for byte (strconv.Quote, fmt's %q,
// %.Nq and %#U, utf8.DecodeRuneInString), so that error messages quoting
// user input read exactly like Prometheus'. Used by the PromQL parser and the
// HTTP API. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

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

// strconv.Quote (fmt's "%q" for a string): a double-quoted Go string literal.
std::string go_quote(std::string_view s);
// fmt's "%.Nq": the first `max_runes` runes of `s`, quoted.
std::string go_quote_prefix(std::string_view s, size_t max_runes);
// fmt's "%q" for a rune, e.g. 'a', '\n', '\x00', '�' for invalid runes.
std::string go_quote_rune(int32_t r);
// fmt's "%#U", e.g. "U+0071 'q'" or "U+000A".
std::string go_unicode(int32_t r);

}  // namespace strata
