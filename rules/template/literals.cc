#include "rules/template/literals.h"

#include <cmath>
#include <limits>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace {

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// strconv.UnquoteChar: one (possibly escaped) character at the start of `s`.
bool unquote_char(std::string_view* s, char quote, std::string* out, int32_t* rune_out) {
  if (s->empty()) return false;
  auto c = static_cast<unsigned char>((*s)[0]);
  if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) return false;
  if (c >= 0x80) {
    DecodedRune r = decode_rune(*s);
    append_utf8(out, r.rune);
    *rune_out = r.rune;
    s->remove_prefix(r.width);
    return true;
  }
  if (c != '\\') {
    out->push_back(static_cast<char>(c));
    *rune_out = c;
    s->remove_prefix(1);
    return true;
  }
  if (s->size() <= 1) return false;
  char e = (*s)[1];
  s->remove_prefix(2);
  int32_t r = 0;
  switch (e) {
    case 'a':
      r = '\a';
      break;
    case 'b':
      r = '\b';
      break;
    case 'f':
      r = '\f';
      break;
    case 'n':
      r = '\n';
      break;
    case 'r':
      r = '\r';
      break;
    case 't':
      r = '\t';
      break;
    case 'v':
      r = '\v';
      break;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s->size() < n) return false;
      int64_t v = 0;
      for (size_t i = 0; i < n; ++i) {
        int h = hex_val((*s)[i]);
        if (h < 0) return false;
        v = v * 16 + h;
      }
      s->remove_prefix(n);
      if (e == 'x') {
        out->push_back(static_cast<char>(v));  // a single byte
        *rune_out = static_cast<int32_t>(v);
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return false;
      r = static_cast<int32_t>(v);
      break;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      int v = e - '0';
      if (s->size() < 2) return false;
      for (int i = 0; i < 2; ++i) {
        char d = (*s)[i];
        if (d < '0' || d > '7') return false;
        v = v * 8 + (d - '0');
      }
      if (v > 255) return false;
      s->remove_prefix(2);
      out->push_back(static_cast<char>(v));
      *rune_out = v;
      return true;
    }
    case '\\':
      r = '\\';
      break;
    case '\'':
    case '"':
      if (e != quote) return false;
      r = e;
      break;
    default:
      return false;
  }
  append_utf8(out, r);
  *rune_out = r;
  return true;
}

// strconv.Unquote for "..." and `...` literals.
std::optional<std::string> unquote(std::string_view q) {
  if (q.size() < 2) return std::nullopt;
  if (q[0] == '`') {
    std::string out;
    for (char c : q.substr(1, q.size() - 2)) {
      if (c != '\r') out.push_back(c);
    }
    return out;
  }
  std::string_view s = q.substr(1, q.size() - 2);
  std::string out;
  while (!s.empty()) {
    int32_t r;
    if (!unquote_char(&s, '"', &out, &r)) return std::nullopt;
  }
  return out;
}

namespace {

// strconv.ParseUint(text, 0, 64) on the unsigned part; nullopt on syntax
// error; `overflow` set on range error.
std::optional<uint64_t> parse_uint_base0(std::string_view s, bool* overflow) {
  *overflow = false;
  if (s.empty()) return std::nullopt;
  int base = 10;
  bool prefixed = false;
  if (s[0] == '0' && s.size() > 1) {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
      prefixed = true;
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
      prefixed = true;
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;
      s.remove_prefix(1);
      prefixed = true;
    }
  }
  uint64_t v = 0;
  bool any = false;
  char last = prefixed ? '_' : 0;
  for (char c : s) {
    if (c == '_') {
      if (!prefixed || last == '_') return std::nullopt;
      last = c;
      continue;
    }
    int d = hex_val(c);
    if (d < 0 || d >= base) return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) *overflow = true;
    v = v * base + d;
    any = true;
    last = c;
  }
  if (last == '_' && any) return std::nullopt;
  if (!any && !(base == 8 && !prefixed)) {
    // "0x" alone is a syntax error; a lone "0" was handled as octal "".
    if (!(base == 8 && s.empty())) return std::nullopt;
  }
  if (*overflow) return std::nullopt;
  return v;
}

}  // namespace

