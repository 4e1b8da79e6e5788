// Internal: the recursive-descent parser behind parser.h. Split over
// parser.cc (tokens, errors, entry points), parse_expr.cc (operators,
// literals, parentheses), parse_call.cc (functions, aggregations),
// parse_modifiers.cc (offset, @, ranges, subqueries) and parse_selector.cc
// (vector selectors, label matchers, grouping labels); check.cc is the type
// checker that runs after a successful parse.
//
// Prometheus' parser is LALR (goyacc) and reports the *first* error it records.
// To give the same first error, this parser
//  * pulls tokens lazily, so lexing errors appear when Prometheus' parser
//    would read that token;
//  * records semantic errors (unknown function, bad duration, offset twice,
//    ...) as soon as the construct is complete, before reading further;
//  * stops at the first error;
//  * names a syntax error after the innermost construct that has an error
//    rule in Prometheus' grammar: grouping options, label matching, offset,
//    @, subquery/range brackets, or the enclosing aggregation.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "promql/parser/ast.h"
#include "promql/parser/lexer.h"
#include "base/sanitizers.h"
#include "promql/parser/parser.h"

namespace strata::promql::parser {

// Prometheus has no nesting limit (Go stacks grow); every pass over the tree
// here (parsing, checking, printing, compiling, evaluating, destroying)
// recurses once per level. A tree is refused only when it would not fit in
// the rest of the parsing thread's stack at kStackBytesPerLevel, the most any
// of those passes uses per level (the evaluator: under 1 KiB, measured), with
// kStackReserve kept for the libraries called at the leaves. On a query
// thread (64 MiB stack, base/stack.h) that is over 30,000 levels. ASan's
// redzones make each level several times larger.
inline constexpr size_t kStackBytesPerLevel = kAddressSanitizer ? 8 * 2048 : 2048;
inline constexpr size_t kStackReserve = size_t(512) << 10;

// The deepest tree that fits the calling thread's stack, as above.
int max_nesting_for_this_thread();

class Parser {
 public:
  Parser(std::string_view input, const ParseOptions& opts)
      : in_(input), opts_(opts), lexer_(input, opts.compat),
        max_height_(max_nesting_for_this_thread()) {}

  // `start: expr EOF`, then type checking. nullptr on error (see status()).
  ExprPtr parse_query();
  // `start: vector_selector EOF`, no type checking.
  std::unique_ptr<VectorSelector> parse_selector_query();

  absl::Status status() const;
  // The first error (parsing failed iff there is one).
  ParseError error() const {
    return error_ ? ParseError{error_->first, error_->second} : ParseError{0, "no error"};
  }

 private:
  bool v3() const { return opts_.compat == Compat::kV3; }

  // Tokens. peek() lexes on demand and records a lexing error.
  const Token& peek();
  Token consume();

  // Errors; only the first one is kept.
  bool failed() const { return error_.has_value(); }
  void add_error(int pos, std::string msg);
  // "unexpected <tok> in <context>, expected <expected>"; silent for kError.
  void unexpected(const Token& tok, std::string_view context, std::string_view expected);
  // A syntax error with no more specific rule: inside an aggregation it says
  // "in aggregation", otherwise nothing.
  void syntax_error(const Token& tok);

  // After an element of a comma-separated list closed by `close`: consumes
  // `close` (kClosed) or a comma (kComma); anything else is an error in
  // `context` (empty: a plain syntax error) expecting `expected`.
  enum class Sep { kClosed, kComma, kFailed };
  Sep list_separator(Tok close, std::string_view context, std::string_view expected);
  // Consumes `close` when it comes next. False also after a lexing error,
  // which the caller's next peek() reports.
  bool accept(Tok close);

  // parse_expr.cc
  ExprPtr parse_expr(int min_prec);
  ExprPtr parse_unary();
  ExprPtr parse_primary();
  ExprPtr parse_paren();
  bool parse_bin_modifiers(Binary* b);
  std::optional<double> parse_number(const Token& t);
  bool starts_expr(Tok t) const;
  // Records an error and returns false when `e` is higher than the limit.
  bool check_height(const Expr& e);
  int height(const Expr& e);

  // parse_call.cc
  ExprPtr parse_call(const Token& name);
  ExprPtr parse_aggregate(const Token& op);
  bool parse_call_body(std::vector<ExprPtr>* args);  // `( args )`

  // parse_modifiers.cc
  ExprPtr parse_postfix(ExprPtr e);
  bool parse_offset(Expr* e);
  bool parse_at(Expr* e);
  ExprPtr parse_range_or_subquery(ExprPtr e);
  // A duration (or, in v3, a number of seconds) in a range, step or offset.
  std::optional<int64_t> parse_duration_token(const Token& t, bool positive);

  // parse_selector.cc
  ExprPtr parse_vector_selector(const Token* name);
  bool parse_label_matchers(VectorSelector* vs);  // after `{`
  bool parse_grouping_labels(std::vector<std::string>* out);
  bool is_metric_identifier(Tok t) const;
  bool is_maybe_label(Tok t) const;

  std::string_view in_;
  ParseOptions opts_;
  Lexer lexer_;
  Token tok_;
  bool has_tok_ = false;
  int agg_depth_ = 0;
  // Nesting of parse_expr() calls and the height of the trees built, both
  // bounded so that hostile input cannot overflow the stack here or in the
  // recursive passes over the tree (checking, printing, destruction).
  int depth_ = 0;
  int max_height_;
  std::unordered_map<const Expr*, int> heights_;
  // End of the last `)`, `]`, `}`, number or duration read: where a node
  // extended by a modifier now ends.
  int last_closing_ = 0;
  std::optional<std::pair<int, std::string>> error_;
};

// check.cc: Prometheus' checkAST. Returns the first type error as
// (position, message), normalising the tree like Prometheus does.
std::optional<std::pair<int, std::string>> check_types(Expr& e, std::string_view query);

}  // namespace strata::promql::parser
