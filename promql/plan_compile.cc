#include "promql/plan_compile.h"

#include <algorithm>

#include "base/status.h"
#include "promql/functions.h"
#include "promql/parser/functions.h"
#include "promql/parser/parser.h"

namespace strata::promql {
namespace {

void set_at(PlanNode& n, const parser::AtModifier& at) {
  n.at = at.kind;
  n.at_ms = at.timestamp_ms;
}

void set_selector(PlanNode& n, const parser::VectorSelector& vs) {
  n.matchers = vs.matchers;
  n.metric_name = vs.name;
  for (const auto& m : vs.matchers) {
    if (m.name() == tsdb::kMetricName && m.type() == tsdb::MatchType::kEqual) n.metric_name = m.value();
  }
  n.offset_ms = vs.offset_ms;
  set_at(n, vs.at);
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlanNode>> compile_plan(const parser::Expr& e) {
  using K = parser::Kind;
  // Parentheses and unary plus change nothing at evaluation time.
  if (e.kind == K::kParen) return compile_plan(*e.as<parser::Paren>().expr);
  if (e.kind == K::kUnary && e.as<parser::Unary>().op == parser::UnaryOp::kPlus)
    return compile_plan(*e.as<parser::Unary>().expr);
  // Appends the compiled sub-expression `x` to n->args.
  auto add_arg = [](PlanNode& n, const parser::Expr& x) -> absl::Status {
    STRATA_ASSIGN_OR_RETURN(auto arg, compile_plan(x));
    n.args.push_back(std::move(arg));
    return absl::OkStatus();
  };

  auto n = std::make_unique<PlanNode>();
  n->pos = size_t(e.pos.start);
  n->end = size_t(e.pos.end);
  n->type = parser::type_of(e);
  switch (e.kind) {
    case K::kNumberLiteral:
      n->kind = PlanNode::Kind::kNumber;
      n->number = e.as<parser::NumberLiteral>().value;
      break;
    case K::kStringLiteral:
      n->kind = PlanNode::Kind::kString;
      n->str = e.as<parser::StringLiteral>().value;
      break;
    case K::kVectorSelector:
      n->kind = PlanNode::Kind::kVectorSelector;
      set_selector(*n, e.as<parser::VectorSelector>());
      break;
    case K::kMatrixSelector: {
      const auto& ms = e.as<parser::MatrixSelector>();
      n->kind = PlanNode::Kind::kMatrixSelector;
      set_selector(*n, *ms.selector);
      n->range_ms = ms.range_ms;
      break;
    }
    case K::kSubquery: {
      const auto& sq = e.as<parser::Subquery>();
      n->kind = PlanNode::Kind::kSubquery;
      n->range_ms = sq.range_ms;
      n->step_ms = sq.step_ms;
      n->offset_ms = sq.offset_ms;
      set_at(*n, sq.at);
      STRATA_RETURN_IF_ERROR(add_arg(*n, *sq.expr));
      break;
    }
    case K::kCall: {
      const auto& c = e.as<parser::Call>();
      n->kind = PlanNode::Kind::kCall;
      n->fn = function_impl(c.func->id);
      if (!n->fn)
        return absl::UnimplementedError("function \"" + std::string(c.func->name) +
                                        "\" is not supported");
      for (const auto& a : c.args) STRATA_RETURN_IF_ERROR(add_arg(*n, *a));
      break;
    }
    case K::kAggregate: {
      const auto& a = e.as<parser::Aggregate>();
      n->kind = PlanNode::Kind::kAggregate;
      n->agg = a.op;
      n->grouping = sorted_unique(a.grouping);
      n->without = a.without;
      if (a.param) STRATA_RETURN_IF_ERROR(add_arg(*n, *a.param));
      STRATA_RETURN_IF_ERROR(add_arg(*n, *a.expr));
      break;
    }
    case K::kBinary: {
      const auto& b = e.as<parser::Binary>();
      n->kind = PlanNode::Kind::kBinary;
      n->op = b.op;
      n->return_bool = b.return_bool;
      if (b.matching) {
        n->matching.card = b.matching->card;
        n->matching.on = b.matching->on;
        n->matching.labels = sorted_unique(b.matching->matching_labels);
        n->matching.include = b.matching->include;
      }
      STRATA_RETURN_IF_ERROR(add_arg(*n, *b.lhs));
      STRATA_RETURN_IF_ERROR(add_arg(*n, *b.rhs));
      break;
    }
    case K::kUnary:
      n->kind = PlanNode::Kind::kUnaryMinus;
      STRATA_RETURN_IF_ERROR(add_arg(*n, *e.as<parser::Unary>().expr));
      break;
    case K::kParen:
      break;  // handled above
  }
  return n;
}

absl::StatusOr<std::unique_ptr<PlanNode>> compile_query(std::string_view query,
                                                        const EngineOptions& opts) {
  auto expr = parser::parse_expr(query, parser::options_for(opts));
  if (!expr.ok()) return expr.status();
  return compile_plan(**expr);
}

}  // namespace strata::promql
