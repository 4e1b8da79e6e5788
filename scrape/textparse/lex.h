// Internal to scrape/textparse: what the two exposition lexers share.
//
// Prometheus' lexers are generated from a rule table; their error messages
// name the token that was found (`expected equal, got "BCLOSE"`), and the
// OpenMetrics one also the byte where lexing stopped. The hand-written lexers
// here keep Prometheus' notion of a token to say the same: `start` where
// lexing began (kept across a state change without a token, e.g. after
// `# `), and `end` where it stopped: one past a matched token, or at the byte
// no rule could take for kInvalid. A rule never backs up: ` # x` after an
// OpenMetrics value is invalid at `x`, not a timestamp ` #`.
//
// The text format parses the body as if a '\n' followed it (Prometheus
// appends one), so a last line without a newline is fine; Cursor::at() makes
// that byte up instead of copying the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace strata::scrape::textparse::internal {

enum class Tok : uint8_t {
  kInvalid,
  kEof,
  kLinebreak,
  kWhitespace,
  kHelp,
  kType,
  kUnit,
  kEofWord,
  kText,
  kComment,
  kMName,
  kQString,
  kBraceOpen,
  kBraceClose,
  kLName,
  kLValue,
  kComma,
  kEqual,
  kTimestamp,
  kValue,
};
// Prometheus' token names ("INVALID", "LNAME", "BCLOSE", ...).
const char* tok_name(Tok t);

struct Token {
  Tok kind;
  size_t start;
  size_t end;
  bool escaped = false;  // a quoted token holds a backslash
};

inline bool is_name_start(int c) {  // [a-zA-Z_:]
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
inline bool is_label_start(int c) { return is_name_start(c) && c != ':'; }
inline bool is_label_char(int c) { return is_label_start(c) || (c >= '0' && c <= '9'); }

class Cursor {
 public:
  // `trailing_newline`: behave as if body ended with one more '\n'.
  Cursor(std::string_view body, bool trailing_newline)
      : b_(body), n_(body.size() + (trailing_newline ? 1 : 0)) {}

  // The byte at i (i < n()), the made-up '\n' included.
  int at(size_t i) const { return i < b_.size() ? static_cast<unsigned char>(b_[i]) : '\n'; }
  size_t n() const { return n_; }
  std::string_view body() const { return b_; }

  // Ends of a name run starting at i ([a-zA-Z_:][a-zA-Z0-9_:]* or the label
  // variant); i must hold a start character.
  size_t name_end(size_t i) const {
    while (++i < n_ && is_name_char(at(i))) {
    }
    return i;
  }
  size_t label_end(size_t i) const {
    while (++i < n_ && is_label_char(at(i))) {
    }
    return i;
  }
  // A quoted string `"(\\.|[^\\"])*"` starting at i (at(i) == '"'); `.` is any
  // byte but '\n', and `newline_ok` lets an unescaped '\n' stand in the string
  // (the text format's rule; OpenMetrics forbids it). Returns true with *end
  // one past the closing quote, or false with *end at the byte that broke it;
  // *escaped says whether a backslash occurred.
  bool quoted_end(size_t i, bool newline_ok, size_t* end, bool* escaped) const;

  // The bytes [a, e) with the made-up '\n', for messages.
  std::string snippet(size_t a, size_t e) const;

 private:
  std::string_view b_;
  size_t n_;
};

// Prometheus' parse error: `<exp>, got "<TOKEN NAME>"`.
absl::Status parse_error(std::string_view exp, const Token& t);
// Prometheus 3's form, for the errors only Prometheus 3 has:
// `<exp>, got "<token and the byte after>" ("<NAME>") while parsing: "<line so far>"`.
absl::Status parse_error_v3(const Cursor& c, std::string_view exp, const Token& t, size_t line_start);

// Prometheus' float syntax: Go's strconv.ParseFloat without the `p`/`P`
// exponent and `_` separators Go 1.13 added. NaN, Inf and Infinity in any
// case, with a sign for the infinities. On failure *err holds the message
// ("unsupported character in float", "strconv.ParseFloat: parsing "x":
// invalid syntax" / "value out of range").
bool parse_prom_float(std::string_view s, double* out, std::string* err);
// strconv.ParseInt(s, 10, 64) for a run of digits.
bool parse_int64(std::string_view s, int64_t* out, std::string* err);
// Go's int64(f) on amd64: truncation, and the "integer indefinite" value
// INT64_MIN where the result does not fit (NaN included).
int64_t go_float_to_int64(double f);

// Whether s is valid UTF-8 (Go's utf8.Valid).
bool valid_utf8(std::string_view s);
// Appends s with Prometheus' escapes undone: `\\` and `\n`, and `\"` when
// `quote_escape` (label values, OpenMetrics HELP; not the text format's
// HELP). Other backslashes stay as written.
void append_unescaped(std::string* out, std::string_view s, bool quote_escape);

}  // namespace strata::scrape::textparse::internal
