#include "rules/template/go_fmt.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "rules/template/go_fmt_printer.h"

namespace strata::rules::tmpl {
namespace {

// Go's fmt caps widths and precisions at 1e6 (tooLarge).
constexpr int kMaxWidth = 1000000;
// parsenum: a decimal number at format[i..end); not present when too large.
bool parse_num(std::string_view format, size_t* i, size_t end, int* num) {
  if (*i >= end) return false;
  bool isnum = false;
  int n = 0;
  size_t j = *i;
  for (; j < end && format[j] >= '0' && format[j] <= '9'; ++j) {
    if (n > kMaxWidth) {
      *i = end;
      return false;
    }
    n = n * 10 + (format[j] - '0');
    isnum = true;
  }
  *num = n;
  *i = j;
  return isnum;
}

struct ArgCursor {
  int arg_num = 0;
  bool reordered = false;
  bool good_arg_num = true;
};

// p.argNumber: an explicit "[n]" index at format[i].
bool arg_number(std::string_view format, size_t* i, int num_args, ArgCursor* c) {
  if (*i >= format.size() || format[*i] != '[') return false;
  c->reordered = true;
  std::string_view rest = format.substr(*i);
  if (rest.size() < 3) {
    *i += 1;
    c->good_arg_num = false;
    return false;
  }
  for (size_t j = 1; j < rest.size(); ++j) {
    if (rest[j] == ']') {
      size_t k = 1;
      int width = 0;
      bool ok = parse_num(rest, &k, j, &width);
      if (!ok || k != j) {
        *i += j + 1;
        c->good_arg_num = false;
        return false;
      }
      int index = width - 1;
      *i += j + 1;
      if (index >= 0 && index < num_args) {
        c->arg_num = index;
        return true;
      }
      c->good_arg_num = false;
      return true;
    }
  }
  *i += 1;
  c->good_arg_num = false;
  return false;
}

bool int_from_arg(const std::vector<Value>& a, ArgCursor* c, int* out) {
  bool ok = false;
  int n = 0;
  if (c->arg_num < static_cast<int>(a.size())) {
    const Value& v = a[c->arg_num];
    if (v.kind() == Kind::kInt || v.kind() == Kind::kUint8) {
      int64_t x = v.as_int();
      if (x >= -kMaxWidth && x <= kMaxWidth) {
        n = static_cast<int>(x);
        ok = true;
      }
    }
    c->arg_num++;
  }
  *out = n;
  return ok;
}

bool is_string_kind(const Value& v) { return v.kind() == Kind::kString || v.kind() == Kind::kHtml; }

}  // namespace

std::string go_format_float(double v, char fmt, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  switch (fmt) {
    case 'g':
    case 'G':
      if (prec < 0) {
        std::string s;
        append_float_go_g(&s, v);
        if (fmt == 'G') {
          for (char& c : s) {
            if (c == 'e') c = 'E';
          }
        }
        return s;
      }
      std::snprintf(buf, sizeof buf, fmt == 'g' ? "%.*g" : "%.*G", prec == 0 ? 1 : prec, v);
      return buf;
    case 'e':
    case 'E':
    case 'f':
    case 'F': {
      if (prec < 0) prec = 6;  // shortest %e/%f is not reachable from fmt
      std::string spec = std::string("%.*") + (fmt == 'F' ? 'f' : fmt);
      int n = std::snprintf(buf, sizeof buf, spec.c_str(), prec, v);
      if (n >= static_cast<int>(sizeof buf)) {
        std::string big(static_cast<size_t>(n) + 1, '\0');
        std::snprintf(big.data(), big.size(), spec.c_str(), prec, v);
        big.resize(static_cast<size_t>(n));
        return big;
      }
      return buf;
    }
    case 'x':
    case 'X': {
      if (prec < 0) {
        std::snprintf(buf, sizeof buf, fmt == 'x' ? "%a" : "%A", v);
      } else {
        std::snprintf(buf, sizeof buf, fmt == 'x' ? "%.*a" : "%.*A", prec, v);
      }
      // Go writes at least two exponent digits: 0x1p+01.
      std::string s = buf;
      size_t p = s.find_first_of("pP");
      if (p != std::string::npos && s.size() - p == 3) s.insert(p + 2, "0");
      return s;
    }
    case 'b': {
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      bool neg = bits >> 63;
      auto exp = static_cast<int>((bits >> 52) & 0x7ff);
      uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
      if (exp == 0) {
        exp++;
      } else {
        mant |= uint64_t{1} << 52;
      }
      exp -= 1023 + 52;
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 "p%c%d", neg ? "-" : "", mant,
                    exp >= 0 ? '+' : '-', exp >= 0 ? exp : -exp);
      return buf;
    }
    default:
      return "%!" + std::string(1, fmt);
  }
}

