// fmt's per-argument formatting (pp.printArg, fmt.fmt*) over template values.
#include "rules/template/go_fmt_printer.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "base/go_quote.h"
#include "rules/template/go_fmt.h"
#include "rules/template/template_data.h"

namespace strata::rules::tmpl {
namespace {

// Pointers print as addresses in Go; any fixed text is as good as another.
constexpr std::string_view kPointerText = "0xc000010000";

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

  FmtFlags f;

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

  // pp.fmtFloat: false when `verb` does not apply to floats.
  bool float_verb(double x, char32_t verb, bool dry_run = false) {
    int prec;
    char fmt = static_cast<char>(verb);
    switch (verb) {
      case 'v':
        fmt = 'g';
        prec = -1;
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        prec = -1;
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        prec = 6;
        break;
      default:
        return false;
    }
    if (!dry_run) fmt_float(x, fmt, prec);
    return true;
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
    print_field("Labels", Value::borrowed_label_map(&s.labels), verb, depth);
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
        if (!float_verb(v.as_float(), verb)) bad_verb(verb, &v);
        return;
      case Kind::kComplex: {
        // fmtComplex: unsupported verbs are found before any output.
        if (!float_verb(0, verb, /*dry_run=*/true)) {
          bad_verb(verb, &v);
          return;
        }
        bool old_plus = f.plus;
        out_->push_back('(');
        float_verb(v.as_float(), verb);
        f.plus = true;  // the imaginary part always has a sign
        float_verb(v.imag(), verb);
        out_->append("i)");
        f.plus = old_plus;
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
        print_field("Labels", Value::borrowed_label_map(&d.labels), verb, depth);
        out_->push_back(' ');
        print_field("ExternalLabels", Value::borrowed_label_map(&d.external_labels), verb, depth);
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

}  // namespace

void fmt_print_arg(std::string* out, FmtFlags* flags, const Value& v, char32_t verb) {
  Printer p(out);
  p.f = *flags;
  p.print_arg(v, verb, 0);
  *flags = p.f;
}

}  // namespace strata::rules::tmpl
