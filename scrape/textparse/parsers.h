// Internal to scrape/textparse: the grammar both exposition formats share,
// over the lexer of each (prom_parser.cc, openmetrics_parser.cc).
//
// TokenParser<D, State> holds the lexer position and state and the error
// state; D provides `Token next_token()` (one token, whitespace skipped where
// the format allows it), its lexer rules per State and the entry grammar. Label sets, values and the error texts around
// them are the same in both formats, so they live here.
#pragma once

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/go_quote.h"
#include "scrape/textparse/lex.h"
#include "scrape/textparse/parser.h"

namespace strata::scrape::textparse::internal {

std::unique_ptr<Parser> new_prom_parser(std::string_view body);
std::unique_ptr<Parser> new_openmetrics_parser(std::string_view body);

// Prometheus' value.NormalNaN: every NaN a parser returns has these bits, so
// a scraped NaN is never taken for the stale marker (0x7ff0000000000002).
inline double normal_nan() {
  uint64_t bits = 0x7ff8000000000001ULL;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

template <class D, class State>
class TokenParser : public Parser {
 protected:
  TokenParser(std::string_view body, bool trailing_newline)
      : Parser(body), c_(body, trailing_newline) {}

  Token tok() { return static_cast<D*>(this)->next_token(); }
  // A matched token [start_, end); the lexer moves on to `end`.
  Token make(Tok kind, size_t end) {
    Token t{kind, start_, end};
    i_ = end;
    return t;
  }
  // No rule takes the byte at `at`.
  Token invalid(size_t at) const { return Token{Tok::kInvalid, start_, at}; }
  // A token after which the lexer is in `next`.
  Token to(State next, Tok kind, size_t end) {
    state_ = next;
    return make(kind, end);
  }
  Token linebreak() { return to(State::kInit, Tok::kLinebreak, i_ + 1); }
  // A quoted string at i_ (see Cursor::quoted_end; the text format lets raw
  // newlines stand in it), or kInvalid.
  Token quoted(Tok kind, State next) {
    size_t end;
    bool escaped = false;
    if (!c_.quoted_end(i_, /*newline_ok=*/!D::kOpenMetrics, &end, &escaped)) return invalid(end);
    Token t = to(next, kind, end);
    t.escaped = escaped;
    return t;
  }
  // A metric name, plain or quoted (after `# HELP ` and the like).
  Token family_token(State next) {
    int c = c_.at(i_);
    if (is_name_start(c)) return to(next, Tok::kMName, c_.name_end(i_));
    if (c == '"') return quoted(Tok::kMName, next);
    return invalid(i_);
  }
  // A token of a label set (blanks aside): a label name, a quoted name, `,`,
  // and `}` and `=` leading to the given states.
  Token label_token(State after_close, State after_equal) {
    int c = c_.at(i_);
    if (is_label_start(c)) return make(Tok::kLName, c_.label_end(i_));
    switch (c) {
      case '"': return quoted(Tok::kQString, state_);
      case '}': return to(after_close, Tok::kBraceClose, i_ + 1);
      case '=': return to(after_equal, Tok::kEqual, i_ + 1);
      case ',': return make(Tok::kComma, i_ + 1);
    }
    return invalid(i_);
  }
  // The family name after `# HELP ` and the like: sets family_, or returns
  // Prometheus' error.
  absl::Status metadata_name(const char* what) {
    Token name = tok();
    if (name.kind != Tok::kMName) return error(std::string("expected metric name after ") + what, name);
    bool quoted = c_.at(name.start) == '"';
    set_family(name.start + quoted, name.end - quoted, name.escaped);
    return absl::OkStatus();
  }
  std::string_view text(const Token& t) const { return c_.body().substr(t.start, t.end - t.start); }

  absl::Status error(std::string_view exp, const Token& t) const { return parse_error(exp, t); }
  // `<msg> while parsing: "<line up to end>"`: Prometheus 3's form for what
  // only Prometheus 3 checks.
  absl::Status error_in_line(std::string msg, size_t end) const {
    msg += " while parsing: ";
    msg += go_quote(c_.snippet(line_start_, end));
    return absl::InvalidArgumentError(msg);
  }
  // Remembers the first error: every later next() returns it again.
  absl::StatusOr<Entry> fail(absl::Status s) {
    err_ = std::move(s);
    return err_;
  }

  // A float of a value or timestamp. strconv's error as it is (Prometheus 3
  // adds `while parsing: "<line>"`; 2.42's text is the one checked).
  static absl::Status parse_float(std::string_view s, double* out) {
    std::string err;
    if (!parse_prom_float(s, out, &err)) return absl::InvalidArgumentError(err);
    return absl::OkStatus();
  }

  // The label set after `{` up to and including `}`: series labels into
  // spans_ (a quoted name standing alone is the metric name, Prometheus 3),
  // or exemplar labels into exemplar_spans_. Sets series_end_ after a
  // series' `}`.
  //
  // The grammar is Prometheus 3's: pairs separated by commas, a trailing
  // comma allowed. The errors are Prometheus 2.42's, whose two parsers word
  // them differently: OpenMetrics says "expected label name or left brace"
  // for a bad first token, "expected comma" for a missing comma; the text
  // format just expects a label name again (and took pairs without a comma,
  // which Prometheus 3 refuses in its own words).
  absl::Status parse_label_set(bool exemplar) {
    constexpr bool om = D::kOpenMetrics;
    std::vector<LabelSpan>* spans = exemplar ? &exemplar_spans_ : &spans_;
    bool first = true;
    Token t = tok();
    for (;;) {
      if (t.kind == Tok::kBraceClose) {
        if (!exemplar) series_end_ = t.end;
        return absl::OkStatus();
      }
      bool is_name = t.kind == Tok::kLName || t.kind == Tok::kQString;
      if (om) {
        if (t.kind == Tok::kComma) {
          if (first) return error("expected label name or left brace", t);
          t = tok();
          if (t.kind == Tok::kBraceClose) continue;  // trailing comma
          if (t.kind != Tok::kLName && t.kind != Tok::kQString) return error("expected label name", t);
        } else if (is_name) {
          if (!first) return error("expected comma", t);
        } else {
          return error(first ? "expected label name or left brace" : "expected comma or left brace", t);
        }
      } else if (!is_name) {
        return error("expected label name", t);
      }
      first = false;
      Token name = t;
      bool quoted = name.kind == Tok::kQString;
      t = tok();
      if (quoted && !exemplar && (t.kind == Tok::kComma || t.kind == Tok::kBraceClose)) {
        // `{"my.metric", ...}` names the metric inside the braces.
        if (name_set_) return error_in_line("metric name already set", t.end);
        name_begin_ = name.start + 1;
        name_end_ = name.end - 1;
        name_escaped_ = name.escaped;
        name_set_ = true;
        if (!om && t.kind == Tok::kComma) t = tok();
        continue;
      }
      if (t.kind != Tok::kEqual) return error("expected equal", t);
      Token v = tok();
      if (v.kind != Tok::kLValue) return error("expected label value", v);
      if (!valid_utf8(text(v))) return absl::InvalidArgumentError("invalid UTF-8 label value");
      LabelSpan span;
      span.name_begin = name.start + (quoted ? 1 : 0);
      span.name_end = name.end - (quoted ? 1 : 0);
      span.name_escaped = name.escaped;
      span.value_begin = v.start + 1;
      span.value_end = v.end - 1;
      span.value_escaped = v.escaped;
      spans->push_back(span);
      t = tok();
      if (!om) {
        if (t.kind == Tok::kComma) {
          t = tok();
        } else if (t.kind == Tok::kLName || t.kind == Tok::kQString) {
          return parse_error_v3(c_, "expected comma or brace close", t, line_start_);
        }
      }
    }
  }

  // The series line's start: `name` or `name{...}` or `{...}`, then the value
  // token, whose number text (`s` minus the format's leading bytes) is parsed.
  // `first` is the MName or BraceOpen token that began the line.
  absl::Status parse_series_start(const Token& first, size_t value_skip) {
    series_begin_ = first.start;
    Token t = first;
    if (first.kind == Tok::kMName) {
      name_begin_ = first.start;
      name_end_ = first.end;
      name_set_ = true;
      series_end_ = first.end;
      t = tok();
    }
    if (t.kind == Tok::kBraceOpen) {
      absl::Status s = parse_label_set(false);
      if (!s.ok()) return s;
      t = tok();
    }
    if (t.kind != Tok::kValue) return error("expected value after metric", t);
    if (!name_set_) return error_in_line("metric name not set", t.end);
    absl::Status s = parse_float(text(t).substr(value_skip), &value_);
    if (!s.ok()) return s;
    if (std::isnan(value_)) value_ = normal_nan();
    return absl::OkStatus();
  }

  Cursor c_;
  State state_ = State::kInit;
  size_t i_ = 0;           // next byte to lex
  size_t start_ = 0;       // where the last token began
  size_t line_start_ = 0;  // where this next() began
  bool done_ = false;      // kEof was returned
  absl::Status err_;       // the first error
};

}  // namespace strata::scrape::textparse::internal
