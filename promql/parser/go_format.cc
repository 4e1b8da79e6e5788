#include "promql/parser/go_format.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace strata::promql::parser {
namespace {

std::string syntax_error(const char* fn, std::string_view s) {
  return std::string("strconv.") + fn + ": parsing " + go_quote(s) + ": invalid syntax";
}

std::string range_error(const char* fn, std::string_view s) {
  return std::string("strconv.") + fn + ": parsing " + go_quote(s) + ": value out of range";
}

char lower(char c) { return char(c | 0x20); }

// strconv's underscoreOK: underscores only between digits (or after a base prefix).
bool underscore_ok(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseInt(s, 0, 64) for the unsigned texts the lexer produces.
bool parse_int_base0(std::string_view s0, int64_t* out) {
  std::string_view s = s0;
  if (s.empty()) return false;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') {
      base = 2, s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'o') {
      base = 8, s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'x') {
      base = 16, s.remove_prefix(2);
    } else {
      base = 8, s.remove_prefix(1);
    }
  }
  unsigned __int128 n = 0;
  bool underscores = false;
  bool overflow = false;
  for (char c : s) {
    int d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      d = lower(c) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    n = n * base + d;
    if (n > uint64_t(std::numeric_limits<int64_t>::max())) overflow = true, n = 0;
  }
  if (underscores && !underscore_ok(s0)) return false;
  if (overflow) return false;
  *out = int64_t(n);
  return true;
}

// Whether `s` is a decimal float in Go's syntax (digits, optional fraction,
// optional exponent, `_` separators) or a special value (inf/infinity/nan).
bool go_decimal_float_syntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string_view rest = s.substr(i);
  auto ieq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (lower(a[k]) != b[k]) return false;
    return true;
  };
  if (ieq(rest, "inf") || ieq(rest, "infinity") || ieq(rest, "nan")) return true;
  if (rest.size() >= 2 && rest[0] == '0' && lower(rest[1]) == 'x') return false;  // needs 'p'
  bool digits = false;
  for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) digits |= s[i] != '_';
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i)
      digits |= s[i] != '_';
  }
  if (!digits) return false;
  if (i < s.size() && lower(s[i]) == 'e') {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool exp_digits = false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i)
      exp_digits |= s[i] != '_';
    if (!exp_digits) return false;
  }
  if (i != s.size()) return false;
  return s.find('_') == std::string_view::npos || underscore_ok(s);
}

}  // namespace

std::string format_float_f(double v, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  auto res = prec < 0 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                      : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, prec);
  return std::string(buf, res.ptr);
}

bool parse_go_number(std::string_view s, double* out, std::string* err) {
  int64_t i;
  if (parse_int_base0(s, &i)) {
    *out = double(i);
    return true;
  }
  if (!go_decimal_float_syntax(s)) {
    *out = 0;
    *err = syntax_error("ParseFloat", s);
    return false;
  }
  std::string clean;
  for (char c : s)
    if (c != '_') clean.push_back(c);
  errno = 0;
  double v = std::strtod(clean.c_str(), nullptr);
  *out = v;
  // Go reports only overflow; underflow silently rounds to zero or a denormal.
  if (errno == ERANGE && std::isinf(v)) {
    *err = range_error("ParseFloat", s);
    return false;
  }
  return true;
}

bool parse_go_uint(std::string_view s, uint64_t* out, std::string* err) {
  if (s.empty()) {
    *err = syntax_error("ParseUint", s);
    return false;
  }
  unsigned __int128 n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      *err = syntax_error("ParseUint", s);
      return false;
    }
    n = n * 10 + unsigned(c - '0');
    if (n > std::numeric_limits<uint64_t>::max()) {
      *err = range_error("ParseUint", s);
      return false;
    }
  }
  *out = uint64_t(n);
  return true;
}

}  // namespace strata::promql::parser
