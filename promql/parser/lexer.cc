#include "promql/parser/lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "promql/parser/go_format.h"

namespace strata::promql::parser {
namespace {

constexpr int32_t kEof = -1;

bool is_space(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool is_digit(int32_t r) { return r >= '0' && r <= '9'; }
bool is_alpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool is_alnum(int32_t r) { return is_alpha(r) || is_digit(r); }

struct Keyword {
  std::string_view word;
  Tok tok;
  bool v3_only;
};

// Matched case-insensitively. "inf" and "nan" are numbers.
constexpr std::array kKeywords = {
    Keyword{"and", Tok::kLand, false},       Keyword{"or", Tok::kLor, false},
    Keyword{"unless", Tok::kLunless, false}, Keyword{"atan2", Tok::kAtan2, false},
    Keyword{"sum", Tok::kSum, false},        Keyword{"avg", Tok::kAvg, false},
    Keyword{"count", Tok::kCount, false},    Keyword{"min", Tok::kMin, false},
    Keyword{"max", Tok::kMax, false},        Keyword{"group", Tok::kGroup, false},
    Keyword{"stddev", Tok::kStddev, false},  Keyword{"stdvar", Tok::kStdvar, false},
    Keyword{"topk", Tok::kTopk, false},      Keyword{"bottomk", Tok::kBottomk, false},
    Keyword{"count_values", Tok::kCountValues, false},
    Keyword{"quantile", Tok::kQuantile, false},
    Keyword{"limitk", Tok::kLimitk, true},   Keyword{"limit_ratio", Tok::kLimitRatio, true},
    Keyword{"offset", Tok::kOffset, false},  Keyword{"by", Tok::kBy, false},
    Keyword{"without", Tok::kWithout, false}, Keyword{"on", Tok::kOn, false},
    Keyword{"ignoring", Tok::kIgnoring, false},
    Keyword{"group_left", Tok::kGroupLeft, false},
    Keyword{"group_right", Tok::kGroupRight, false},
    Keyword{"bool", Tok::kBool, false},      Keyword{"start", Tok::kStart, false},
    Keyword{"end", Tok::kEnd, false},        Keyword{"inf", Tok::kNumber, false},
    Keyword{"nan", Tok::kNumber, false},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

int digit_val(int32_t r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

// strutil.Unquote for a token the lexer has already validated.
bool is_legacy_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(is_alpha(s[i]) || (i > 0 && is_digit(s[i])))) return false;
  }
  return true;
}

std::string unquote(std::string_view q) {
  std::string_view body = q.substr(1, q.size() - 2);
  if (q[0] == '`') return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x':
        out.push_back(char(hex_value(body[i + 1]) * 16 + hex_value(body[i + 2])));
        i += 2;
        break;
      case 'u':
      case 'U': {
        int n = e == 'u' ? 4 : 8;
        int32_t r = 0;
        for (int k = 1; k <= n; ++k) r = r * 16 + hex_value(body[i + k]);
        append_utf8(&out, r);
        i += n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          out.push_back(char((e - '0') * 64 + (body[i + 1] - '0') * 8 + (body[i + 2] - '0')));
          i += 2;
        } else {
          out.push_back(e);  // \\, \" or \'
        }
    }
  }
  return out;
}

int32_t Lexer::next_rune() {
  if (pos_ >= int(in_.size())) {
    width_ = 0;
    return kEof;
  }
  DecodedRune d = decode_rune(in_.substr(pos_));
  width_ = d.width;
  pos_ += d.width;
  return d.rune;
}

int32_t Lexer::peek_rune() {
  int32_t r = next_rune();
  backup();
  return r;
}

bool Lexer::accept(std::string_view valid) {
  int32_t r = next_rune();
  if (r >= 0 && r < 0x80 && valid.find(char(r)) != std::string_view::npos) return true;
  backup();
  return false;
}

void Lexer::accept_run(std::string_view valid) {
  while (accept(valid)) {
  }
}

Token Lexer::emit(Tok t) {
  Token tok{t, start_, in_.substr(start_, pos_ - start_)};
  start_ = pos_;
  return tok;
}

Token Lexer::fail(std::string msg) {
  error_ = std::move(msg);
  error_pos_ = start_;
  done_ = true;
  return Token{Tok::kError, start_, {}};
}

Token Lexer::next() {
  if (done_) return Token{Tok::kEOF, int(in_.size()), {}};
  return brace_open_ ? lex_inside_braces() : lex_statement();
}

void Lexer::skip_comment() {
  // Up to (not including) the end of the line.
  while (pos_ < int(in_.size()) && in_[pos_] != '\n' && in_[pos_] != '\r') ++pos_;
  start_ = pos_;
}

