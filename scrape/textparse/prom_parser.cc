// The Prometheus text format 0.0.4 (with Prometheus 3's quoted names).
//
// Lexer states, as Prometheus' rule table has them (a rule only applies in
// its state; spaces and tabs separate tokens in every state):
//   init       `\0` (the end, as Prometheus reads it), `\n`, `#` comments,
//              `# HELP `/`# TYPE ` (-> meta1), a metric name (-> value),
//              `{` (-> labels)
//   meta1      a metric name, plain or quoted (-> meta2)
//   meta2      the rest of the line (-> init)
//   value      `{` (-> labels), the value: bytes up to space/tab/`{`/`\n`
//              (-> timestamp)
//   labels     label name, quoted name, `}` (-> value), `=` (-> lvalue), `,`
//   lvalue     a quoted value (-> labels); it may span raw newlines
//   timestamp  digits, `\n` (-> init)
#include "scrape/textparse/parsers.h"

namespace strata::scrape::textparse::internal {
namespace {

enum class State : uint8_t { kInit, kMeta1, kMeta2, kValue, kLabels, kLValue, kTimestamp };

class PromParser final : public TokenParser<PromParser, State> {
 public:
  static constexpr bool kOpenMetrics = false;
  explicit PromParser(std::string_view body) : TokenParser(body, /*trailing_newline=*/true) {}

  absl::StatusOr<Entry> next() override;

  // One token, whitespace skipped (Prometheus' nextToken).
  Token next_token() {
    for (;;) {
      Token t = lex();
      if (t.kind != Tok::kWhitespace) return t;
    }
  }

