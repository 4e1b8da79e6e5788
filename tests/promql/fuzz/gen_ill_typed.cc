// Deliberately wrong pieces of queries: wrong argument types and counts,
// range vectors where instant vectors belong, modifiers where they are not
// allowed, invalid regexes and label names, plain syntax errors. The parser
// and type checker must refuse them with a bad_data error, never crash.
#include "tests/promql/fuzz/gen_impl.h"

namespace strata::promql::fuzz {

std::string QueryGenerator::Impl::ill_typed(int depth) {
  const int d = std::min(depth + 1, o_.max_depth);
  auto v = [&] { return vector_selector(); };
  auto m = [&] { return matrix_selector(); };
  static const char* kKinds[] = {
      "instant_for_range", "range_for_instant", "arg_count",     "string_arith",   "agg_scalar",
      "agg_param_type",    "set_group",         "bool_arith",    "scalar_cmp",     "subquery_of_range",
      "range_of_expr",     "offset_on_call",    "unknown_func",  "on_and_group",   "empty_matchers",
      "double_at",         "bad_regex",         "syntax",        "set_scalar",     "at_on_number",
      "double_offset",     "bad_duration",      "count_values_vector", "range_in_binary",
  };
  const std::string kind = kKinds[rng_.below(sizeof kKinds / sizeof kKinds[0])];
  count("ill:" + kind);
  const std::vector<const FuncSpec*> fs = usable_functions('v');
  std::vector<const FuncSpec*> takes_m, takes_v;
  for (const FuncSpec* f : fs) {
    if (std::string(f->args) == "m") takes_m.push_back(f);
    if (std::string(f->args) == "v") takes_v.push_back(f);
  }
  if (kind == "instant_for_range") return std::string(rng_.pick(takes_m)->name) + "(" + v() + ")";
  if (kind == "range_for_instant") return std::string(rng_.pick(takes_v)->name) + "(" + m() + ")";
  if (kind == "arg_count")
    return std::string(rng_.pick(takes_v)->name) + (rng_.chance(1, 2) ? "()" : "(" + v() + ", " + v() + ")");
  if (kind == "string_arith") return string_literal("a") + " + " + (rng_.chance(1, 2) ? number() : v());
  if (kind == "agg_scalar") return "sum(" + number() + ")";
  if (kind == "agg_param_type")
    return rng_.pick(std::vector<std::string>{"topk", "quantile", "bottomk"}) + "(" + v() + ", " + v() + ")";
  if (kind == "set_group") return v() + " and on(job) group_left " + v();
  if (kind == "bool_arith") return v() + " + bool " + v();
  if (kind == "scalar_cmp") return number() + " > " + number();
  if (kind == "subquery_of_range") return m() + "[10m:1m]";
  if (kind == "range_of_expr") return "(" + v() + " + 1)[5m]";
  if (kind == "offset_on_call") return "abs(" + v() + ") offset 5m";
  if (kind == "unknown_func") return "nonexistent_function(" + v() + ")";
  if (kind == "on_and_group") return v() + " * on(job) group_left(job) " + v();
  if (kind == "empty_matchers")
    return rng_.pick(std::vector<std::string>{"{job=~\".*\"}", "{job=\"\"}", "{}", "{job!~\".+\"}", "{__name__=~\".*\"}"});
  if (kind == "double_at") return metric() + " @ 100 @ 200";
  if (kind == "bad_regex") return metric() + "{job=~" + string_literal(rng_.pick(std::vector<std::string>{"(", "[a", "*", "a{2,1}", "\\"})) + "}";
  if (kind == "syntax") {
    const std::string e = expr(GenType::kVector, d);
    switch (rng_.below(6)) {
      case 0: return "sum(" + e;
      case 1: return e + " +";
      case 2: return e + ")";
      case 3: return e + " " + e;
      case 4: return "rate(" + metric() + "[5m)";
      default: return metric() + "{job=\"api\"";
    }
  }
  if (kind == "set_scalar") return v() + " " + rng_.pick(std::vector<std::string>{"and", "or", "unless"}) + " " + number();
  if (kind == "at_on_number") return number() + " @ 100";
  if (kind == "double_offset") return metric() + " offset 5m offset 1m";
  if (kind == "bad_duration") return metric() + "[" + rng_.pick(std::vector<std::string>{"0s", "5", "-5m", "5x", "1.5m"}) + "]";
  if (kind == "count_values_vector") return "count_values(" + v() + ", " + v() + ")";
  // range_in_binary: a range vector as an operand.
  return m() + " " + rng_.pick(std::vector<std::string>{"+", "and", ">"}) + " " + (rng_.chance(1, 2) ? number() : v());
}

}  // namespace strata::promql::fuzz
