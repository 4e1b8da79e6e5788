// Aggregations, binary operators and unary minus over evaluated operands.
#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "base/float_format.h"
#include "promql/evaluator.h"

namespace strata::promql {

absl::StatusOr<Evaluator::Result> Evaluator::eval_aggregate(const PlanNode& n, const Grid& g) {
  // args: [param,] expr
  std::vector<double> param;
  const PlanNode* expr = n.args.back().get();
  if (n.args.size() == 2) {
    if (n.agg == AggOp::kCountValues) {
      // The parameter is the output label name.
    } else {
      auto p = eval(*n.args[0], g);
      if (!p.ok()) return p.status();
      param = std::move(p->scalar);
    }
  }
  auto in = eval(*expr, g);
  if (!in.ok()) return in.status();
  AggSpec spec;
  spec.op = n.agg;
  spec.grouping = n.grouping;
  spec.without = n.without;
  spec.param = param.empty() ? nullptr : &param;
  spec.v3 = v3();
  if (n.agg == AggOp::kCountValues) {
    spec.count_values_label = n.args[0]->str;
    bool ok = v3() ? !spec.count_values_label.empty() && tsdb::is_valid_utf8(spec.count_values_label)
                   : tsdb::is_valid_label_name(spec.count_values_label);
    if (!ok) return absl::UnknownError("invalid label name \"" + spec.count_values_label + "\"");
  }
  if (n.agg == AggOp::kQuantile) {
    for (double phi : param) {
      if (phi < 0 || phi > 1 || std::isnan(phi)) {
        std::string got;
        append_float_go_g(&got, phi);
        annos_.warn("quantile value should be between 0 and 1, got " + got, opts_.query, n.args[0]->pos);
        break;
      }
    }
  }
  if (n.agg == AggOp::kTopk || n.agg == AggOp::kBottomk || n.agg == AggOp::kLimitk) {
    for (double k : param) {
      if (std::isnan(k) && v3()) return absl::UnknownError("Parameter value is NaN");
      if (std::isnan(k) || k > 9.223372036854775807e18 || k < -9.223372036854775808e18) {
        std::string v;
        append_float_go_g(&v, k);
        return absl::UnknownError("Scalar value " + v + " overflows int64");
      }
    }
  }
  size_t before = 0;
  for (const auto& s : in->vec) before += s.v.size();
  // Delayed name removal: aggregations that build new label sets do not carry
  // __name__; topk-like ones keep each input's pending flag.
  auto out = aggregate(spec, std::move(in->vec), g);
  if (!out.ok()) return out.status();
  release(before);
  Result r;
  r.vec = std::move(*out);
  size_t after = 0;
  for (const auto& s : r.vec) after += s.v.size();
  if (auto st = charge(after); !st.ok()) return st;
  return r;
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_binary(const PlanNode& n, const Grid& g) {
  // `a op b op c ...` is a left-deep tree as deep as the chain is long
  // (tools generate thousands of `or`s): its left spine is walked in a loop,
  // so only the right operands recurse.
  std::vector<const PlanNode*> spine{&n};
  while (spine.back()->args[0]->kind == PlanNode::Kind::kBinary)
    spine.push_back(spine.back()->args[0].get());
  auto acc = eval(*spine.back()->args[0], g);
  if (!acc.ok()) return acc.status();
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    auto rhs = eval(*(*it)->args[1], g);
    if (!rhs.ok()) return rhs.status();
    auto res = apply_binary(**it, std::move(*acc), std::move(*rhs), g);
    if (!res.ok()) return res.status();
    *acc = std::move(*res);
  }
  return acc;
}

absl::StatusOr<Evaluator::Result> Evaluator::apply_binary(const PlanNode& n, Result lhs,
                                                          Result rhs, const Grid& g) {
  Result* l = &lhs;
  Result* rr = &rhs;
  Result r;
  bool late = opts_.delayed_name_removal;
  if (l->kind == ValueKind::kScalar && rr->kind == ValueKind::kScalar) {
    r.kind = ValueKind::kScalar;
    r.scalar.resize(g.n);
    for (size_t i = 0; i < g.n; ++i) {
      bool keep;
      double v = apply_scalar_op(n.op, l->scalar[i], rr->scalar[i], &keep);
      r.scalar[i] = parser::is_comparison(n.op) ? (keep ? 1 : 0) : v;
    }
    return r;
  }
  size_t before = 0;
  for (const Result* side : {l, rr})
    for (const StepSeries& s : side->vec) before += s.v.size();
  if (l->kind == ValueKind::kScalar || rr->kind == ValueKind::kScalar) {
    bool scalar_left = l->kind == ValueKind::kScalar;
    r.vec = vector_scalar_binop(n.op, std::move(scalar_left ? rr->vec : l->vec),
                                scalar_left ? l->scalar : rr->scalar, scalar_left, n.return_bool,
                                late, !v3());
  } else {
    auto out = vector_binop(n.op, std::move(l->vec), std::move(rr->vec), n.matching,
                            n.return_bool, late, g, !v3());
    if (!out.ok()) return out.status();
    r.vec = std::move(*out);
  }
  // The operands are gone; the result is what is held now.
  release(before);
  size_t after = 0;
  for (const StepSeries& s : r.vec) after += s.v.size();
  if (auto st = charge(after); !st.ok()) return st;
  if (auto st = dedupe(r.vec, g); !st.ok()) return st;
  return r;
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_unary_minus(const PlanNode& n, const Grid& g) {
  auto in = eval(*n.args[0], g);
  if (!in.ok()) return in.status();
  if (in->kind == ValueKind::kScalar) {
    for (double& v : in->scalar) v = -v;
    return in;
  }
  for (StepSeries& s : in->vec) {
    for (double& v : s.v) {
      if (!is_absent(v)) v = -v;
    }
    drop_name(s);
  }
  // Prometheus 2.x negates the whole matrix and refuses it if two series
  // share a label set at all, even where they never overlap in time.
  if (auto st = dedupe(in->vec, g, matrix_rule()); !st.ok()) return st;
  return in;
}

}  // namespace strata::promql
