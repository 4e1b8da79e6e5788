#include "base/float_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"

namespace strata {
namespace {

bool append_special(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    return false;
  }
  return true;
}

void append_chars(std::string* out, double v, std::chars_format fmt) {
  char buf[400];  // fixed format of the largest doubles needs ~330 chars.
  auto r = std::to_chars(buf, buf + sizeof(buf), v, fmt);
  out->append(buf, r.ptr);
}

// Go's 'f' with precision -1: the shortest round-trip digits, padded with
// zeros — 2^64 is "18446744073709552000", where std::to_chars(fixed) would
// print the exact "18446744073709551616".
void append_shortest_fixed(std::string* out, double v) {
  char sci[64];
  auto r = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  const char* p = sci;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];  // at most 17 significant digits
  size_t nd = 0;
  for (; *p != 'e'; ++p)
    if (*p != '.') digits[nd++] = *p;
  int exp10 = 0;
  std::from_chars(p + 2, r.ptr, exp10);  // after "e+" or "e-"
  if (p[1] == '-') exp10 = -exp10;
  int point = exp10 + 1;  // digits before the decimal point
  if (point <= 0) {
    out->append("0.");
    out->append(size_t(-point), '0');
    out->append(digits, nd);
  } else if (size_t(point) >= nd) {
    out->append(digits, nd);
    out->append(size_t(point) - nd, '0');
  } else {
    out->append(digits, size_t(point));
    out->push_back('.');
    out->append(digits + point, nd - size_t(point));
  }
}

}  // namespace

void append_float_json(std::string* out, double v) {
  if (append_special(out, v)) return;
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    append_chars(out, v, std::chars_format::scientific);
  } else if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
  } else {
    append_shortest_fixed(out, v);
  }
}

void append_float_go_g(std::string* out, double v) {
  if (append_special(out, v)) return;
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  // Go's shortest 'g' switches to %e when the decimal exponent is < -4 or >= 6
  // (strconv sets eprec = 6 for the shortest form): 1e+06, 123456, 1e-05.
  char sci[64];
  auto r = std::to_chars(sci, sci + sizeof(sci) - 1, v, std::chars_format::scientific);
  *r.ptr = '\0';
  const char* e = static_cast<const char*>(std::memchr(sci, 'e', r.ptr - sci));
  int exp10 = std::atoi(e + 1);
  if (exp10 < -4 || exp10 >= 6) {
    out->append(sci, r.ptr);
  } else {
    append_shortest_fixed(out, v);
  }
}

void append_float_go_e(std::string* out, double v) {
  if (append_special(out, v)) return;
  char sci[64];
  auto r = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  out->append(sci, r.ptr);
}

void append_timestamp_seconds(std::string* out, int64_t t_ms) {
  int64_t sec = t_ms / 1000;
  int64_t ms = t_ms % 1000;
  if (ms < 0) {  // Go's MarshalTimestamp works on the absolute value's parts.
    if (sec == 0) out->push_back('-');
    ms = -ms;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), sec);
  out->append(buf, r.ptr);
  if (ms != 0) {
    char frac[5] = {'.', char('0' + ms / 100), char('0' + ms / 10 % 10), char('0' + ms % 10), 0};
    out->append(frac, 4);
  }
}

std::optional<double> parse_go_float(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower = absl::AsciiStrToLower(std::string(body));
  if (lower == "inf" || lower == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  if (lower == "nan") return std::nan("");
  if (body.empty()) return std::nullopt;
  // Only digits, '.', exponent and hex forms may follow; reject what strtod
  // would also take but Go does not (leading spaces, "nan(...)", "infinity" typos).
  for (char c : body) {
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'x' || c == 'X' ||
          c == 'p' || c == 'P' || c == '+' || c == '-' || c == '_'))
      return std::nullopt;
  }
  std::string buf(s);
  bool hex = lower.size() > 1 && lower[0] == '0' && lower[1] == 'x';
  if (hex && lower.find('p') == std::string::npos) return std::nullopt;  // Go needs the p exponent.
  if (buf.find('_') != std::string::npos) {
    // Go allows '_' only between digits after a base prefix.
    if (!hex) return std::nullopt;
    std::string clean;
    for (size_t i = 0; i < buf.size(); ++i) {
      if (buf[i] != '_') {
        clean.push_back(buf[i]);
        continue;
      }
      if (i == 0 || i + 1 >= buf.size() || !std::isxdigit(static_cast<unsigned char>(buf[i - 1])) ||
          !std::isxdigit(static_cast<unsigned char>(buf[i + 1])))
        return std::nullopt;
    }
    buf = clean;
  }
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(v)) return std::nullopt;  // Go: "value out of range"
  return v;
}

}  // namespace strata
