// Vector selectors (`name{label="value", ...}`), label matchers and the label
// lists of by/without/on/ignoring/group_left/group_right.
#include "promql/parser/go_format.h"
#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {
namespace {

bool match_type(Tok t, tsdb::MatchType* type) {
  switch (t) {
    case Tok::kEql: *type = tsdb::MatchType::kEqual; return true;
    case Tok::kNeq: *type = tsdb::MatchType::kNotEqual; return true;
    case Tok::kEqlRegex: *type = tsdb::MatchType::kRegexMatch; return true;
    case Tok::kNeqRegex: *type = tsdb::MatchType::kRegexNoMatch; return true;
    default: return false;
  }
}

}  // namespace

bool Parser::is_metric_identifier(Tok t) const {
  switch (t) {
    case Tok::kMetricIdentifier: case Tok::kBy: case Tok::kLand: case Tok::kLor:
    case Tok::kLunless: case Tok::kOffset: case Tok::kWithout: case Tok::kStart: case Tok::kEnd:
      return true;
    default:
      return is_aggregator(t);
  }
}

bool Parser::is_maybe_label(Tok t) const {
  switch (t) {
    case Tok::kIdentifier: case Tok::kMetricIdentifier: case Tok::kBool: case Tok::kBy:
    case Tok::kGroupLeft: case Tok::kGroupRight: case Tok::kIgnoring: case Tok::kLand:
    case Tok::kLor: case Tok::kLunless: case Tok::kOffset: case Tok::kOn: case Tok::kStart:
    case Tok::kEnd: case Tok::kAtan2: case Tok::kWithout:
      return true;
    default:
      return is_aggregator(t);
  }
}

ExprPtr Parser::parse_vector_selector(const Token* name) {
  auto vs = std::make_unique<VectorSelector>();
  if (name) {
    vs->name = std::string(name->text);
    vs->pos = {name->pos, name->end()};
  }
  const Token& t = peek();
  if (failed()) return nullptr;
  if (t.type == Tok::kLeftBrace) {
    Token lb = consume();
    if (!name) vs->pos.start = lb.pos;
    if (!parse_label_matchers(vs.get())) return nullptr;
    vs->pos.end = last_closing_;
  }
  if (name) {
    auto m = tsdb::Matcher::make(tsdb::MatchType::kEqual, "__name__", vs->name);
    vs->matchers.push_back(std::move(*m));
  }
  return vs;
}

bool Parser::parse_label_matchers(VectorSelector* vs) {
  if (accept(Tok::kRightBrace)) return true;
  const Token* t;
  tsdb::RegexOptions regex_opts{.dot_matches_newline = v3()};
  for (;;) {
    // One matcher: `name op "value"`, or in v3 a quoted metric name alone.
    t = &peek();
    if (failed()) return false;
    bool quoted_name = v3() && t->type == Tok::kString;
    if (t->type != Tok::kIdentifier && !quoted_name) {
      unexpected(*t, "label matching", "identifier or \"}\"");
      return false;
    }
    Token label = consume();
    std::string label_name = quoted_name ? unquote(label.text) : std::string(label.text);
    t = &peek();
    if (failed()) return false;
    tsdb::MatchType type;
    if (match_type(t->type, &type)) {
      consume();
      t = &peek();
      if (failed()) return false;
      if (t->type != Tok::kString) {
        unexpected(*t, "label matching", "string");
        return false;
      }
      Token value = consume();
      auto m = tsdb::Matcher::make(type, label_name, unquote(value.text), regex_opts);
      if (!m.ok()) {
        add_error(label.pos, std::string(m.status().message()));
        return false;
      }
      vs->matchers.push_back(std::move(*m));
    } else if (quoted_name) {
      auto m = tsdb::Matcher::make(tsdb::MatchType::kEqual, "__name__", label_name);
      vs->matchers.push_back(std::move(*m));
    } else {
      unexpected(*t, "label matching", "label matching operator");
      return false;
    }
    // Then `,` or `}` (a trailing comma is allowed).
    switch (list_separator(Tok::kRightBrace, "label matching", "\",\" or \"}\"")) {
      case Sep::kClosed: return true;
      case Sep::kFailed: return false;
      case Sep::kComma: break;
    }
    if (accept(Tok::kRightBrace)) return true;
  }
}

bool Parser::parse_grouping_labels(std::vector<std::string>* out) {
  const Token* t = &peek();
  if (failed()) return false;
  if (t->type != Tok::kLeftParen) {
    unexpected(*t, "grouping opts", "\"(\"");
    return false;
  }
  consume();
  if (accept(Tok::kRightParen)) return true;
  for (;;) {
    t = &peek();
    if (failed()) return false;
    if (v3() && t->type == Tok::kString) {
      out->push_back(unquote(consume().text));
    } else if (is_maybe_label(t->type)) {
      Token l = consume();
      // Keywords are fine as label names; `a:b` is not.
      if (!is_legacy_label_name(l.text)) {
        unexpected(l, "grouping opts", "label");
        return false;
      }
      out->push_back(std::string(l.text));
    } else {
      unexpected(*t, "grouping opts", "label");
      return false;
    }
    switch (list_separator(Tok::kRightParen, "grouping opts", "\",\" or \")\"")) {
      case Sep::kClosed: return true;
      case Sep::kFailed: return false;
      case Sep::kComma: break;
    }
    if (accept(Tok::kRightParen)) return true;
  }
}

}  // namespace strata::promql::parser
