#include "rules/template/go_fmt.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "rules/template/template_data.h"

namespace strata::rules::tmpl {
namespace {

// Go's fmt caps widths and precisions at 1e6 (tooLarge).
constexpr int kMaxWidth = 1000000;
// Pointers print as addresses in Go; any fixed text is as good as another.
constexpr std::string_view kPointerText = "0xc000010000";

struct Flags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

size_t rune_count(std::string_view s) {
  size_t n = 0;
  while (!s.empty()) {
    int w = decode_rune(s).width;
    s.remove_prefix(w > 0 ? w : 1);
    ++n;
  }
  return n;
}

class Printer {
 public:
  explicit Printer(std::string* out) : out_(out) {}

  Flags f;

  void write_padding(int n) {
    if (n <= 0) return;
    out_->append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }
  void pad(std::string_view s) {
    if (!f.wid_present || f.wid == 0) {
      out_->append(s);
      return;
    }
    int width = f.wid - static_cast<int>(rune_count(s));
    if (!f.minus) {
      write_padding(width);
      out_->append(s);
    } else {
      out_->append(s);
      bool z = f.zero;
      f.zero = false;
      write_padding(width);
      f.zero = z;
    }
  }

  std::string truncate(std::string_view s) const {
    if (!f.prec_present) return std::string(s);
    size_t pos = 0;
    for (int n = 0; n < f.prec && pos < s.size(); ++n) {
      int w = decode_rune(s.substr(pos)).width;
      pos += w > 0 ? w : 1;
    }
    return std::string(s.substr(0, pos));
  }

  void fmt_s(std::string_view s) { pad(truncate(s)); }
  void fmt_q(std::string_view s) {
    std::string t = truncate(s);
    if (f.sharp && t.find_first_of("`\n\r") == std::string::npos) {  // CanBackquote, roughly
      pad("`" + t + "`");
    } else {
      pad(go_quote(t));
    }
  }
  void fmt_sx(std::string_view s, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t len = s.size();
    if (f.prec_present && static_cast<size_t>(f.prec) < len) len = f.prec;
    std::string buf;
    for (size_t i = 0; i < len; ++i) {
      if (f.space && i > 0) buf += ' ';
      if (f.sharp && (f.space || i == 0)) buf += upper ? "0X" : "0x";
      auto c = static_cast<unsigned char>(s[i]);
      buf += digits[c >> 4];
      buf += digits[c & 15];
    }
    pad(buf);
  }

  void fmt_integer(uint64_t u, int base, bool is_signed, char verb, bool upper) {
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = -u;
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        bool z = f.zero;
        f.zero = false;
        write_padding(f.wid);
        f.zero = z;
        return;
      }
    } else if (f.zero && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    const char* digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    std::string rev;
    do {
      rev += digits[u % base];
      u /= base;
    } while (u != 0);
    while (static_cast<int>(rev.size()) < prec) rev += '0';
    if (f.sharp) {
      if (base == 2) {
        rev += "b0";
      } else if (base == 8) {
        if (rev.back() != '0') rev += '0';
      } else if (base == 16) {
        rev += digits[16];
        rev += '0';
      }
    }
    if (verb == 'O') rev += "o0";
    if (negative) {
      rev += '-';
    } else if (f.plus) {
      rev += '+';
    } else if (f.space) {
      rev += ' ';
    }
    std::string s(rev.rbegin(), rev.rend());
    bool z = f.zero;
    f.zero = false;
    pad(s);
    f.zero = z;
  }

  void fmt_float(double v, char verb, int prec) {
    if (f.prec_present) prec = f.prec;
    std::string num = go_format_float(v, verb, prec);
    if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool z = f.zero;
      f.zero = false;
      if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
      pad(num);
      f.zero = z;
      return;
    }
    if (f.sharp && verb != 'b') sharpen(&num, verb, prec);
    if (f.plus || num[0] != '+') {
      if (f.zero && f.wid_present && f.wid > static_cast<int>(num.size())) {
        out_->push_back(num[0]);
        write_padding(f.wid - static_cast<int>(num.size()));
        out_->append(num, 1);
        return;
      }
      pad(num);
      return;
    }
    pad(std::string_view(num).substr(1));
  }

