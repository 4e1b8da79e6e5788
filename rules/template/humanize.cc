#include "rules/template/humanize.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "rules/template/go_fmt.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace {

absl::Status err(std::string_view msg) { return absl::InvalidArgumentError(std::string(msg)); }

// fmt's "%.4g".
std::string g4(double v) { return go_format_float(v, 'g', 4); }

bool looks_infinite(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  std::string lower;
  for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return lower == "inf" || lower == "infinity";
}

// A well-formed decimal float too large for float64 ("1e999"), which Go
// rejects with ErrRange rather than ErrSyntax.
bool decimal_overflows(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0 || i >= s.size() || (s[i] != 'e' && s[i] != 'E')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t exp_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
  if (exp_digits == 0 || i != s.size()) return false;
  return std::isinf(std::strtod(s.c_str(), nullptr));
}

std::string humanize_number(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return g4(v);
  if (std::fabs(v) >= 1) {
    const char* prefix = "";
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

std::string humanize_1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return g4(v);
  const char* prefix = "";
  for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

std::string humanize_duration(double v) {
  if (std::isnan(v) || std::isinf(v)) return g4(v);
  if (v == 0) return g4(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    // Go's int64(v): out-of-range conversions are implementation-defined
    // there; saturate here.
    int64_t d = v >= 9.2233720368547758e18 ? INT64_MAX : static_cast<int64_t>(v);
    int64_t seconds = d % 60;
    int64_t minutes = (d / 60) % 60;
    int64_t hours = (d / 60 / 60) % 24;
    int64_t days = d / 60 / 60 / 24;
    if (days != 0) {
      return cat(sign, days, "d ", hours, "h ", minutes, "m ", seconds, "s");
    }
    if (hours != 0) return cat(sign, hours, "h ", minutes, "m ", seconds, "s");
    if (minutes != 0) return cat(sign, minutes, "m ", seconds, "s");
    return cat(sign, g4(v), "s");
  }
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return cat(g4(v), prefix, "s");
}

// Prometheus' floatToTime, at millisecond precision (model.Time).
absl::StatusOr<int64_t> float_to_time_ms(double v) {
  double ns = v * 1e9;
  if (ns > 9.2233720368547758e18 || ns < -9.2233720368547758e18) {
    std::string s;
    append_float_go_g(&s, v);
    return err(cat(s,
                   " cannot be represented as a nanoseconds timestamp since it "
                   "overflows int64"));
  }
  auto ns_int = ns >= 9.2233720368547758e18 ? INT64_MIN : static_cast<int64_t>(ns);
  return ns_int / 1000000;
}

}  // namespace

absl::StatusOr<double> convert_to_float(const Value& v) {
  switch (v.kind()) {
    case Kind::kFloat:
      return v.as_float();
    case Kind::kInt:
      return static_cast<double>(v.as_int());
    case Kind::kString: {
      const std::string& s = v.as_string();
      std::optional<double> f = parse_go_float(s);
      if (!f && decimal_overflows(s)) f = HUGE_VAL;
      if (!f) return err(cat("strconv.ParseFloat: parsing ", go_quote(s), ": invalid syntax"));
      if (std::isinf(*f) && !looks_infinite(s)) {
        return err(cat("strconv.ParseFloat: parsing ", go_quote(s), ": value out of range"));
      }
      return *f;
    }
    case Kind::kNil:
    case Kind::kInvalid:
      return err("can't convert <nil> to float");
    default:
      return err(cat("can't convert ", v.type_name(), " to float"));
  }
}

absl::StatusOr<Value> humanize(FuncId id, const Value& arg) {
  absl::StatusOr<double> f = convert_to_float(arg);
  if (!f.ok()) return f.status();
  double v = *f;
  switch (id) {
    case FuncId::kHumanize:
      return Value::string(humanize_number(v));
    case FuncId::kHumanize1024:
      return Value::string(humanize_1024(v));
    case FuncId::kHumanizeDuration:
      return Value::string(humanize_duration(v));
    case FuncId::kHumanizePercentage:
      return Value::string(g4(v * 100) + "%");
    case FuncId::kHumanizeTimestamp: {
      if (std::isnan(v) || std::isinf(v)) return Value::string(g4(v));
      absl::StatusOr<int64_t> t = float_to_time_ms(v);
      if (!t.ok()) return t.status();
      return Value::string(format_go_time(*t));
    }
    case FuncId::kToTime: {
      if (std::isnan(v) || std::isinf(v)) return err("value is NaN or Inf");
      absl::StatusOr<int64_t> t = float_to_time_ms(v);
      if (!t.ok()) return t.status();
      return Value::time_ms(*t);
    }
    default:
      return err("internal error: not a humanize function");
  }
}

}  // namespace strata::rules::tmpl