Token Lexer::lex_statement() {
  for (;;) {
    if (bracket_start_) {
      bracket_start_ = false;
      // Prometheus 2 reads a duration right after `[`; Prometheus 3 a number
      // or a duration.
      if (compat_ == Compat::kV2) return lex_bracket_duration();
      if (is_digit(peek_rune()) || peek_rune() == '.') return lex_number_or_duration();
    }
    if (in_.substr(pos_, 1) == "#") {
      skip_comment();
      continue;
    }
    int32_t r = next_rune();
    if (r == kEof) {
      if (paren_depth_ != 0) return fail("unclosed left parenthesis");
      if (bracket_open_) return fail("unclosed left bracket");
      done_ = true;
      return emit(Tok::kEOF);
    }
    if (is_space(r)) {
      while (is_space(peek_rune())) next_rune();
      start_ = pos_;
      continue;
    }
    switch (r) {
      case ',': return emit(Tok::kComma);
      case '*': return emit(Tok::kMul);
      case '/': return emit(Tok::kDiv);
      case '%': return emit(Tok::kMod);
      case '+': return emit(Tok::kAdd);
      case '-': return emit(Tok::kSub);
      case '^': return emit(Tok::kPow);
      case '@': return emit(Tok::kAt);
      case '=': {
        int32_t t = peek_rune();
        if (t == '=') {
          next_rune();
          return emit(Tok::kEqlc);
        }
        if (t == '~') return fail("unexpected character after '=': " + go_quote_rune(t));
        return emit(Tok::kEql);
      }
      case '!': {
        int32_t t = next_rune();
        if (t != '=') return fail("unexpected character after '!': " + go_quote_rune(t));
        return emit(Tok::kNeq);
      }
      case '<':
        if (peek_rune() == '=') {
          next_rune();
          return emit(Tok::kLte);
        }
        return emit(Tok::kLss);
      case '>':
        if (peek_rune() == '=') {
          next_rune();
          return emit(Tok::kGte);
        }
        return emit(Tok::kGtr);
      case '"':
      case '\'':
      case '`':
        return lex_string(char(r));
      case '(':
        ++paren_depth_;
        return emit(Tok::kLeftParen);
      case ')': {
        Token t = emit(Tok::kRightParen);
        if (--paren_depth_ < 0) return fail("unexpected right parenthesis " + go_quote_rune(r));
        return t;
      }
      case '{':
        brace_open_ = true;
        return emit(Tok::kLeftBrace);
      case '[': {
        if (bracket_open_) return fail("unexpected left bracket " + go_quote_rune(r));
        got_colon_ = false;
        Token t = emit(Tok::kLeftBracket);
        while (is_space(peek_rune())) next_rune();
        start_ = pos_;
        bracket_open_ = true;
        bracket_start_ = true;
        return t;
      }
      case ']':
        if (!bracket_open_) return fail("unexpected right bracket " + go_quote_rune(r));
        bracket_open_ = false;
        return emit(Tok::kRightBracket);
    }
    if (is_digit(r) || (r == '.' && is_digit(peek_rune()))) {
      backup();
      return lex_number_or_duration();
    }
    if (is_alpha(r) || r == ':') {
      if (!bracket_open_) {
        backup();
        return lex_identifier(true);
      }
      // Inside brackets any letter counts as the subquery colon (a quirk of
      // Prometheus' lexer: `x[5m a]` is `x[5m:]`).
      if (got_colon_) return fail("unexpected colon " + go_quote_rune(r));
      got_colon_ = true;
      return emit(Tok::kColon);
    }
    return fail("unexpected character: " + go_quote_rune(r));
  }
}

Token Lexer::lex_inside_braces() {
  for (;;) {
    if (in_.substr(pos_, 1) == "#") {
      skip_comment();
      continue;
    }
    int32_t r = next_rune();
    if (r == kEof) return fail("unexpected end of input inside braces");
    if (is_space(r)) {
      while (is_space(peek_rune())) next_rune();
      start_ = pos_;
      continue;
    }
    if (is_alpha(r)) {
      backup();
      return lex_identifier(false);
    }
    switch (r) {
      case ',': return emit(Tok::kComma);
      case '"':
      case '\'':
      case '`':
        return lex_string(char(r));
      case '=':
        if (next_rune() == '~') return emit(Tok::kEqlRegex);
        backup();
        return emit(Tok::kEql);
      case '!': {
        int32_t nr = next_rune();
        if (nr == '~') return emit(Tok::kNeqRegex);
        if (nr == '=') return emit(Tok::kNeq);
        return fail("unexpected character after '!' inside braces: " + go_quote_rune(nr));
      }
      case '{': return fail("unexpected left brace " + go_quote_rune(r));
      case '}':
        brace_open_ = false;
        return emit(Tok::kRightBrace);
    }
    return fail("unexpected character inside braces: " + go_quote_rune(r));
  }
}