  // The '#' flag: always a decimal point; %g, %v and %x keep trailing zeros
  // up to the precision (6 when none is given).
  static void sharpen(std::string* num, char verb, int prec) {
    int digits = 0;
    if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') digits = prec == -1 ? 6 : prec;
    std::string tail;
    bool has_point = false, saw_nonzero = false;
    for (size_t i = 1; i < num->size(); ++i) {
      char c = (*num)[i];
      if (c == '.') {
        has_point = true;
        continue;
      }
      if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
        tail = num->substr(i);
        num->resize(i);
        break;
      }
      if (c != '0') saw_nonzero = true;
      if (saw_nonzero) --digits;
    }
    if (!has_point) {
      if (num->size() == 2 && (*num)[1] == '0') --digits;
      num->push_back('.');
    }
    while (digits-- > 0) num->push_back('0');
    num->append(tail);
  }

  // %#v of a map: Go syntax, map[string]string{"k":"v", ...}.
  void print_go_syntax_map(const Value& v) {
    out_->append(v.type_name());
    out_->push_back('{');
    bool first = true;
    auto entry = [&](const std::string& k, const Value& e) {
      if (!first) out_->append(", ");
      first = false;
      out_->append(go_quote(k));
      out_->push_back(':');
      if (e.kind() == Kind::kNil || e.kind() == Kind::kInvalid) {
        out_->append("interface {}(nil)");
      } else {
        print_arg(e, 'v', 1);
      }
    };
    if (v.kind() == Kind::kLabelMap) {
      for (const auto& l : v.labels()) entry(l.name, Value::string(l.value));
    } else {
      for (const auto& [k, e] : v.any_map()) entry(k, e);
    }
    out_->push_back('}');
  }

  void bad_verb(char32_t verb, const Value* v) {
    out_->append("%!");
    append_utf8(out_, static_cast<int32_t>(verb));
    out_->push_back('(');
    if (v == nullptr || v->kind() == Kind::kNil || v->kind() == Kind::kInvalid) {
      out_->append("<nil>");
    } else {
      out_->append(v->type_name());
      out_->push_back('=');
      print_arg(*v, 'v', 0);
    }
    out_->push_back(')');
  }

  void print_labels(const tsdb::Labels& m, char32_t verb, int depth) {
    out_->append("map[");
    bool first = true;
    for (const auto& l : m) {
      if (!first) out_->push_back(' ');
      first = false;
      print_arg(Value::string(l.name), verb, depth + 1);
      out_->push_back(':');
      print_arg(Value::string(l.value), verb, depth + 1);
    }
    out_->push_back(']');
  }

  void print_field(std::string_view name, const Value& v, char32_t verb, int depth) {
    if (f.plus_v) {
      out_->append(name);
      out_->push_back(':');
    }
    print_arg(v, verb, depth + 1);
  }

  void print_sample(const Sample& s, char32_t verb, int depth) {
    out_->push_back('{');
    print_field("Labels", Value::label_map(std::make_shared<tsdb::Labels>(s.labels)), verb, depth);
    out_->push_back(' ');
    print_field("Value", Value::floating(s.value), verb, depth);
    out_->push_back('}');
  }

  // p.printArg / p.printValue: `depth` > 0 inside containers.
  void print_arg(const Value& v, char32_t verb, int depth) {
    if (verb == 'T') {
      fmt_s(v.kind() == Kind::kInvalid ? "<nil>" : v.type_name());
      return;
    }
    switch (v.kind()) {
      case Kind::kInvalid:
      case Kind::kNil:
        if (verb == 'v') {
          pad("<nil>");
        } else {
          bad_verb(verb, nullptr);
        }
        return;
      case Kind::kBool:
        if (verb == 't' || verb == 'v') {
          pad(v.as_bool() ? "true" : "false");
        } else {
          bad_verb(verb, &v);
        }
        return;
      case Kind::kInt:
      case Kind::kUint8: {
        bool is_signed = v.kind() == Kind::kInt;
        auto u = static_cast<uint64_t>(v.as_int());
        switch (verb) {
          case 'v':
          case 'd':
            fmt_integer(u, 10, is_signed, static_cast<char>(verb), false);
            return;
          case 'b':
            fmt_integer(u, 2, is_signed, 'b', false);
            return;
          case 'o':
          case 'O':
            fmt_integer(u, 8, is_signed, static_cast<char>(verb), false);
            return;
          case 'x':
            fmt_integer(u, 16, is_signed, 'x', false);
            return;
          case 'X':
            fmt_integer(u, 16, is_signed, 'X', true);
            return;
          case 'c': {
            std::string s;
            int64_t r = v.as_int();
            append_utf8(&s, r < 0 || r > 0x10FFFF ? kRuneError : static_cast<int32_t>(r));
            pad(s);
            return;
          }
          case 'q': {
            int64_t r = v.as_int();
            pad(go_quote_rune(r < 0 || r > 0x10FFFF ? kRuneError : static_cast<int32_t>(r)));
            return;
          }
          case 'U': {
            char buf[32];
            std::snprintf(buf, sizeof buf, "U+%04" PRIX64, u);
            pad(buf);
            return;
          }
          default:
            bad_verb(verb, &v);
            return;
        }
      }
      case Kind::kFloat:
        switch (verb) {
          case 'v':
            fmt_float(v.as_float(), 'g', -1);
            return;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            fmt_float(v.as_float(), static_cast<char>(verb), -1);
            return;
          case 'f':
          case 'e':
          case 'E':
          case 'F':
            fmt_float(v.as_float(), static_cast<char>(verb), 6);
            return;
          default:
            bad_verb(verb, &v);
            return;
        }
      case Kind::kString:
      case Kind::kHtml:
      case Kind::kTime: {
        // time.Time is a fmt.Stringer: these verbs format its String().
        std::string s = v.kind() == Kind::kTime ? format_go_time(v.as_int()) : v.as_string();
        switch (verb) {
          case 'v':
            if (f.sharp_v) {
              fmt_q(s);
            } else {
              fmt_s(s);
            }
            return;
          case 's':
            fmt_s(s);
            return;
          case 'x':
            fmt_sx(s, false);
            return;
          case 'X':
            fmt_sx(s, true);
            return;
          case 'q':
            fmt_q(s);
            return;
          default:
            bad_verb(verb, &v);
            return;
        }
      }
      case Kind::kLabelMap:
        if (f.sharp_v) {
          print_go_syntax_map(v);
          return;
        }
        print_labels(v.labels(), verb, depth);
        return;
      case Kind::kAnyMap: {
        if (f.sharp_v) {
          print_go_syntax_map(v);
          return;
        }
        out_->append("map[");
        bool first = true;
        for (const auto& [k, e] : v.any_map()) {
          if (!first) out_->push_back(' ');
          first = false;
          print_arg(Value::string(k), verb, depth + 1);
          out_->push_back(':');
          print_arg(e, verb, depth + 1);
        }
        out_->push_back(']');
        return;
      }
      case Kind::kSample:
        if (v.sample_ptr() == nullptr) {
          if (verb == 'v') {
            pad("<nil>");
          } else {
            bad_verb(verb, &v);
          }
          return;
        }
        if (depth == 0) {
          out_->push_back('&');
          print_sample(*v.sample_ptr(), verb, depth + 1);
          return;
        }
        if (verb == 'v' || verb == 'p') {
          pad(kPointerText);
        } else {
          bad_verb(verb, &v);
        }
        return;
      case Kind::kQueryResult: {
        out_->push_back('[');
        bool first = true;
        for (const auto& s : v.samples()) {
          if (!first) out_->push_back(' ');
          first = false;
          print_arg(Value::sample(s), verb, depth + 1);
        }
        out_->push_back(']');
        return;
      }
      case Kind::kRoot: {
        const AlertTemplateData& d = v.root();
        out_->push_back('{');
        print_field("Labels", Value::label_map(std::make_shared<tsdb::Labels>(d.labels)), verb,
                    depth);
        out_->push_back(' ');
        print_field("ExternalLabels",
                    Value::label_map(std::make_shared<tsdb::Labels>(d.external_labels)), verb,
                    depth);
        out_->push_back(' ');
        print_field("ExternalURL", Value::string(d.external_url), verb, depth);
        out_->push_back(' ');
        print_field("Value", Value::floating(d.value), verb, depth);
        out_->push_back('}');
        return;
      }
    }
  }

 private:
  std::string* out_;
};

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

