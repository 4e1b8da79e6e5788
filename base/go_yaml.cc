#include "base/go_yaml.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace strata {
namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";
// By YamlScalar::Kind.
constexpr const char* kShortTags[] = {"!!null", "!!bool", "!!int", "!!int", "!!float", "!!timestamp", "!!str", ""};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// strconv.ParseUint(s, 0, 64): 0x, 0o, 0b prefixes, a leading 0 for octal.
std::optional<uint64_t> go_parse_uint0(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned base = 10;
  if (s[0] == '0') {
    const char p = s.size() >= 3 ? char(s[1] | 0x20) : 0;
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
    s.remove_prefix(p == 'x' || p == 'o' || p == 'b' ? 2 : 1);
  }
  uint64_t n = 0;
  for (char c : s) {
    unsigned d = is_digit(c)                                  ? unsigned(c - '0')
                 : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? unsigned((c | 0x20) - 'a' + 10)
                                                        : 99;
    if (d >= base) return std::nullopt;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;  // ErrRange
    n = n * base + d;
  }
  return n;
}

// yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool yaml_float_shape(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > from;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// strconv.ParseFloat of a text in yamlStyleFloat's shape (decimal, so strtod
// reads it alike); nullopt when it is out of float64's range.
std::optional<double> go_parse_float(std::string_view s) {
  const std::string z(s);
  const double f = std::strtod(z.c_str(), nullptr);
  if (std::isinf(f)) return std::nullopt;
  return f;
}

// 1 or 2 digits (Go's layout elements "1", "2", "15", "4", "5") in [lo, hi].
bool number_1_2(std::string_view s, size_t* i, int lo, int hi, int* out) {
  int n = 0, k = 0;
  while (k < 2 && *i < s.size() && is_digit(s[*i])) n = n * 10 + (s[(*i)++] - '0'), ++k;
  *out = n;
  return k > 0 && n >= lo && n <= hi;
}

// parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (or a
// lowercase t), "2006-1-2 15:4:5.999999999" or "2006-1-2".
bool is_yaml_timestamp(std::string_view s) {
  if (s.size() < 5 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) || s[4] != '-')
    return false;
  const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  size_t i = 5;
  int month, day, x;
  if (!number_1_2(s, &i, 1, 12, &month) || i >= s.size() || s[i++] != '-') return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (!number_1_2(s, &i, 1, kDays[month - 1] + (month == 2 && leap), &day)) return false;
  if (i == s.size()) return true;
  const char sep = s[i++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  if (!number_1_2(s, &i, 0, 23, &x) || i >= s.size() || s[i++] != ':') return false;
  if (!number_1_2(s, &i, 0, 59, &x) || i >= s.size() || s[i++] != ':') return false;
  if (!number_1_2(s, &i, 0, 59, &x)) return false;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1]))
    for (++i; i < s.size() && is_digit(s[i]);) ++i;
  if (sep == ' ') return i == s.size();  // that layout has no zone, the others need one
  if (s.substr(i) == "Z") return true;
  if (s.size() - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':') return false;
  return is_digit(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 4]) && is_digit(s[i + 5]);
}

YamlScalar number(std::string_view in) {
  YamlScalar v;
  auto as_float = [&](std::string_view t) {
    if (auto f = go_parse_float(t)) v.kind = YamlScalar::kFloat, v.f = *f;
  };
  if (in[0] == '.') {  // ParseFloat of the text as it is
    if (yaml_float_shape(in)) as_float(in);
    return v;
  }
  std::string plain;
  for (char c : in)
    if (c != '_') plain += c;
  const bool neg = plain[0] == '-';
  const std::string_view mag = std::string_view(plain).substr(plain[0] == '-' || plain[0] == '+' ? 1 : 0);
  if (auto u = go_parse_uint0(mag)) {
    if (!neg && *u <= uint64_t(std::numeric_limits<int64_t>::max())) {
      v.kind = YamlScalar::kInt, v.i = int64_t(*u);
      return v;
    }
    if (neg && *u <= uint64_t(1) << 63) {
      v.kind = YamlScalar::kInt, v.i = int64_t(0 - *u);
      return v;
    }
    if (!neg && plain[0] != '+') {  // ParseUint takes no sign
      v.kind = YamlScalar::kUint, v.u = *u;
      return v;
    }
  }
  if (yaml_float_shape(plain)) as_float(plain);
  return v;
}

