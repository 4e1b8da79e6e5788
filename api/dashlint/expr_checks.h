// The checks of one parsed PromQL expression that need no server: what a
// reviewer catches by reading the query (histogram_quantile over an
// aggregation that drops `le`, rate() windows too short for the scrape
// interval unless they come from $__rate_interval, rate() over an aggregated
// subquery, multi-value variables inside `=` matchers), and the facts the
// server checks need (metric names, the metrics under rate()).
//
// Positions: the expression was parsed from `interp.text` starting at byte
// `offset` (query_result(...) holds its expression inside), so an AST
// position p is interp.text[offset + p].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "promql/parser/ast.h"
#include "api/dashlint/finding.h"
#include "api/dashlint/interpolate.h"

namespace strata::dashlint {

struct ExprIssue {
  Severity severity;
  Check check;
  std::string message;
};

std::vector<ExprIssue> check_expr(const promql::parser::Expr& root, const Interpolated& interp,
                                  int offset, int64_t scrape_interval_ms);

// A multi-value or include-All variable substituted inside a `="..."` or
// `!="..."` matcher: Grafana writes `(a|b)` there, which `=` compares
// literally. Works on the text, so it also finds it in selectors of variable
// queries.
std::vector<ExprIssue> check_multi_value_equality(const Interpolated& interp);

// Metric names the expression selects by name (`foo`, `{__name__="foo"}`).
std::vector<std::string> metric_names(const promql::parser::Expr& root);

// Metric names selected directly under rate(), increase() or irate(), with
// the function's name.
struct CounterUse {
  std::string metric;
  std::string function;
};
std::vector<CounterUse> counter_uses(const promql::parser::Expr& root);

}  // namespace strata::dashlint