std::string go_sprintf(std::string_view format, const std::vector<Value>& a, size_t max_bytes) {
  std::string out;
  FmtFlags f;
  const size_t end = format.size();
  const int num_args = static_cast<int>(a.size());
  ArgCursor c;
  size_t i = 0;
  while (i < end && out.size() <= max_bytes) {
    c.good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) out.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // the '%'
    f = FmtFlags{};
    bool simple_done = false;
    for (; i < end; ++i) {
      char ch = format[i];
      bool flag = true;
      switch (ch) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          flag = false;
      }
      if (flag) continue;
      if (ch >= 'a' && ch <= 'z' && c.arg_num < num_args) {
        if (ch == 'v') {
          f.sharp_v = f.sharp;
          f.sharp = false;
          f.plus_v = f.plus;
          f.plus = false;
        }
        fmt_print_arg(&out, &f, a[c.arg_num], static_cast<unsigned char>(ch));
        c.arg_num++;
        ++i;
        simple_done = true;
      }
      break;
    }
    if (simple_done) continue;

    bool after_index = arg_number(format, &i, num_args, &c);
    if (i < end && format[i] == '*') {
      ++i;
      f.wid_present = int_from_arg(a, &c, &f.wid);
      if (!f.wid_present) out.append("%!(BADWIDTH)");
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      after_index = false;
    } else {
      f.wid_present = parse_num(format, &i, end, &f.wid);
      if (after_index && f.wid_present) c.good_arg_num = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) c.good_arg_num = false;
      after_index = arg_number(format, &i, num_args, &c);
      if (i < end && format[i] == '*') {
        ++i;
        f.prec_present = int_from_arg(a, &c, &f.prec);
        if (f.prec < 0) {
          f.prec = 0;
          f.prec_present = false;
        }
        if (!f.prec_present) out.append("%!(BADPREC)");
        after_index = false;
      } else {
        f.prec_present = parse_num(format, &i, end, &f.prec);
        if (!f.prec_present) {
          f.prec = 0;
          f.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(format, &i, num_args, &c);
    if (i >= end) {
      out.append("%!(NOVERB)");
      break;
    }
    DecodedRune r = decode_rune(format.substr(i));
    char32_t verb = static_cast<unsigned char>(format[i]);
    size_t size = 1;
    if (verb >= 0x80) {
      verb = static_cast<char32_t>(r.rune);
      size = r.width;
    }
    i += size;
    if (verb == '%') {
      out.push_back('%');
    } else if (!c.good_arg_num) {
      out.append("%!");
      append_utf8(&out, static_cast<int32_t>(verb));
      out.append("(BADINDEX)");
    } else if (c.arg_num >= num_args) {
      out.append("%!");
      append_utf8(&out, static_cast<int32_t>(verb));
      out.append("(MISSING)");
    } else {
      if (verb == 'v') {
        f.sharp_v = f.sharp;
        f.sharp = false;
        f.plus_v = f.plus;
        f.plus = false;
      }
      fmt_print_arg(&out, &f, a[c.arg_num], verb);
      c.arg_num++;
    }
  }
  if (!c.reordered && c.arg_num < num_args) {
    f = FmtFlags{};
    out.append("%!(EXTRA ");
    for (int k = c.arg_num; k < num_args; ++k) {
      if (k > c.arg_num) out.append(", ");
      const Value& v = a[k];
      if (v.kind() == Kind::kNil || v.kind() == Kind::kInvalid) {
        out.append("<nil>");
      } else {
        out.append(v.type_name());
        out.push_back('=');
        fmt_print_arg(&out, &f, v, 'v');
      }
    }
    out.push_back(')');
  }
  return out;
}

std::string go_sprint(const std::vector<Value>& a) {
  std::string out;
  FmtFlags f;
  bool prev_string = false;
  for (size_t k = 0; k < a.size(); ++k) {
    bool is_string = is_string_kind(a[k]);
    if (k > 0 && !is_string && !prev_string) out.push_back(' ');
    fmt_print_arg(&out, &f, a[k], 'v');
    prev_string = is_string;
  }
  return out;
}

std::string printable(const Value& v) {
  if (v.kind() == Kind::kInvalid) return "<no value>";
  std::string s = go_sprint({v});
  if (v.kind() == Kind::kSample && v.sample_ptr() != nullptr) s.erase(0, 1);
  return s;
}

std::string go_sprintln(const std::vector<Value>& a) {
  std::string out;
  FmtFlags f;
  for (size_t k = 0; k < a.size(); ++k) {
    if (k > 0) out.push_back(' ');
    fmt_print_arg(&out, &f, a[k], 'v');
  }
  out.push_back('\n');
  return out;
}

}  // namespace strata::rules::tmpl