Token Lexer::lex_identifier(bool keywords) {
  for (;;) {
    int32_t r = next_rune();
    if (!(is_alnum(r) || (keywords && r == ':'))) {
      backup();
      break;
    }
  }
  std::string_view word = in_.substr(start_, pos_ - start_);
  if (!keywords) return emit(Tok::kIdentifier);
  for (const Keyword& k : kKeywords) {
    if (iequals(word, k.word) && (!k.v3_only || compat_ == Compat::kV3)) return emit(k.tok);
  }
  return emit(word.find(':') == std::string_view::npos ? Tok::kIdentifier
                                                       : Tok::kMetricIdentifier);
}

bool Lexer::scan_number() {
  if (compat_ == Compat::kV2) {
    std::string_view digits = "0123456789";
    if (accept("0") && accept("xX")) digits = "0123456789abcdefABCDEF";
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (accept("eE")) {
      accept("+-");
      accept_run("0123456789");
    }
    return !is_alnum(peek_rune());
  }
  // Prometheus 3 also reads `_` digit separators and rejects malformed
  // fractions and exponents here rather than in the parser.
  int initial = pos_;
  std::string_view digits = "0123456789";
  if (accept("0") && accept("xX")) {
    accept("_");
    digits = "0123456789abcdefABCDEF";
  }
  auto is = [&](std::string_view set) {
    int32_t r = peek_rune();
    return r >= 0 && r < 0x80 && set.find(char(r)) != std::string_view::npos;
  };
  accept(".");
  accept(digits);
  bool dot = false, exponent = false;
  std::string all = std::string(digits) + "._eE";
  while (is(all)) {
    if (is(".") && dot) {
      accept(".");
      return false;
    }
    if (is("eE") && exponent) {
      accept("eE");
      return false;
    }
    if (accept(".")) {
      dot = true;
      if (accept("_.")) return false;
      if (digits.size() > 10) return false;
      continue;
    }
    if (accept("eE")) {
      exponent = true;
      accept("+-");
      if (accept("._eE") || peek_rune() == kEof) return false;
      continue;
    }
    if (accept("_")) {
      if (accept("._eE") || peek_rune() == kEof) return false;
      continue;
    }
    accept_run(digits);
  }
  if (pos_ == initial) return false;
  return !is_alnum(peek_rune());
}

bool Lexer::accept_remaining_duration() {
  if (!accept("smhdwy")) return false;
  accept("s");  // "ms"; impossible units like "hs" fail when parsed
  while (accept("0123456789")) {
    accept_run("0123456789");
    if (!accept("smhdw")) return false;  // years only come first
    accept("s");
  }
  return !is_alnum(next_rune());
}

Token Lexer::lex_number_or_duration() {
  if (scan_number()) return emit(Tok::kNumber);
  if (accept_remaining_duration()) {
    backup();
    return emit(Tok::kDuration);
  }
  return fail("bad number or duration syntax: " +
              go_quote(in_.substr(start_, pos_ - start_)));
}

Token Lexer::lex_bracket_duration() {
  if (scan_number()) return fail("missing unit character in duration");
  if (!accept_remaining_duration()) {
    return fail("bad duration syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
  }
  backup();
  return emit(Tok::kDuration);
}

Token Lexer::lex_string(char quote) {
  for (;;) {
    int32_t r = next_rune();
    if (quote != '`' && r == '\\') {
      if (!lex_escape(quote)) return Token{Tok::kError, error_pos_, {}};
      continue;
    }
    if (r == kRuneError) return fail("invalid UTF-8 rune");
    if (r == kEof) {
      return fail(quote == '`' ? "unterminated raw string" : "unterminated quoted string");
    }
    if (r == '\n' && quote != '`') return fail("unterminated quoted string");
    if (r == quote) return emit(Tok::kString);
  }
}

bool Lexer::lex_escape(char quote) {
  int32_t ch = next_rune();
  int n;
  uint32_t base, max;
  switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
      return true;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = next_rune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = next_rune();
      n = 4, base = 16, max = 0x10FFFF;
      break;
    case 'U':
      ch = next_rune();
      n = 8, base = 16, max = 0x10FFFF;
      break;
    case kEof:
      fail("escape sequence not terminated");
      return false;
    default:
      if (ch == quote) return true;
      fail("unknown escape sequence " + go_unicode(ch));
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    uint32_t d = uint32_t(digit_val(ch));
    if (d >= base) {
      if (ch == kEof) {
        fail("escape sequence not terminated");
      } else {
        fail("illegal character " + go_unicode(ch) + " in escape sequence");
      }
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = next_rune();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    fail("escape sequence is an invalid Unicode code point");
    return false;
  }
  return true;
}

}  // namespace strata::promql::parser