 private:
  Token lex();
  size_t blank_end(size_t i) const {
    while (i < c_.n() && (c_.at(i) == ' ' || c_.at(i) == '\t')) ++i;
    return i;
  }
  size_t line_end(size_t i) const {  // the next '\n' (there always is one)
    while (c_.at(i) != '\n') ++i;
    return i;
  }
  absl::StatusOr<Entry> metadata(const Token& kw);

};

Token PromParser::lex() {
  if (i_ >= c_.n()) return Token{Tok::kEof, start_, i_};
  start_ = i_;
  int c = c_.at(i_);
  // Blanks are a token of their own, except where the rest of a HELP/TYPE
  // line is longer (meta2 below).
  if ((c == ' ' || c == '\t') && state_ != State::kMeta2) return make(Tok::kWhitespace, blank_end(i_));
  switch (state_) {
    case State::kInit:
      if (is_name_start(c)) return to(State::kValue, Tok::kMName, c_.name_end(i_));
      if (c == '\n') return make(Tok::kLinebreak, i_ + 1);
      if (c == '#') {
        size_t j = blank_end(i_ + 1);
        if (j > i_ + 1) {
          // `# HELP ` / `# TYPE ` start metadata; anything else after `# `
          // is a comment to the end of the line.
          std::string_view rest = c_.body().substr(std::min(j, c_.body().size()));
          bool help = rest.substr(0, 4) == "HELP", type = rest.substr(0, 4) == "TYPE";
          if (help || type) {
            size_t k = blank_end(j + 4);
            if (k > j + 4) {
              state_ = State::kMeta1;
              return make(help ? Tok::kHelp : Tok::kType, k);
            }
          }
        }
        return make(Tok::kComment, line_end(i_));
      }
      if (c == '{') return to(State::kLabels, Tok::kBraceOpen, i_ + 1);
      if (c == 0) return Token{Tok::kEof, start_, i_};
      return invalid(i_);
    case State::kMeta1:
      return family_token(State::kMeta2);
    case State::kMeta2: {
      // The rest of the line; blanks alone are whitespace (the earlier rule
      // wins a tie of lengths), which leaves an empty text.
      size_t e = line_end(i_);
      if (e == i_) return invalid(i_);
      if (blank_end(i_) == e) return make(Tok::kWhitespace, e);
      state_ = State::kInit;
      return make(Tok::kText, e);
    }
    case State::kValue:
      if (c == '{') return to(State::kLabels, Tok::kBraceOpen, i_ + 1);
      if (c == '\n' || c == 0) return invalid(i_);
      {
        size_t e = i_ + 1;
        for (int d; e < c_.n() && (d = c_.at(e)) != ' ' && d != '\t' && d != '\n' && d != '{' && d != 0;) ++e;
        state_ = State::kTimestamp;
        return make(Tok::kValue, e);
      }
    case State::kLabels:
      return label_token(State::kValue, State::kLValue);
    case State::kLValue:
      if (c == '"') return quoted(Tok::kLValue, State::kLabels);
      return invalid(i_);
    case State::kTimestamp:
      if (c >= '0' && c <= '9') {
        size_t e = i_ + 1;
        while (e < c_.n() && c_.at(e) >= '0' && c_.at(e) <= '9') ++e;
        return make(Tok::kTimestamp, e);
      }
      if (c == '\n') return linebreak();
      return invalid(i_);
  }
  return invalid(i_);
}

absl::StatusOr<Entry> PromParser::metadata(const Token& kw) {
  const char* what = kw.kind == Tok::kHelp ? "HELP" : "TYPE";
  if (absl::Status s = metadata_name(what); !s.ok()) return fail(std::move(s));
  Token t = next_token();
  // A line that ends right after the name has no text; Prometheus takes it
  // as empty (see the meta2 rule).
  std::string_view txt;
  if (t.kind == Tok::kText) {
    txt = text(t);
    txt = txt.size() > 1 ? txt.substr(1) : std::string_view();
  } else if (t.kind != Tok::kInvalid || c_.at(t.end) != '\n') {
    return fail(absl::InvalidArgumentError(std::string("expected text in ") + what));
  } else {
    state_ = State::kInit;  // an empty text
  }
  if (kw.kind == Tok::kType) {
    if (txt == "counter") mtype_ = MetricType::kCounter;
    else if (txt == "gauge") mtype_ = MetricType::kGauge;
    else if (txt == "histogram") mtype_ = MetricType::kHistogram;
    else if (txt == "summary") mtype_ = MetricType::kSummary;
    else if (txt == "untyped") mtype_ = MetricType::kUnknown;
    else return fail(absl::InvalidArgumentError("invalid metric type " + go_quote(txt)));
  } else {
    if (!valid_utf8(txt)) return fail(absl::InvalidArgumentError("help text is not a valid utf8 string"));
    set_help(txt, /*quote_escape=*/false);
  }
  Token lb = next_token();
  if (lb.kind != Tok::kLinebreak) return fail(error("linebreak expected after metadata", lb));
  return kw.kind == Tok::kHelp ? Entry::kHelp : Entry::kType;
}

absl::StatusOr<Entry> PromParser::next() {
  if (!err_.ok()) return err_;
  if (done_) return Entry::kEof;
  for (;;) {
    reset_entry();
    line_start_ = i_;
    Token t = next_token();
    switch (t.kind) {
      case Tok::kEof:
        done_ = true;
        return Entry::kEof;
      case Tok::kLinebreak:
        continue;  // blank line
      case Tok::kHelp:
      case Tok::kType:
        return metadata(t);
      case Tok::kComment: {
        comment_ = text(t);
        Token lb = next_token();
        if (lb.kind != Tok::kLinebreak) return fail(error("linebreak expected after comment", lb));
        return Entry::kComment;
      }
      case Tok::kMName:
      case Tok::kBraceOpen: {
        absl::Status s = parse_series_start(t, 0);
        if (!s.ok()) return fail(std::move(s));
        Token ts = next_token();
        if (ts.kind == Tok::kTimestamp) {
          std::string err;
          if (!parse_int64(text(ts), &ts_ms_, &err)) return fail(absl::InvalidArgumentError(err));
          has_ts_ = true;
          Token lb = next_token();
          if (lb.kind != Tok::kLinebreak) return fail(error("expected next entry after timestamp", lb));
        } else if (ts.kind != Tok::kLinebreak) {
          return fail(error("expected timestamp or new record", ts));
        }
        return Entry::kSeries;
      }
      default:
        return fail(absl::InvalidArgumentError(go_quote(tok_name(t.kind)) + " is not a valid start token"));
    }
  }
}

}  // namespace

std::unique_ptr<Parser> new_prom_parser(std::string_view body) {
  return std::make_unique<PromParser>(body);
}

}  // namespace strata::scrape::textparse::internal
