#include "scrape/textparse/lex.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "base/go_quote.h"

namespace strata::scrape::textparse::internal {

const char* tok_name(Tok t) {
  switch (t) {
    case Tok::kInvalid: return "INVALID";
    case Tok::kEof: return "EOF";
    case Tok::kLinebreak: return "LINEBREAK";
    case Tok::kWhitespace: return "WHITESPACE";
    case Tok::kHelp: return "HELP";
    case Tok::kType: return "TYPE";
    case Tok::kUnit: return "UNIT";
    case Tok::kEofWord: return "EOFWORD";
    case Tok::kText: return "TEXT";
    case Tok::kComment: return "COMMENT";
    case Tok::kMName: return "MNAME";
    case Tok::kQString: return "QSTRING";
    case Tok::kBraceOpen: return "BOPEN";
    case Tok::kBraceClose: return "BCLOSE";
    case Tok::kLName: return "LNAME";
    case Tok::kLValue: return "LVALUE";
    case Tok::kComma: return "COMMA";
    case Tok::kEqual: return "EQUAL";
    case Tok::kTimestamp: return "TIMESTAMP";
    case Tok::kValue: return "VALUE";
  }
  return "INVALID";
}

bool Cursor::quoted_end(size_t i, bool newline_ok, size_t* end, bool* escaped) const {
  size_t j = i + 1;
  for (;;) {
    if (j >= n_) {
      *end = n_;
      return false;
    }
    int c = at(j);
    if (c == '"') {
      *end = j + 1;
      return true;
    }
    if (c == '\\') {
      *escaped = true;
      if (j + 1 >= n_) {
        *end = n_;
        return false;
      }
      if (at(j + 1) == '\n') {  // `\\.`: any byte but a newline
        *end = j + 1;
        return false;
      }
      j += 2;
      continue;
    }
    if (c == '\n' && !newline_ok) {
      *end = j;
      return false;
    }
    ++j;
  }
}

std::string Cursor::snippet(size_t a, size_t e) const {
  std::string s;
  size_t real_end = std::min(e, b_.size());
  if (a < real_end) s.assign(b_.data() + a, real_end - a);
  if (e > b_.size() && e > a) s.push_back('\n');
  return s;
}

absl::Status parse_error(std::string_view exp, const Token& t) {
  return absl::InvalidArgumentError(std::string(exp) + ", got " + go_quote(tok_name(t.kind)));
}

absl::Status parse_error_v3(const Cursor& c, std::string_view exp, const Token& t, size_t line_start) {
  size_t e = std::min(t.end + 1, c.n());
  std::string msg(exp);
  msg += ", got ";
  msg += go_quote(c.snippet(t.start, e));
  msg += " (";
  msg += go_quote(tok_name(t.kind));
  msg += ") while parsing: ";
  msg += go_quote(c.snippet(line_start, e));
  return absl::InvalidArgumentError(msg);
}

namespace {

bool equal_fold(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's decimal float grammar: digits with at most one '.', at least one
// digit, then an optional exponent with at least one digit.
bool decimal_syntax(std::string_view s) {
  size_t i = 0, digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

bool parse_prom_float(std::string_view s, double* out, std::string* err) {
  if (s.find_first_of("pP_") != std::string_view::npos) {
    *err = "unsupported character in float";
    return false;
  }
  std::string_view body = s;
  bool neg = false;
  bool sign = !body.empty() && (body[0] == '+' || body[0] == '-');
  if (sign) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (equal_fold(body, "inf") || equal_fold(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (!sign && equal_fold(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!decimal_syntax(body)) {
    *err = "strconv.ParseFloat: parsing " + go_quote(s) + ": invalid syntax";
    return false;
  }
  double v = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow is Go's range error; underflow yields 0 or a denormal without
    // one. strtod tells them apart (rare path, so the copy is fine).
    std::string copy(body);
    errno = 0;
    v = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(v)) {
      *err = "strconv.ParseFloat: parsing " + go_quote(s) + ": value out of range";
      return false;
    }
  }
  *out = neg ? -v : v;
  return true;
}

bool parse_int64(std::string_view s, int64_t* out, std::string* err) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    *err = "strconv.ParseInt: parsing " + go_quote(s) +
           (r.ec == std::errc::result_out_of_range ? ": value out of range" : ": invalid syntax");
    return false;
  }
  *out = v;
  return true;
}

int64_t go_float_to_int64(double f) {
  // 2^63 is exactly representable; anything at or beyond it (or NaN) is the
  // CVTTSD2SQ "integer indefinite" result Go's amd64 code yields.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::isnan(f) || f >= kTwo63 || f < -kTwo63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(f);
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    DecodedRune r = decode_rune(std::string_view(reinterpret_cast<const char*>(p), size_t(end - p)));
    if (r.rune == kRuneError && r.width == 1) return false;
    p += r.width;
  }
  return true;
}

void append_unescaped(std::string* out, std::string_view s, bool quote_escape) {
  size_t i = 0;
  while (i < s.size()) {
    size_t bs = s.find('\\', i);
    if (bs == std::string_view::npos || bs + 1 >= s.size()) {
      out->append(s.data() + i, s.size() - i);
      return;
    }
    out->append(s.data() + i, bs - i);
    char c = s[bs + 1];
    if (c == '\\') {
      out->push_back('\\');
      i = bs + 2;
    } else if (c == 'n') {
      out->push_back('\n');
      i = bs + 2;
    } else if (c == '"' && quote_escape) {
      out->push_back('"');
      i = bs + 2;
    } else {
      out->push_back('\\');
      i = bs + 1;
    }
  }
}

}  // namespace strata::scrape::textparse::internal
