#include "rules/template/lexer.h"

#include <algorithm>

#include "base/go_quote.h"

namespace strata::rules::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr int kTrimMarkerLen = 2;  // "- " or " -"
constexpr int32_t kEofRune = -1;

bool is_space(int32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

// unicode.IsLetter || unicode.IsDigit, approximated by the letter and digit
// blocks of the common scripts (Latin, Greek, Cyrillic, Armenian, Hebrew,
// Arabic, Devanagari, kana, CJK, Hangul, fullwidth forms).
bool is_alnum(int32_t r) {
  if (r == '_') return true;
  if (r >= 0 && r < 0x80) {
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  }
  struct Range {
    int32_t lo, hi;
  };
  static constexpr Range kLetters[] = {
      {0xAA, 0xAA},     {0xB5, 0xB5},     {0xBA, 0xBA},     {0xC0, 0xD6},     {0xD8, 0xF6},
      {0xF8, 0x2C1},    {0x370, 0x374},   {0x376, 0x377},   {0x37B, 0x37D},   {0x386, 0x386},
      {0x388, 0x3FF},   {0x400, 0x481},   {0x48A, 0x52F},   {0x531, 0x556},   {0x561, 0x587},
      {0x5D0, 0x5EA},   {0x620, 0x64A},   {0x660, 0x669},   {0x904, 0x939},   {0x966, 0x96F},
      {0x1E00, 0x1FBC}, {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
      {0xAC00, 0xD7A3}, {0xFF10, 0xFF19}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A},
  };
  for (const Range& g : kLetters) {
    if (r >= g.lo && r <= g.hi) return true;
  }
  return false;
}

bool has_left_trim_marker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && is_space(static_cast<unsigned char>(s[1]));
}
bool has_right_trim_marker(std::string_view s) {
  return s.size() >= 2 && is_space(static_cast<unsigned char>(s[0])) && s[1] == '-';
}
size_t right_trim_length(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && is_space(static_cast<unsigned char>(s[n - 1]))) --n;
  return s.size() - n;
}
size_t left_trim_length(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && is_space(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

ItemType keyword(std::string_view w) {
  if (w == ".") return ItemType::kDot;
  if (w == "block") return ItemType::kBlock;
  if (w == "break") return ItemType::kBreak;
  if (w == "continue") return ItemType::kContinue;
  if (w == "define") return ItemType::kDefine;
  if (w == "else") return ItemType::kElse;
  if (w == "end") return ItemType::kEnd;
  if (w == "if") return ItemType::kIf;
  if (w == "range") return ItemType::kRange;
  if (w == "nil") return ItemType::kNil;
  if (w == "template") return ItemType::kTemplate;
  if (w == "with") return ItemType::kWith;
  return ItemType::kError;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  std::vector<Item> run() {
    State st = State::kText;
    while (st != State::kDone) {
      switch (st) {
        case State::kText:
          st = lex_text();
          break;
        case State::kInsideAction:
          st = lex_inside_action();
          break;
        case State::kDone:
          break;
      }
    }
    return std::move(items_);
  }

 private:
  enum class State { kText, kInsideAction, kDone };

  int32_t next() {
    if (pos_ >= in_.size()) {
      at_eof_ = true;
      return kEofRune;
    }
    DecodedRune r = decode_rune(in_.substr(pos_));
    width_ = r.width;
    pos_ += r.width;
    if (r.rune == '\n') ++line_;
    return r.rune;
  }
  int32_t peek() {
    size_t p = pos_;
    int l = line_;
    size_t w = width_;
    bool e = at_eof_;
    int32_t r = next();
    pos_ = p;
    line_ = l;
    width_ = w;
    at_eof_ = e;
    return r;
  }
  void backup() {
    if (!at_eof_ && pos_ > 0) {
      pos_ -= width_;
      if (in_[pos_] == '\n') --line_;
    }
    at_eof_ = false;
  }
  void emit(ItemType t) {
    items_.push_back(Item{t, static_cast<int32_t>(start_),
                          std::string(in_.substr(start_, pos_ - start_)), start_line_});
    start_ = pos_;
    start_line_ = line_;
  }
  void ignore() {
    for (size_t i = start_; i < pos_; ++i) {
      if (in_[i] == '\n') ++start_line_;
    }
    start_ = pos_;
    start_line_ = line_;
  }
  // Skips bytes without counting them as the current token.
  void skip(size_t n) {
    for (size_t i = pos_; i < pos_ + n && i < in_.size(); ++i) {
      if (in_[i] == '\n') ++line_;
    }
    pos_ += n;
  }
  bool accept(std::string_view valid) {
    int32_t r = next();
    if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    backup();
    return false;
  }
  void accept_run(std::string_view valid) {
    while (true) {
      int32_t r = next();
      if (!(r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos)) {
        break;
      }
    }
    backup();
  }
  State errorf(std::string msg) {
    items_.push_back(
        Item{ItemType::kError, static_cast<int32_t>(start_), std::move(msg), start_line_});
    return State::kDone;
  }

  State lex_text() {
    size_t x = in_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      if (x > pos_) {
        size_t trim = 0;
        if (has_left_trim_marker(in_.substr(x + kLeftDelim.size()))) {
          trim = right_trim_length(in_.substr(pos_, x - pos_));
        }
        skip(x - pos_ - trim);
        if (pos_ > start_) emit(ItemType::kText);
        skip(trim);
        ignore();
      }
      return lex_left_delim();
    }
    skip(in_.size() - pos_);
    if (pos_ > start_) emit(ItemType::kText);
    emit(ItemType::kEof);
    return State::kDone;
  }

  // atRightDelim: at "}}" or " -}}"? (delim, trim_space)
  std::pair<bool, bool> at_right_delim() const {
    std::string_view rest = in_.substr(pos_);
    if (has_right_trim_marker(rest) && rest.substr(kTrimMarkerLen).starts_with(kRightDelim)) {
      return {true, true};
    }
    if (rest.starts_with(kRightDelim)) return {true, false};
    return {false, false};
  }

  State lex_left_delim() {
    skip(kLeftDelim.size());
    bool trim_space = has_left_trim_marker(in_.substr(pos_));
    size_t after_marker = trim_space ? kTrimMarkerLen : 0;
    if (in_.substr(pos_ + after_marker).starts_with(kLeftComment)) {
      skip(after_marker);
      ignore();
      return lex_comment();
    }
    emit(ItemType::kLeftDelim);
    skip(after_marker);
    ignore();
    paren_depth_ = 0;
    return State::kInsideAction;
  }

  State lex_comment() {
    skip(kLeftComment.size());
    size_t x = in_.find(kRightComment, pos_);
    if (x == std::string_view::npos) return errorf("unclosed comment");
    skip(x + kRightComment.size() - pos_);
    auto [delim, trim_space] = at_right_delim();
    if (!delim) return errorf("comment ends before closing delimiter");
    // Comments are not emitted (Go's parser drops them without ParseComments).
    if (trim_space) skip(kTrimMarkerLen);
    skip(kRightDelim.size());
    if (trim_space) skip(left_trim_length(in_.substr(pos_)));
    ignore();
    return State::kText;
  }

  State lex_right_delim() {
    bool trim_space = has_right_trim_marker(in_.substr(pos_));
    if (trim_space) {
      skip(kTrimMarkerLen);
      ignore();
    }
    skip(kRightDelim.size());
    emit(ItemType::kRightDelim);
    if (trim_space) {
      skip(left_trim_length(in_.substr(pos_)));
      ignore();
    }
    return State::kText;
  }

  State lex_inside_action() {
    while (true) {
      auto [delim, trim] = at_right_delim();
      if (delim) {
        if (paren_depth_ == 0) return lex_right_delim();
        return errorf("unclosed left paren");
      }
      int32_t r = next();
      if (r == kEofRune) return errorf("unclosed action");
      if (is_space(r)) {
        backup();
        if (!lex_space()) return lex_right_delim();
        continue;
      }
      switch (r) {
        case '=':
          emit(ItemType::kAssign);
          continue;
        case ':':
          if (next() != '=') return errorf("expected :=");
          emit(ItemType::kDeclare);
          continue;
        case '|':
          emit(ItemType::kPipe);
          continue;
        case '"':
          if (!lex_quoted('"', ItemType::kString, "unterminated quoted string")) return State::kDone;
          continue;
        case '`':
          if (!lex_raw_quote()) return State::kDone;
          continue;
        case '$':
          if (!lex_variable()) return State::kDone;
          continue;
        case '\'':
          if (!lex_quoted('\'', ItemType::kCharConstant, "unterminated character constant"))
            return State::kDone;
          continue;
        case '(':
          emit(ItemType::kLeftParen);
          ++paren_depth_;
          continue;
        case ')':
          emit(ItemType::kRightParen);
          --paren_depth_;
          if (paren_depth_ < 0) return errorf("unexpected right paren " + go_unicode(r));
          continue;
        default:
          break;
      }
      if (r == '.') {
        if (pos_ < in_.size()) {
          char c = in_[pos_];
          if (c < '0' || c > '9') {
            if (!lex_field_or_variable(ItemType::kField)) return State::kDone;
            continue;
          }
        }
      }
      if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        backup();
        if (!lex_number()) return State::kDone;
        continue;
      }
      if (is_alnum(r)) {
        backup();
        if (!lex_identifier()) return State::kDone;
        continue;
      }
      if (r < 0x80 && go_is_print(r)) {
        emit(ItemType::kChar);
        continue;
      }
      return errorf("unrecognized character in action: " + go_unicode(r));
    }
  }

  // Returns false when a trim-marked right delimiter follows a single space.
  bool lex_space() {
    int num_spaces = 0;
    while (is_space(peek())) {
      next();
      ++num_spaces;
    }
    std::string_view before = in_.substr(pos_ - 1);
    if (has_right_trim_marker(before) && before.substr(kTrimMarkerLen).starts_with(kRightDelim)) {
      backup();
      if (num_spaces == 1) return false;
    }
    emit(ItemType::kSpace);
    return true;
  }

  bool at_terminator() {
    int32_t r = peek();
    if (is_space(r)) return true;
    switch (r) {
      case kEofRune:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return in_.substr(pos_).starts_with(kRightDelim);
  }

  bool lex_identifier() {
    while (true) {
      int32_t r = next();
      if (is_alnum(r)) continue;
      backup();
      std::string_view word = in_.substr(start_, pos_ - start_);
      if (!at_terminator()) {
        errorf("bad character " + go_unicode(r));
        return false;
      }
      ItemType kw = keyword(word);
      if (kw != ItemType::kError) {
        emit(kw);
      } else if (word[0] == '.') {
        emit(ItemType::kField);
      } else if (word == "true" || word == "false") {
        emit(ItemType::kBool);
      } else {
        emit(ItemType::kIdentifier);
      }
      return true;
    }
  }

  bool lex_variable() {
    if (at_terminator()) {
      emit(ItemType::kVariable);
      return true;
    }
    return lex_field_or_variable(ItemType::kVariable);
  }

  bool lex_field_or_variable(ItemType typ) {
    if (at_terminator()) {
      emit(typ == ItemType::kVariable ? ItemType::kVariable : ItemType::kDot);
      return true;
    }
    int32_t r;
    while (true) {
      r = next();
      if (!is_alnum(r)) {
        backup();
        break;
      }
    }
    if (!at_terminator()) {
      errorf("bad character " + go_unicode(r));
      return false;
    }
    emit(typ);
    return true;
  }

  // A character constant ('x') or a quoted string ("x") up to its closing
  // `quote`: escapes skip a rune; a newline or the end is an error.
  bool lex_quoted(int32_t quote, ItemType type, const char* unterminated) {
    while (true) {
      int32_t r = next();
      if (r == '\\') {
        r = next();
        if (r != kEofRune && r != '\n') continue;
      }
      if (r == kEofRune || r == '\n') {
        errorf(unterminated);
        return false;
      }
      if (r == quote) break;
    }
    emit(type);
    return true;
  }

  bool lex_raw_quote() {
    size_t x = in_.find('`', pos_);
    if (x == std::string_view::npos) {
      errorf("unterminated raw quoted string");
      return false;
    }
    skip(x + 1 - pos_);
    emit(ItemType::kRawString);
    return true;
  }

  bool scan_number() {
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (is_alnum(peek())) {
      next();
      return false;
    }
    return true;
  }

  bool lex_number() {
    if (!scan_number()) {
      errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
      return false;
    }
    int32_t sign = peek();
    if (sign == '+' || sign == '-') {
      if (!scan_number() || in_[pos_ - 1] != 'i') {
        errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
        return false;
      }
      emit(ItemType::kComplex);
    } else {
      emit(ItemType::kNumber);
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  bool at_eof_ = false;
  int line_ = 1;
  int start_line_ = 1;
  int paren_depth_ = 0;
  std::vector<Item> items_;
};

}  // namespace

std::string item_to_string(const Item& item) {
  if (item.type == ItemType::kEof) return "EOF";
  if (item.type == ItemType::kError) return item.val;
  if (item.type > ItemType::kKeyword) return "<" + item.val + ">";
  if (item.val.size() > 10) return go_quote_prefix(item.val, 10) + "...";
  return go_quote(item.val);
}

std::vector<Item> lex_template(std::string_view input) { return Lexer(input).run(); }

}  // namespace strata::rules::tmpl
