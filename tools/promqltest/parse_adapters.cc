// The runner's use of the PromQL front end: series lines and the `@` rewrite.
#include <set>

#include "promql/parser/ast.h"
#include "promql/parser/functions.h"
#include "promql/parser/parser.h"
#include "promql/parser/printer.h"
#include "promql/parser/series_desc.h"
#include "tools/promqltest/runner.h"

namespace strata::promqltest {

bool uses_query_bounds(const std::string& query) {
  for (const char* f : {"start()", "end()", "range()", "step()"})
    if (query.find(f) != std::string::npos) return true;
  return false;
}

absl::StatusOr<std::optional<std::string>> with_at_modifiers(const std::string& query,
                                                             int64_t t_ms) {
  namespace p = promql::parser;
  p::ParseOptions opts;
  opts.experimental_functions = true;
  auto expr = p::parse_expr(query, opts);
  if (!expr.ok()) return std::optional<std::string>();  // fails anyway; nothing to vary
  // Functions whose value depends on the evaluation time make @ variants differ.
  static const std::set<std::string_view> kTimeDependent = {
      "time", "timestamp", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
      "hour", "minute", "month", "year", "predict_linear"};
  bool time_dependent = false;
  p::walk(**expr, [&](const p::Expr& e) {
    if (const auto* c = e.dyn<p::Call>(); c && kTimeDependent.count(c->func->name))
      time_dependent = true;
  });
  if (time_dependent) return std::optional<std::string>();
  // Like Prometheus' runner: pin every selector and subquery without a fixed
  // timestamp (`@ start()`/`@ end()` count as none); below a subquery, which
  // then has one, nothing is changed.
  auto unpinned = [](const p::AtModifier& at) { return at.kind != p::AtKind::kTimestamp; };
  std::function<void(p::Expr&)> pin = [&](p::Expr& e) {
    if (auto* vs = e.dyn<p::VectorSelector>()) {
      if (unpinned(vs->at)) vs->at = {p::AtKind::kTimestamp, t_ms};
      return;
    }
    if (auto* ms = e.dyn<p::MatrixSelector>()) {
      if (unpinned(ms->selector->at)) ms->selector->at = {p::AtKind::kTimestamp, t_ms};
      return;
    }
    if (auto* sq = e.dyn<p::Subquery>()) {
      if (unpinned(sq->at)) sq->at = {p::AtKind::kTimestamp, t_ms};
      return;
    }
    for (p::Expr* c : p::children(e)) pin(*c);
  };
  pin(**expr);
  return std::optional<std::string>(p::to_string(**expr));
}

}  // namespace strata::promqltest