std::string go_sprintf(std::string_view format, const std::vector<Value>& a) {
  std::string out;
  Printer p(&out);
  const size_t end = format.size();
  const int num_args = static_cast<int>(a.size());
  ArgCursor c;
  size_t i = 0;
  while (i < end) {
    c.good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) out.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // the '%'
    p.f = Flags{};
    bool simple_done = false;
    for (; i < end; ++i) {
      char ch = format[i];
      bool flag = true;
      switch (ch) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus;
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
        default:
          flag = false;
      }
      if (flag) continue;
      if (ch >= 'a' && ch <= 'z' && c.arg_num < num_args) {
        if (ch == 'v') {
          p.f.sharp_v = p.f.sharp;
          p.f.sharp = false;
          p.f.plus_v = p.f.plus;
          p.f.plus = false;
        }
        p.print_arg(a[c.arg_num], static_cast<unsigned char>(ch), 0);
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
      p.f.wid_present = int_from_arg(a, &c, &p.f.wid);
      if (!p.f.wid_present) out.append("%!(BADWIDTH)");
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      after_index = false;
    } else {
      p.f.wid_present = parse_num(format, &i, end, &p.f.wid);
      if (after_index && p.f.wid_present) c.good_arg_num = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) c.good_arg_num = false;
      after_index = arg_number(format, &i, num_args, &c);
      if (i < end && format[i] == '*') {
        ++i;
        p.f.prec_present = int_from_arg(a, &c, &p.f.prec);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) out.append("%!(BADPREC)");
        after_index = false;
      } else {
        p.f.prec_present = parse_num(format, &i, end, &p.f.prec);
        if (!p.f.prec_present) {
          p.f.prec = 0;
          p.f.prec_present = true;
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
        p.f.sharp_v = p.f.sharp;
        p.f.sharp = false;
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
      }
      p.print_arg(a[c.arg_num], verb, 0);
      c.arg_num++;
    }
  }
  if (!c.reordered && c.arg_num < num_args) {
    p.f = Flags{};
    out.append("%!(EXTRA ");
    for (int k = c.arg_num; k < num_args; ++k) {
      if (k > c.arg_num) out.append(", ");
      const Value& v = a[k];
      if (v.kind() == Kind::kNil || v.kind() == Kind::kInvalid) {
        out.append("<nil>");
      } else {
        out.append(v.type_name());
        out.push_back('=');
        p.print_arg(v, 'v', 0);
      }
    }
    out.push_back(')');
  }
  return out;
}

std::string go_sprint(const std::vector<Value>& a) {
  std::string out;
  Printer p(&out);
  bool prev_string = false;
  for (size_t k = 0; k < a.size(); ++k) {
    bool is_string = is_string_kind(a[k]);
    if (k > 0 && !is_string && !prev_string) out.push_back(' ');
    p.print_arg(a[k], 'v', 0);
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
  Printer p(&out);
  for (size_t k = 0; k < a.size(); ++k) {
    if (k > 0) out.push_back(' ');
    p.print_arg(a[k], 'v', 0);
  }
  out.push_back('\n');
  return out;
}

}  // namespace strata::rules::tmpl