std::string parse_number_literal(const std::string& text, NumberItem item, Node* n) {
  const bool is_char = item == NumberItem::kChar;
  n->text = text;
  if (is_char) {
    std::string_view s = std::string_view(text).substr(1);
    std::string tmp;
    int32_t r = 0;
    if (!unquote_char(&s, '\'', &tmp, &r)) return "invalid syntax";
    if (s != "'") return cat("malformed character constant: ", text);
    n->is_int = n->is_uint = n->is_float = true;
    n->int_val = r;
    n->uint_val = static_cast<uint64_t>(r);
    n->float_val = r;
    return "";
  }
  if (!text.empty() && text.back() == 'i') {
    // Imaginary and complex constants, as Go's NumberNode; "0i" is also the
    // number 0 (simplifyComplex).
    std::string_view body = std::string_view(text).substr(0, text.size() - 1);
    // A complex item ("1+2i") splits at its last sign that is not an
    // exponent's; Go reads it with fmt.Sscan.
    const bool complex_item = item == NumberItem::kComplex;
    size_t split = body.find_last_of("+-");
    if (complex_item) {
      while (split != std::string_view::npos && split > 0 &&
             std::string_view("eEpP").find(body[split - 1]) != std::string_view::npos) {
        split = split == 0 ? std::string_view::npos : body.find_last_of("+-", split - 1);
      }
      if (split == std::string_view::npos || split == 0) {
        return "syntax error scanning complex number";
      }
    }
    std::optional<double> imag = parse_go_float(complex_item ? body.substr(split) : body);
    std::optional<double> real =
        complex_item ? parse_go_float(body.substr(0, split)) : std::optional<double>(0.0);
    if (complex_item && (!imag || !real)) return "syntax error scanning complex number";
    if (!imag || !real) return cat("illegal number syntax: ", go_quote(text));
    n->is_complex = true;
    n->complex_re = *real;
    n->complex_im = *imag;
    if (*imag == 0) {
      n->is_float = true;
      n->float_val = *real;
      if (*real >= -9.2233720368547758e18 && *real < 9.2233720368547758e18 &&
          static_cast<double>(static_cast<int64_t>(*real)) == *real) {
        n->is_int = true;
        n->int_val = static_cast<int64_t>(*real);
      }
      if (*real >= 0 && *real < 1.8446744073709552e19 &&
          static_cast<double>(static_cast<uint64_t>(*real)) == *real) {
        n->is_uint = true;
        n->uint_val = static_cast<uint64_t>(*real);
      }
    }
    return "";
  }
  bool neg = !text.empty() && text[0] == '-';
  bool signed_text = !text.empty() && (text[0] == '-' || text[0] == '+');
  std::string_view mag = signed_text ? std::string_view(text).substr(1) : text;
  bool overflow = false;
  std::optional<uint64_t> u = parse_uint_base0(mag, &overflow);
  if (u && !signed_text) {
    n->is_uint = true;
    n->uint_val = *u;
  }
  if (u) {
    if (neg && *u <= uint64_t{1} << 63) {
      n->is_int = true;
      n->int_val = static_cast<int64_t>(0 - *u);
    } else if (!neg && *u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      n->is_int = true;
      n->int_val = static_cast<int64_t>(*u);
    }
    if (n->is_int && n->int_val == 0) {
      n->is_uint = true;
      n->uint_val = 0;
    }
  }
  if (n->is_int) {
    n->is_float = true;
    n->float_val = static_cast<double>(n->int_val);
  } else if (n->is_uint) {
    n->is_float = true;
    n->float_val = static_cast<double>(n->uint_val);
  } else {
    std::optional<double> f = parse_go_float(text);
    if (f && !std::isinf(*f)) {
      if (text.find_first_of(".eEpP") == std::string::npos) {
        return cat("integer overflow: ", go_quote(text));
      }
      n->is_float = true;
      n->float_val = *f;
      if (*f >= -9.2233720368547758e18 && *f < 9.2233720368547758e18 &&
          static_cast<double>(static_cast<int64_t>(*f)) == *f) {
        n->is_int = true;
        n->int_val = static_cast<int64_t>(*f);
      }
      if (*f >= 0 && *f < 1.8446744073709552e19 &&
          static_cast<double>(static_cast<uint64_t>(*f)) == *f) {
        n->is_uint = true;
        n->uint_val = static_cast<uint64_t>(*f);
      }
    }
  }
  if (!n->is_int && !n->is_uint && !n->is_float) {
    return cat("illegal number syntax: ", go_quote(text));
  }
  return "";
}

}  // namespace strata::rules::tmpl
