#include "tests/promql/fuzz/query_generator.h"

#include <algorithm>
#include <cstdio>

#include "tests/promql/fuzz/gen_impl.h"

namespace strata::promql::fuzz {
namespace {

std::string seconds(int64_t ms) {
  char buf[48];
  if (ms % 1000 == 0) std::snprintf(buf, sizeof buf, "%lld", (long long)(ms / 1000));
  else std::snprintf(buf, sizeof buf, "%.3f", double(ms) / 1000);
  return buf;
}

// Operators by family; set operators only between two vectors.
const std::vector<std::string> kArith = {"+", "-", "*", "/", "%", "^", "atan2"};
const std::vector<std::string> kCompare = {"==", "!=", ">", "<", ">=", "<="};
const std::vector<std::string> kSet = {"and", "or", "unless"};

}  // namespace

std::string EvalSpec::describe() const {
  if (!range) return "instant at " + seconds(t_ms);
  return "range " + seconds(start_ms) + " .. " + seconds(end_ms) + " step " + seconds(step_ms);
}

QueryGenerator::QueryGenerator(FuzzSchema schema, GenOptions opts)
    : schema_(std::move(schema)), opts_(opts) {}

GeneratedQuery QueryGenerator::generate(uint64_t seed, uint64_t index) {
  Impl impl(schema_, opts_, &coverage_, FuzzRng::derive(seed, index));
  return impl.query();
}

GeneratedQuery QueryGenerator::Impl::query() {
  GeneratedQuery q;
  budget_ = o_.subquery_budget;
  min_sub_step_ms_ = 0;
  pending_ill_ = rng_.chance(uint64_t(o_.ill_typed_percent), 100);
  q.ill_typed = pending_ill_;
  // Mostly vectors (what dashboards ask), some scalars, a few top-level range
  // vectors (instant queries only; a range query of one is an error) and strings.
  const size_t k = rng_.weighted({78, 12, 7, 3});
  q.type = k == 0 ? GenType::kVector : k == 1 ? GenType::kScalar : k == 2 ? GenType::kMatrix : GenType::kString;
  if (q.type == GenType::kString) {
    q.text = string_literal(rng_.pick(std::vector<std::string>{"foo", "", "a\"b", "ü"}));
    count("top:string");
  } else {
    q.text = expr(q.type, 0);
  }
  if (pending_ill_) q.text = ill_typed(0);  // nothing was planted on the way down
  if (q.ill_typed) count("ill_typed");
  q.eval = eval_spec(q.type);
  if (o_.prometheus_242 && q.eval.range && min_sub_step_ms_ > 0) {
    // A range query evaluates a subquery over one grid at the subquery's
    // step from start to end. Strata charges every point of that grid
    // against --query.max-samples (it allocates them); Prometheus counts
    // only points with a value, so a fine step over a long, mostly empty
    // range can be 422 on Strata only (README, "Limits"). Keep the grid short
    // enough that all series of the dataset fit in the default budget.
    constexpr int64_t kMaxInnerPoints = 500'000;
    const int64_t max_span = kMaxInnerPoints * min_sub_step_ms_;
    if (q.eval.end_ms - q.eval.start_ms > max_span)
      q.eval.end_ms = q.eval.start_ms + max_span / q.eval.step_ms * q.eval.step_ms;
  }
  count(q.eval.range ? "eval:range" : "eval:instant");
  return q;
}

std::string QueryGenerator::Impl::expr(GenType t, int depth) {
  // Plant the pending ill-typed node somewhere on the way down, not always at the top.
  if (pending_ill_ && (depth >= o_.max_depth - 1 || rng_.chance(1, 3))) {
    pending_ill_ = false;
    return ill_typed(depth);
  }
  switch (t) {
    case GenType::kScalar: return scalar_expr(depth);
    case GenType::kVector: return vector_expr(depth);
    case GenType::kMatrix: return matrix_expr(depth);
    case GenType::kString: return string_literal("x");
  }
  return "";
}

std::string QueryGenerator::Impl::vector_expr(int depth) {
  if (depth >= o_.max_depth) {
    if (rng_.chance(1, 12)) {
      count("call:vector");
      return "vector(" + number() + ")";
    }
    return vector_selector();
  }
  switch (rng_.weighted({26, 24, 18, 20, 4, 4, 4})) {
    case 0: return vector_selector();
    case 1: return call(GenType::kVector, depth);
    case 2: return aggregate(depth);
    case 3: return binary(GenType::kVector, depth);
    case 4: count("unary"); return (rng_.chance(5, 6) ? "-" : "+") + expr(GenType::kVector, depth + 1);
    case 5: count("paren"); return paren(expr(GenType::kVector, depth + 1));
    default:
      // Number literals turned vectors: every series gets the same labels ({}).
      count("call:vector");
      return "vector(" + expr(GenType::kScalar, depth + 1) + ")";
  }
}

std::string QueryGenerator::Impl::scalar_expr(int depth) {
  if (depth >= o_.max_depth) {
    count("number");
    return number();
  }
  switch (rng_.weighted({45, 10, 5, 2, 20, 6, 6, 6})) {
    case 0: count("number"); return number();
    case 1: count("call:scalar"); return "scalar(" + expr(GenType::kVector, depth + 1) + ")";
    case 2: count("call:time"); return "time()";
    case 3: count("call:pi"); return "pi()";
    case 4: return binary(GenType::kScalar, depth);
    case 5: count("unary"); return "-" + expr(GenType::kScalar, depth + 1);
    case 6: count("paren"); return paren(expr(GenType::kScalar, depth + 1));
    default: return call(GenType::kScalar, depth);
  }
}

std::string QueryGenerator::Impl::matrix_expr(int depth) {
  const size_t k = rng_.weighted({68, budget_ >= 2 && depth < o_.max_depth ? 27 : 0, 5});
  if (k == 1) return subquery(depth);
  if (k == 2) {
    // A parenthesised range selector is still a range vector for functions.
    // Prometheus 2.42 fails `(x[5m] @ t)` with "unexpected number of samples"
    // (known_differences_generated.txt): not generated for it.
    const std::string m = matrix_selector();
    if (o_.prometheus_242 && m.find(" @ ") != std::string::npos) return m;
    count("paren");
    return paren(m);
  }
  return matrix_selector();
}

std::string QueryGenerator::Impl::binary(GenType t, int depth) {
  auto operand = [&](GenType ot) {
    std::string s = expr(ot, depth + 1);
    return rng_.chance(6, 10) ? paren(s) : s;  // sometimes leave it to precedence
  };
  if (t == GenType::kScalar) {
    const bool cmp = rng_.chance(1, 4);
    const std::string op = cmp ? rng_.pick(kCompare) : rng_.pick(kArith);
    count("bin:" + op);
    // Between two scalars a comparison must say `bool`.
    return operand(GenType::kScalar) + " " + op + (cmp ? " bool " : " ") + operand(GenType::kScalar);
  }
  const size_t shape = rng_.weighted({55, 25, 20});  // v op v, v op s, s op v
  const size_t family = rng_.weighted({50, 35, shape == 0 ? 15 : 0});
  const std::string op = family == 0 ? rng_.pick(kArith) : family == 1 ? rng_.pick(kCompare) : rng_.pick(kSet);
  count("bin:" + op);
  std::string mod;
  if (family == 1 && rng_.chance(1, 2)) {
    mod += " bool";
    count("bool");
  }
  if (shape != 0) {
    if (shape == 1) return operand(GenType::kVector) + " " + op + mod + " " + operand(GenType::kScalar);
    return operand(GenType::kScalar) + " " + op + mod + " " + operand(GenType::kVector);
  }
  // Vector matching: on/ignoring, then group_left/group_right (not for set operators).
  std::vector<std::string> on_labels;
  if (rng_.chance(1, 2)) {
    const bool on = rng_.chance(1, 2);
    count(on ? "on" : "ignoring");
    const int n = int(rng_.below(3));
    for (int i = 0; i < n; ++i) {
      std::string l = label_name(true);
      if (std::find(on_labels.begin(), on_labels.end(), l) == on_labels.end()) on_labels.push_back(l);
    }
    std::string list;
    for (const std::string& l : on_labels) list += (list.empty() ? "" : ", ") + l;
    mod += std::string(on ? " on(" : " ignoring(") + list + ")";
    if (family != 2 && rng_.chance(3, 10)) {
      const bool left = rng_.chance(1, 2);
      count(left ? "group_left" : "group_right");
      std::string extra;
      if (rng_.chance(1, 2)) {
        std::string l = label_name();
        // A label may not be in on(...) and group_x(...) at once.
        if (!on || std::find(on_labels.begin(), on_labels.end(), l) == on_labels.end()) extra = l;
      }
      mod += std::string(left ? " group_left" : " group_right") + (extra.empty() && rng_.chance(1, 2) ? "" : "(" + extra + ")");
    }
  }
  return operand(GenType::kVector) + " " + op + mod + " " + operand(GenType::kVector);
}

EvalSpec QueryGenerator::Impl::eval_spec(GenType t) {
  EvalSpec e;
  const int64_t S = o_.data_start_ms, E = o_.data_end_ms, m = 60'000;
  e.range = t != GenType::kMatrix && t != GenType::kString ? rng_.chance(1, 2) : rng_.chance(1, 10);
  if (!e.range) {
    switch (rng_.weighted({20, 8, 8, 30, 24, 5, 5})) {
      case 0: e.t_ms = E; break;
      case 1: e.t_ms = S; break;
      case 2: e.t_ms = E + 5 * m; break;  // exactly one lookback delta after the data
      case 3: e.t_ms = S + int64_t(rng_.below(uint64_t((E - S) / kFuzzStepMs + 1))) * kFuzzStepMs; break;
      case 4: e.t_ms = rng_.between(S - 10 * m, E + 10 * m); break;
      case 5: e.t_ms = S + (E - S) / 2 + rng_.between(-2, 2); break;  // just off the grid
      default: e.t_ms = S - 1; break;
    }
    return e;
  }
  static const std::vector<int64_t> kSteps = {1, 7, 100, 333, 1000, 5000, 15000, 15000, 30000, 60000, 60000, 120000, 300000};
  e.step_ms = rng_.pick(kSteps);
  const int64_t points = rng_.between(1, o_.max_range_points);
  e.start_ms = rng_.chance(1, 2) ? S + int64_t(rng_.below(uint64_t((E - S) / kFuzzStepMs + 1))) * kFuzzStepMs
                                 : rng_.between(S - 10 * m, E + 5 * m);
  if (e.step_ms * points > E - S + 20 * m) e.start_ms = S - 10 * m;
  e.end_ms = e.start_ms + (points - 1) * e.step_ms + (rng_.chance(1, 4) ? int64_t(rng_.below(uint64_t(e.step_ms))) : 0);
  return e;
}

}  // namespace strata::promql::fuzz
