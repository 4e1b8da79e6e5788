// OpenMetrics 1.0 (with Prometheus 3's quoted names).
//
// Lexer states, as Prometheus' rule table has them. Unlike the text format
// there is no whitespace token: separators are exactly one space and belong
// to the token after them (` 1.5`), and blank lines are errors.
//   init        `# HELP `, `# TYPE `, `# UNIT ` (-> meta1), `# EOF` with an
//               optional `\n`, a metric name (-> value), `{` (-> labels)
//   meta1       a metric name, plain or quoted (-> meta2)
//   meta2       ` ` + the rest of the line + `\n` (-> init)
//   value       `{` (-> labels), ` ` + value bytes up to space/`\n` (-> timestamp)
//   labels      label name, quoted name, `}` (-> value), `=` (-> lvalue), `,`
//   lvalue      a quoted value without raw newlines (-> labels)
//   timestamp   ` ` + bytes (timestamp), ` # {` (-> exemplar), `\n` (-> init)
//   exemplar    label name, quoted name, `,`, `=` and `}` (-> evalue)
//   evalue      a quoted value (-> exemplar), ` ` + value (-> etimestamp)
//   etimestamp  ` ` + bytes (timestamp), `\n` (-> init)
#include "scrape/textparse/parsers.h"

namespace strata::scrape::textparse::internal {
namespace {

enum class State : uint8_t {
  kInit,
  kMeta1,
  kMeta2,
  kValue,
  kLabels,
  kLValue,
  kTimestamp,
  kExemplar,
  kEValue,
  kETimestamp
};

class OpenMetricsParser final : public TokenParser<OpenMetricsParser, State> {
 public:
  static constexpr bool kOpenMetrics = true;
  explicit OpenMetricsParser(std::string_view body) : TokenParser(body, /*trailing_newline=*/false) {}

  absl::StatusOr<Entry> next() override;
  Token next_token() { return lex(); }

