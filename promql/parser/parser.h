// Entry points of the PromQL front end: queries (parse_expr), `match[]`
// selectors (parse_metric_selector). Printing is in printer.h, durations in
// duration.h, promqltest series lines in series_desc.h.
//
// Errors are absl::InvalidArgumentError whose message is exactly Prometheus'
// (2.42 in Compat::kV2 mode): "<line>:<col>: parse error: <msg>", where col is
// the 1-based byte column of the offending position. Like Prometheus, only the
// first error is reported. All functions are thread-safe and never throw.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "promql/parser/ast.h"
#include "promql/parser/compat.h"
#include "tsdb/labels/matcher.h"

namespace strata::promql::parser {

struct ParseOptions {
  // kV3: quoted UTF-8 metric and label names (`{"my.metric", "a.b"="c"}`),
  // durations as numbers and numbers as durations (`x[90]`, `5m * 2`), `_`
  // digit separators, limitk/limit_ratio, the 3.x function table, `.` in
  // regexes matching newlines. kV2: Prometheus 2.42 exactly.
  Compat compat = Compat::kV3;
  // Accept experimental functions (double_exponential_smoothing,
  // sort_by_label, mad_over_time, limitk, ...); otherwise they are rejected
  // with Prometheus' message.
  bool experimental_functions = false;
};

// The parse options matching an engine configuration (promql::EngineOptions or
// anything with `compat` and `experimental_functions` members). A template so
// the parser does not depend on the engine.
template <typename EngineOpts>
ParseOptions options_for(const EngineOpts& o) {
  return ParseOptions{o.compat, o.experimental_functions};
}

// Parses and type-checks a PromQL expression.
absl::StatusOr<ExprPtr> parse_expr(std::string_view query, const ParseOptions& opts = {});

// The first error of a parse as data (what Prometheus' ParseErr holds): the
// byte offset into the query and the message without the position prefix.
// format_parse_error(query, pos, message) is the text parse_expr() returns.
struct ParseError {
  int pos = 0;
  std::string message;
};
template <typename T>
using ParseResult = std::variant<T, ParseError>;

// parse_expr() and parse_metric_selector() with a typed error, for callers
// that place the error themselves (the dashboard linter maps it back to the
// expression as written, before template variables were substituted).
ParseResult<ExprPtr> parse_expr_detailed(std::string_view query, const ParseOptions& opts = {});
ParseResult<tsdb::Matchers> parse_metric_selector_detailed(std::string_view text,
                                                           const ParseOptions& opts = {});

// Parses a series selector as used by `match[]` (`up`, `{job="a"}`,
// `foo{a=~"b"}`) into its matchers, `__name__` included. Like Prometheus'
// ParseMetricSelector it does not reject selectors without a non-empty
// matcher; the caller decides.
absl::StatusOr<tsdb::Matchers> parse_metric_selector(std::string_view text,
                                                     const ParseOptions& opts = {});

// Prometheus' ParseErr.Error() for an error at byte offset `pos` of `query`.
std::string format_parse_error(std::string_view query, int pos, std::string_view msg);

}  // namespace strata::promql::parser
