// The query of a Prometheus template variable, split as Grafana's Prometheus
// datasource splits it (after substituting other variables):
//   label_names() / label_names(selector)   -> GET /api/v1/labels
//   label_values(label) / label_values(selector, label)
//   metrics(regex)                          -> metric names matching regex
//   query_result(expr)                      -> an instant query
//   anything else                           -> /api/v1/series?match[]=query
// so that the linter checks the part that goes to the server in the right
// grammar: a series selector, a regex or a PromQL expression.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::dashlint {

enum class VariableQueryKind { kLabelNames, kLabelValues, kMetrics, kQueryResult, kSeries };

struct VariableQuery {
  VariableQueryKind kind = VariableQueryKind::kSeries;
  // The argument checked (selector, regex or expression) as [start, end) of
  // the query text; empty when there is none (label_values(job)).
  int arg_start = 0;
  int arg_end = 0;
  std::string label;  // label_values' label
};

// Never fails: text no function matches is a series selector. Leading and
// trailing blanks are ignored.
VariableQuery parse_variable_query(std::string_view q);

}  // namespace strata::dashlint