YamlScalar resolve_plain(std::string_view in, GoYaml dialect) {
  YamlScalar v;
  auto is_one_of = [&](std::initializer_list<std::string_view> words) {
    for (auto w : words)
      if (in == w) return true;
    return false;
  };
  if (is_one_of({"", "~", "null", "Null", "NULL"})) {
    v.kind = YamlScalar::kNull;
  } else if (is_one_of({"true", "True", "TRUE"}) ||
             (dialect == GoYaml::kV2 && is_one_of({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"}))) {
    v.kind = YamlScalar::kBool, v.b = true;
  } else if (is_one_of({"false", "False", "FALSE"}) ||
             (dialect == GoYaml::kV2 && is_one_of({"n", "N", "no", "No", "NO", "off", "Off", "OFF"}))) {
    v.kind = YamlScalar::kBool, v.b = false;
  } else if (is_one_of({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    v.kind = YamlScalar::kFloat, v.f = HUGE_VAL;
  } else if (is_one_of({"-.inf", "-.Inf", "-.INF"})) {
    v.kind = YamlScalar::kFloat, v.f = -HUGE_VAL;
  } else if (is_one_of({".nan", ".NaN", ".NAN"})) {
    v.kind = YamlScalar::kFloat, v.f = std::nan("");
  } else if (is_yaml_timestamp(in)) {
    v.kind = YamlScalar::kTimestamp;
  } else if (in[0] == '-' || in[0] == '+' || in[0] == '.' || is_digit(in[0])) {
    v = number(in);
  }
  return v;
}

// Go's float64 -> int64 on amd64 (CVTTSD2SQ): MinInt64 when out of range or NaN.
int64_t amd64_float_to_int(double f) {
  if (!(f >= -0x1p63 && f < 0x1p63)) return std::numeric_limits<int64_t>::min();
  return int64_t(f);
}

}  // namespace

YamlScalar resolve_yaml_scalar(std::string_view text, std::string_view yaml_cpp_tag, GoYaml dialect) {
  YamlScalar v;
  if (yaml_cpp_tag == "!") {  // quoted
  } else if (yaml_cpp_tag.empty() || yaml_cpp_tag == "?") {
    v = resolve_plain(text, dialect);
  } else if (yaml_cpp_tag.substr(0, kYamlTagPrefix.size()) == kYamlTagPrefix) {
    // An explicit standard tag: the text resolved as plain must have that
    // type, or be an integer under !!float (then read as a float).
    const std::string_view name = yaml_cpp_tag.substr(kYamlTagPrefix.size());
    YamlScalar r = resolve_plain(text, dialect);
    const bool integer = r.kind == YamlScalar::kInt || r.kind == YamlScalar::kUint;
    if (name == "float" && integer) {
      r.f = r.kind == YamlScalar::kInt ? double(r.i) : double(r.u);
      r.kind = YamlScalar::kFloat;
      v = r;
    } else if (name == std::string_view(kShortTags[r.kind]).substr(2) || name == "str") {
      if (name != "str") v = r;
    } else if (name == "null" || name == "bool" || name == "int" || name == "float" || name == "timestamp") {
      v.kind = YamlScalar::kOther, v.tag = "!!" + std::string(name);
      v.decode_error = std::string("cannot decode ") + kShortTags[r.kind] + " `" + std::string(text) + "` as a " + v.tag;
    } else {
      v.kind = YamlScalar::kOther, v.tag = "!!" + std::string(name);
    }
  } else {
    v.kind = YamlScalar::kOther, v.tag = std::string(yaml_cpp_tag);
  }
  if (v.tag.empty()) v.tag = kShortTags[v.kind];
  return v;
}

std::optional<int64_t> yaml_decode_int(const YamlScalar& s) {
  if (s.kind == YamlScalar::kInt) return s.i;
  if (s.kind == YamlScalar::kFloat && s.f <= 0x1p63) return amd64_float_to_int(s.f);
  return std::nullopt;
}

std::optional<uint64_t> yaml_decode_uint(const YamlScalar& s) {
  if (s.kind == YamlScalar::kInt && s.i >= 0) return uint64_t(s.i);
  if (s.kind == YamlScalar::kUint) return s.u;
  if (s.kind == YamlScalar::kFloat && s.f <= 0x1p64) {
    // amd64: below 2^63 through int64 (a negative value wraps), else
    // int64(f - 2^63) with bit 63 set.
    if (!(s.f >= 0x1p63)) return uint64_t(amd64_float_to_int(s.f));
    return uint64_t(amd64_float_to_int(s.f - 0x1p63)) | (uint64_t(1) << 63);
  }
  return std::nullopt;
}

std::string yaml_type_error(std::string_view short_tag, std::string_view text, std::string_view into) {
  std::string out = "cannot unmarshal " + std::string(short_tag);
  if (short_tag != "!!seq" && short_tag != "!!map") {
    out += " `";
    out += text.size() > 10 ? std::string(text.substr(0, 7)) + "..." : std::string(text);
    out += "`";
  }
  return out + " into " + std::string(into);
}

}  // namespace strata
