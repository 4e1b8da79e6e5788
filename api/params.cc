#include "api/params.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "base/duration.h"
#include "base/float_format.h"
#include "base/go_quote.h"

namespace strata::api {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// time.Parse(time.RFC3339Nano, s): YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM).
bool parse_rfc3339(std::string_view s, int64_t* t_ms) {
  int y, mo, d, h, mi, sec;
  if (!parse_digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !parse_digits(s, 5, 2, &mo) ||
      s[7] != '-' || !parse_digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !parse_digits(s, 11, 2, &h) || s[13] != ':' || !parse_digits(s, 14, 2, &mi) || s[16] != ':' ||
      !parse_digits(s, 17, 2, &sec))
    return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || sec > 59)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int64_t scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < 9) nanos += (s[i] - '0') * scale, scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!parse_digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !parse_digits(s, i + 4, 2, &om) || oh > 23 || om > 59)
      return false;
    offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  int64_t secs = days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + sec -
                 offset_s;
  *t_ms = secs * 1000 + nanos / 1000000;
  return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size() || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) return std::nullopt;
      out.push_back(char(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) amp = s.size();
    std::string_view part = s.substr(i, amp - i);
    i = amp + 1;
    if (part.empty() || part.find(';') != std::string_view::npos) continue;
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    auto key = percent_decode(k, true);
    auto value = percent_decode(v, true);
    if (key && value) out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

Form Form::parse(const HttpRequest& req) {
  Form f;
  std::string_view ct = req.header("content-type");
  if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") &&
      ct.substr(0, 33) == "application/x-www-form-urlencoded") {
    f.kv_ = parse_urlencoded(req.body);
  }
  for (auto& kv : parse_urlencoded(req.query)) f.kv_.push_back(std::move(kv));
  return f;
}

std::string Form::value(std::string_view key) const {
  for (const auto& [k, v] : kv_) {
    if (k == key) return v;
  }
  return {};
}

bool Form::has(std::string_view key) const {
  for (const auto& [k, v] : kv_) {
    if (k == key) return true;
  }
  return false;
}

std::vector<std::string> Form::values(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : kv_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

absl::StatusOr<int64_t> parse_time_ms(std::string_view s) {
  if (auto f = parse_go_float(s)) {
    double t = *f;
    if (std::isfinite(t)) {
      double whole = std::trunc(t);
      double frac = std::round((t - whole) * 1000);
      double ms = whole * 1000 + frac;
      if (ms > double(kMaxTimeMs)) return kMaxTimeMs;
      if (ms < double(kMinTimeMs)) return kMinTimeMs;
      return int64_t(whole) * 1000 + int64_t(frac);
    }
  }
  int64_t t;
  if (parse_rfc3339(s, &t)) return t;
  if (s == "-292273086-05-16T16:47:06Z") return kMinTimeMs;
  if (s == "292277025-08-18T07:12:54.999999999Z") return kMaxTimeMs;
  return absl::InvalidArgumentError("cannot parse " + go_quote(s) + " to a valid timestamp");
}

absl::StatusOr<int64_t> parse_duration_ms(std::string_view s) {
  if (auto f = parse_go_float(s)) {
    double ns = *f * 1e9;
    if (!(ns < 9.223372036854775807e18 && ns > -9.223372036854775808e18))
      return absl::InvalidArgumentError("cannot parse " + go_quote(s) +
                                        " to a valid duration. It overflows int64");
    return int64_t(ns) / 1000000;
  }
  if (auto ms = parse_duration(s); ms.ok()) return *ms;
  return absl::InvalidArgumentError("cannot parse " + go_quote(s) + " to a valid duration");
}

std::string format_rfc3339(int64_t t_ms) {
  if (t_ms == 0) return "0001-01-01T00:00:00Z";
  std::time_t secs = std::time_t(t_ms >= 0 ? t_ms / 1000 : (t_ms - 999) / 1000);
  int frac = int(t_ms - int64_t(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%03d", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

}  // namespace strata::api
