#include "base/go_quote.h"

#include <cstdio>

namespace strata {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string* out, uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 15]);
}

// The escaping shared by strconv.Quote and strconv.QuoteRune for one rune.
void append_escaped_rune(std::string* out, int32_t r, char quote) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    out->push_back(char(r));
    return;
  }
  if (go_is_print(r)) {
    append_utf8(out, r);
    return;
  }
  switch (r) {
    case '\a': out->append("\\a"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\v': out->append("\\v"); return;
  }
  if (r < ' ' || r == 0x7f) {
    out->append("\\x");
    append_hex(out, uint32_t(r), 2);
  } else if (r < 0x10000) {
    out->append("\\u");
    append_hex(out, uint32_t(r), 4);
  } else {
    out->append("\\U");
    append_hex(out, uint32_t(r), 8);
  }
}

bool valid_rune(int32_t r) { return r >= 0 && r <= 0x10FFFF && !(r >= 0xD800 && r < 0xE000); }

}  // namespace

DecodedRune decode_rune(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) return {int32_t(((c & 0x1F) << 6) | (b(1) & 0x3F)), 2};
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    int32_t r = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (r >= 0x800 && !(r >= 0xD800 && r < 0xE000)) return {r, 3};
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    int32_t r = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
  }
  return {kRuneError, 1};
}

void append_utf8(std::string* out, int32_t r) {
  if (!valid_rune(r)) r = kRuneError;
  if (r < 0x80) {
    out->push_back(char(r));
  } else if (r < 0x800) {
    out->push_back(char(0xC0 | (r >> 6)));
    out->push_back(char(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(char(0xE0 | (r >> 12)));
    out->push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(char(0x80 | (r & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (r >> 18)));
    out->push_back(char(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(char(0x80 | (r & 0x3F)));
  }
}

bool go_is_print(int32_t r) {
  if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD) return false;
  if (r < 0x100) return true;
  if (!valid_rune(r)) return false;
  // Format characters, non-ASCII spaces, separators, private use, non-characters.
  if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x1680 ||
      r == 0x180E || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF ||
      (r >= 0xFFF0 && r <= 0xFFFB) || r == 0xFFFE || r == 0xFFFF || (r >= 0xE000 && r <= 0xF8FF) ||
      (r >= 0xE0000 && r <= 0xE007F) || r >= 0xF0000 || (r & 0xFFFE) == 0xFFFE) {
    return false;
  }
  return true;
}

std::string go_quote(std::string_view s) { return go_quote_prefix(s, std::string_view::npos); }

std::string go_quote_prefix(std::string_view s, size_t max_runes) {
  std::string out = "\"";
  size_t runes = 0;
  while (!s.empty() && runes < max_runes) {
    DecodedRune d = decode_rune(s);
    if (d.rune == kRuneError && d.width == 1) {
      out.append("\\x");
      append_hex(&out, static_cast<unsigned char>(s[0]), 2);
    } else {
      append_escaped_rune(&out, d.rune, '"');
    }
    s.remove_prefix(d.width);
    ++runes;
  }
  out.push_back('"');
  return out;
}

std::string go_quote_rune(int32_t r) {
  if (!valid_rune(r)) r = kRuneError;
  std::string out = "'";
  append_escaped_rune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

std::string go_unicode(int32_t r) {
  char buf[32];
  if (r < 0) {
    std::snprintf(buf, sizeof buf, "U+%llX", static_cast<unsigned long long>(int64_t(r)));
  } else {
    std::snprintf(buf, sizeof buf, "U+%04X", unsigned(r));
  }
  std::string out = buf;
  if (go_is_print(r)) {
    out.append(" '");
    append_utf8(&out, r);
    out.push_back('\'');
  }
  return out;
}

}  // namespace strata
