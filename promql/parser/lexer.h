// The PromQL lexer: turns a query into tokens with Prometheus' rules and error
// texts (unterminated strings, bad escapes, unbalanced brackets, malformed
// numbers and durations). It tracks parenthesis depth and whether a brace or a
// bracket is open, because those change how characters are read (keywords
// are plain identifiers inside braces; a bracket starts with a duration).
//
// Tokens are produced one at a time on demand, so the parser sees a lexing
// error exactly when Prometheus' parser would. One instance per query; the
// input must outlive the lexer and its tokens.
#pragma once

#include <string>
#include <string_view>

#include "promql/parser/compat.h"
#include "promql/parser/token.h"

namespace strata::promql::parser {

class Lexer {
 public:
  Lexer(std::string_view input, Compat compat) : in_(input), compat_(compat) {}

  // The next token, skipping spaces and `#` comments. After a lexing error it
  // returns one kError token (see error()) and then kEOF forever.
  Token next();

  const std::string& error() const { return error_; }
  int error_pos() const { return error_pos_; }

 private:
  Token lex_statement();
  Token lex_inside_braces();
  Token lex_identifier(bool keywords);
  Token lex_number_or_duration();
  Token lex_bracket_duration();
  Token lex_string(char quote);
  bool lex_escape(char quote);
  bool scan_number();
  bool accept_remaining_duration();
  void skip_comment();

  // Go's lexer primitives over runes; next() returns -1 at the end.
  int32_t next_rune();
  int32_t peek_rune();
  void backup() { pos_ -= width_; }
  bool accept(std::string_view valid);
  void accept_run(std::string_view valid);
  Token emit(Tok t);
  Token fail(std::string msg);

  std::string_view in_;
  Compat compat_;
  int pos_ = 0;
  int start_ = 0;
  int width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  // The next token is the first one inside `[`: a duration in Prometheus 2.
  bool bracket_start_ = false;
  bool done_ = false;
  std::string error_;
  int error_pos_ = 0;
};

// Prometheus' legacy label name rule, [a-zA-Z_][a-zA-Z0-9_]*: what may be
// written unquoted as a label name (keywords included).
bool is_legacy_label_name(std::string_view s);

// Prometheus' strutil.Unquote for the text of a kString token (quotes
// included): Go escapes in "..." and '...', raw `...`. The lexer has already
// validated the escapes. \x and octal escapes produce single bytes.
std::string unquote(std::string_view token_text);

}  // namespace strata::promql::parser
