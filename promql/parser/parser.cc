#include "promql/parser/parser.h"

#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {

std::string format_parse_error(std::string_view query, int pos, std::string_view msg) {
  std::string where;
  if (pos < 0 || pos > int(query.size())) {
    where = "invalid position:";
  } else {
    int line = 1, last_break = -1;
    for (int i = 0; i < pos; ++i) {
      if (query[i] == '\n') {
        last_break = i;
        ++line;
      }
    }
    where = std::to_string(line) + ":" + std::to_string(pos - last_break) + ":";
  }
  return where + " parse error: " + std::string(msg);
}

const Token& Parser::peek() {
  if (!has_tok_) {
    tok_ = lexer_.next();
    has_tok_ = true;
    switch (tok_.type) {
      case Tok::kError:
        add_error(lexer_.error_pos(), lexer_.error());
        break;
      case Tok::kRightParen:
      case Tok::kRightBrace:
      case Tok::kRightBracket:
      case Tok::kNumber:
      case Tok::kDuration:
        last_closing_ = tok_.end();
        break;
      default:
        break;
    }
  }
  return tok_;
}

Token Parser::consume() {
  Token t = peek();
  has_tok_ = false;
  return t;
}

void Parser::add_error(int pos, std::string msg) {
  if (!error_) error_.emplace(pos, std::move(msg));
}

void Parser::unexpected(const Token& tok, std::string_view context, std::string_view expected) {
  if (tok.type == Tok::kError) return;  // the lexing error is already recorded
  std::string msg = "unexpected " + describe(tok);
  if (!context.empty()) msg += " in " + std::string(context);
  if (!expected.empty()) msg += ", expected " + std::string(expected);
  add_error(tok.pos, std::move(msg));
}

void Parser::syntax_error(const Token& tok) {
  unexpected(tok, agg_depth_ > 0 ? "aggregation" : "", "");
}

Parser::Sep Parser::list_separator(Tok close, std::string_view context,
                                   std::string_view expected) {
  const Token& t = peek();
  if (failed()) return Sep::kFailed;
  if (t.type == close) {
    consume();
    return Sep::kClosed;
  }
  if (t.type != Tok::kComma) {
    if (context.empty()) {
      syntax_error(t);
    } else {
      unexpected(t, context, expected);
    }
    return Sep::kFailed;
  }
  consume();
  return Sep::kComma;
}

bool Parser::accept(Tok close) {
  if (peek().type != close) return false;
  consume();
  return true;
}

absl::Status Parser::status() const {
  if (!error_) return absl::OkStatus();
  return absl::InvalidArgumentError(format_parse_error(in_, error_->first, error_->second));
}

ExprPtr Parser::parse_query() {
  const Token& t = peek();
  if (failed()) return nullptr;
  if (t.type == Tok::kEOF) {
    add_error(0, "no expression found in input");
    return nullptr;
  }
  ExprPtr e = parse_expr(0);
  if (failed()) return nullptr;
  const Token& end = peek();
  if (failed()) return nullptr;
  if (end.type != Tok::kEOF) {
    syntax_error(end);
    return nullptr;
  }
  if (auto err = check_types(*e, in_)) {
    add_error(err->first, std::move(err->second));
    return nullptr;
  }
  return e;
}

std::unique_ptr<VectorSelector> Parser::parse_selector_query() {
  const Token& t = peek();
  if (failed()) return nullptr;
  ExprPtr e;
  if (t.type == Tok::kLeftBrace) {
    e = parse_vector_selector(nullptr);
  } else if (t.type == Tok::kIdentifier || is_metric_identifier(t.type)) {
    Token name = consume();
    e = parse_vector_selector(&name);
  } else {
    syntax_error(t);
  }
  if (failed()) return nullptr;
  const Token& end = peek();
  if (failed()) return nullptr;
  if (end.type != Tok::kEOF) {
    syntax_error(end);
    return nullptr;
  }
  return std::unique_ptr<VectorSelector>(static_cast<VectorSelector*>(e.release()));
}

absl::StatusOr<ExprPtr> parse_expr(std::string_view query, const ParseOptions& opts) {
  Parser p(query, opts);
  ExprPtr e = p.parse_query();
  if (!e) return p.status();
  return e;
}

ParseResult<ExprPtr> parse_expr_detailed(std::string_view query, const ParseOptions& opts) {
  Parser p(query, opts);
  ExprPtr e = p.parse_query();
  if (!e) return p.error();
  return e;
}

ParseResult<tsdb::Matchers> parse_metric_selector_detailed(std::string_view text,
                                                           const ParseOptions& opts) {
  Parser p(text, opts);
  auto vs = p.parse_selector_query();
  if (!vs) return p.error();
  return std::move(vs->matchers);
}

absl::StatusOr<tsdb::Matchers> parse_metric_selector(std::string_view text,
                                                     const ParseOptions& opts) {
  Parser p(text, opts);
  auto vs = p.parse_selector_query();
  if (!vs) return p.status();
  return std::move(vs->matchers);
}

}  // namespace strata::promql::parser