 private:
  Token lex();
  // ` ` and a run of bytes other than space and '\n': the value and
  // timestamp tokens.
  Token spaced_run(Tok kind, State next_state) {
    size_t e = i_ + 1;
    while (e < c_.n() && c_.at(e) != ' ' && c_.at(e) != '\n' && c_.at(e) != 0) ++e;
    if (e == i_ + 1) return invalid(e);
    return to(next_state, kind, e);
  }
  Token comment_line();
  absl::StatusOr<Entry> metadata(const Token& kw);
  absl::Status exemplar_rest();
  absl::Status timestamp(const Token& t, const char* what, int64_t* out);
};

// `#` at the start of a line: `# HELP `, `# TYPE `, `# UNIT `, `# EOF`.
Token OpenMetricsParser::comment_line() {
  size_t j = i_ + 1;
  if (j >= c_.n() || c_.at(j) != ' ') return invalid(j < c_.n() ? j : c_.n());
  ++j;
  static constexpr std::string_view kWords[] = {"HELP ", "TYPE ", "UNIT ", "EOF"};
  std::string_view rest = c_.body().substr(j);
  size_t longest = 0;
  for (size_t w = 0; w < 4; ++w) {
    std::string_view word = kWords[w];
    size_t k = 0;
    while (k < word.size() && k < rest.size() && rest[k] == word[k]) ++k;
    if (k == word.size()) {
      if (w == 3) {  // `# EOF`, and the newline after it if there is one
        size_t e = j + 3;
        if (e < c_.n() && c_.at(e) == '\n') ++e;
        return make(Tok::kEofWord, e);
      }
      state_ = State::kMeta1;
      return make(w == 0 ? Tok::kHelp : w == 1 ? Tok::kType : Tok::kUnit, j + word.size());
    }
    longest = std::max(longest, k);
  }
  return invalid(j + longest);
}

Token OpenMetricsParser::lex() {
  if (i_ >= c_.n()) return Token{Tok::kEof, start_, i_};
  start_ = i_;
  int c = c_.at(i_);
  switch (state_) {
    case State::kInit:
      if (is_name_start(c)) return to(State::kValue, Tok::kMName, c_.name_end(i_));
      if (c == '#') return comment_line();
      if (c == '{') return to(State::kLabels, Tok::kBraceOpen, i_ + 1);
      return invalid(i_);
    case State::kMeta1:
      return family_token(State::kMeta2);
    case State::kMeta2: {
      if (c != ' ') return invalid(i_);
      size_t e = i_ + 1;
      while (e < c_.n() && c_.at(e) != '\n') ++e;
      if (e >= c_.n()) return invalid(e);
      state_ = State::kInit;
      return make(Tok::kText, e + 1);
    }
    case State::kValue:
      if (c == '{') return to(State::kLabels, Tok::kBraceOpen, i_ + 1);
      if (c == ' ') return spaced_run(Tok::kValue, State::kTimestamp);
      return invalid(i_);
    case State::kLabels:
      return label_token(State::kValue, State::kLValue);
    case State::kLValue:
      if (c == '"') return quoted(Tok::kLValue, State::kLabels);
      return invalid(i_);
    case State::kTimestamp:
      if (c == ' ') {
        // ` # {` opens an exemplar. Once ` # ` is read the timestamp rule
        // is left behind: ` # x` is invalid at the `x`.
        if (c_.body().substr(i_, 3) == " # ") {
          if (i_ + 3 < c_.n() && c_.at(i_ + 3) == '{') return to(State::kExemplar, Tok::kComment, i_ + 4);
          return invalid(std::min(i_ + 3, c_.n()));
        }
        return spaced_run(Tok::kTimestamp, State::kTimestamp);
      }
      if (c == '\n') return linebreak();
      return invalid(i_);
    case State::kExemplar:
      return label_token(State::kEValue, State::kEValue);
    case State::kEValue:
      if (c == '"') return quoted(Tok::kLValue, State::kExemplar);
      if (c == ' ') return spaced_run(Tok::kValue, State::kETimestamp);
      return invalid(i_);
    case State::kETimestamp:
      if (c == ' ') return spaced_run(Tok::kTimestamp, State::kETimestamp);
      if (c == '\n') return linebreak();
      return invalid(i_);
  }
  return invalid(i_);
}

absl::StatusOr<Entry> OpenMetricsParser::metadata(const Token& kw) {
  const char* what = tok_name(kw.kind);  // "HELP", "TYPE", "UNIT"
  if (absl::Status s = metadata_name(what); !s.ok()) return fail(std::move(s));
  Token t = lex();
  if (t.kind != Tok::kText) return fail(absl::InvalidArgumentError(std::string("expected text in ") + what));
  std::string_view txt = text(t);
  txt = txt.substr(1, txt.size() - 2);  // the space before, the '\n' after
  switch (kw.kind) {
    case Tok::kType: {
      static constexpr std::pair<std::string_view, MetricType> kTypes[] = {
          {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
          {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
          {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
          {"stateset", MetricType::kStateset},   {"unknown", MetricType::kUnknown}};
      for (const auto& [word, type] : kTypes) {
        if (txt == word) {
          mtype_ = type;
          return Entry::kType;
        }
      }
      return fail(absl::InvalidArgumentError("invalid metric type " + go_quote(txt)));
    }
    case Tok::kHelp:
      if (!valid_utf8(txt)) return fail(absl::InvalidArgumentError("help text is not a valid utf8 string"));
      set_help(txt, /*quote_escape=*/true);
      return Entry::kHelp;
    default: {
      // The unit must end the family name after an underscore.
      std::string_view m = family_;
      if (!txt.empty() &&
          (m.size() < txt.size() + 1 || m.substr(m.size() - txt.size()) != txt || m[m.size() - txt.size() - 1] != '_')) {
        return fail(absl::InvalidArgumentError("unit not a suffix of metric " + go_quote(m)));
      }
      unit_ = txt;
      return Entry::kUnit;
    }
  }
}

absl::Status OpenMetricsParser::timestamp(const Token& t, const char* what, int64_t* out) {
  double ts;
  absl::Status s = parse_float(text(t).substr(1), &ts);
  if (!s.ok()) return s;
  // Prometheus 3 adds the value ("invalid timestamp NaN").
  if (std::isnan(ts) || std::isinf(ts)) return absl::InvalidArgumentError(std::string("invalid ") + what);
  *out = go_float_to_int64(ts * 1000);
  return absl::OkStatus();
}

// After ` # {`: the exemplar's labels, value, optional timestamp, '\n'.
absl::Status OpenMetricsParser::exemplar_rest() {
  absl::Status s = parse_label_set(/*exemplar=*/true);
  if (!s.ok()) return s;
  Token v = lex();
  if (v.kind != Tok::kValue) return error("expected value after exemplar labels", v);
  s = parse_float(text(v).substr(1), &exemplar_value_);
  if (!s.ok()) return s;
  if (std::isnan(exemplar_value_)) exemplar_value_ = normal_nan();
  has_exemplar_ = true;
  Token t = lex();
  switch (t.kind) {
    case Tok::kEof:
      return absl::InvalidArgumentError("data does not end with # EOF");
    case Tok::kLinebreak:
      return absl::OkStatus();
    case Tok::kTimestamp: {
      s = timestamp(t, "exemplar timestamp", &exemplar_ts_ms_);
      if (!s.ok()) return s;
      exemplar_has_ts_ = true;
      Token lb = lex();
      if (lb.kind != Tok::kLinebreak) return error("expected next entry after exemplar timestamp", lb);
      return absl::OkStatus();
    }
    default:
      return error("expected timestamp or comment", t);
  }
}

absl::StatusOr<Entry> OpenMetricsParser::next() {
  if (!err_.ok()) return err_;
  if (done_) return Entry::kEof;
  reset_entry();
  line_start_ = i_;
  Token t = lex();
  switch (t.kind) {
    case Tok::kEofWord:
      if (lex().kind != Tok::kEof) return fail(absl::InvalidArgumentError("unexpected data after # EOF"));
      done_ = true;
      return Entry::kEof;
    case Tok::kEof:
      return fail(absl::InvalidArgumentError("data does not end with # EOF"));
    case Tok::kHelp:
    case Tok::kType:
    case Tok::kUnit:
      return metadata(t);
    case Tok::kMName:
    case Tok::kBraceOpen: {
      absl::Status s = parse_series_start(t, 1);
      if (!s.ok()) return fail(std::move(s));
      Token n = lex();
      switch (n.kind) {
        case Tok::kEof:
          return fail(absl::InvalidArgumentError("data does not end with # EOF"));
        case Tok::kLinebreak:
          break;
        case Tok::kComment:
          s = exemplar_rest();
          break;
        case Tok::kTimestamp: {
          s = timestamp(n, "timestamp", &ts_ms_);
          if (!s.ok()) break;
          has_ts_ = true;
          Token after = lex();
          if (after.kind == Tok::kComment) {
            s = exemplar_rest();
          } else if (after.kind != Tok::kLinebreak) {
            s = error("expected next entry after timestamp", after);
          }
          break;
        }
        default:
          s = error("expected timestamp or # symbol", n);
      }
      if (!s.ok()) return fail(std::move(s));
      return Entry::kSeries;
    }
    default: {
      // `"INVALID" "x" is not a valid start token`: the token and the byte
      // lexing stopped at, as a Go string of that one rune (a space at the end).
      std::string cur;
      append_utf8(&cur, t.end < c_.n() ? c_.at(t.end) : ' ');
      return fail(absl::InvalidArgumentError(go_quote(tok_name(t.kind)) + " " + go_quote(cur) +
                                             " is not a valid start token"));
    }
  }
}

}  // namespace

std::unique_ptr<Parser> new_openmetrics_parser(std::string_view body) {
  return std::make_unique<OpenMetricsParser>(body);
}

}  // namespace strata::scrape::textparse::internal
