#include "promql/parser/ast.h"

#include "promql/parser/functions.h"

namespace strata::promql::parser {

std::string_view documented_type(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
    case ValueType::kNone: return "none";
  }
  return "none";
}

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "vector";
    case ValueType::kMatrix: return "matrix";
    case ValueType::kString: return "string";
    case ValueType::kNone: return "none";
  }
  return "none";
}

std::string_view op_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kPow: return "^";
    case BinaryOp::kAtan2: return "atan2";
    case BinaryOp::kEql: return "==";
    case BinaryOp::kNeq: return "!=";
    case BinaryOp::kGtr: return ">";
    case BinaryOp::kLss: return "<";
    case BinaryOp::kGte: return ">=";
    case BinaryOp::kLte: return "<=";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kUnless: return "unless";
  }
  return "?";
}

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::kEql || op == BinaryOp::kNeq || op == BinaryOp::kGtr ||
         op == BinaryOp::kLss || op == BinaryOp::kGte || op == BinaryOp::kLte;
}

bool is_set_operator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

std::string_view op_string(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum: return "sum";
    case AggregateOp::kAvg: return "avg";
    case AggregateOp::kCount: return "count";
    case AggregateOp::kMin: return "min";
    case AggregateOp::kMax: return "max";
    case AggregateOp::kGroup: return "group";
    case AggregateOp::kStddev: return "stddev";
    case AggregateOp::kStdvar: return "stdvar";
    case AggregateOp::kTopk: return "topk";
    case AggregateOp::kBottomk: return "bottomk";
    case AggregateOp::kCountValues: return "count_values";
    case AggregateOp::kQuantile: return "quantile";
    case AggregateOp::kLimitk: return "limitk";
    case AggregateOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

bool has_param(AggregateOp op) {
  return op == AggregateOp::kTopk || op == AggregateOp::kBottomk ||
         op == AggregateOp::kCountValues || op == AggregateOp::kQuantile ||
         op == AggregateOp::kLimitk || op == AggregateOp::kLimitRatio;
}

ValueType type_of(const Expr& e) {
  switch (e.kind) {
    case Kind::kNumberLiteral: return ValueType::kScalar;
    case Kind::kStringLiteral: return ValueType::kString;
    case Kind::kVectorSelector: return ValueType::kVector;
    case Kind::kMatrixSelector: return ValueType::kMatrix;
    case Kind::kSubquery: return ValueType::kMatrix;
    case Kind::kCall: {
      const Function* f = e.as<Call>().func;
      return f ? f->return_type : ValueType::kNone;
    }
    case Kind::kAggregate: return ValueType::kVector;
    case Kind::kBinary: {
      const auto& b = e.as<Binary>();
      return type_of(*b.lhs) == ValueType::kScalar && type_of(*b.rhs) == ValueType::kScalar
                 ? ValueType::kScalar
                 : ValueType::kVector;
    }
    case Kind::kUnary: return type_of(*e.as<Unary>().expr);
    case Kind::kParen: return type_of(*e.as<Paren>().expr);
  }
  return ValueType::kNone;
}

namespace {

std::unique_ptr<VectorSelector> clone_selector(const VectorSelector& s) {
  auto o = std::make_unique<VectorSelector>();
  o->pos = s.pos;
  o->name = s.name;
  o->matchers = s.matchers;
  o->offset_ms = s.offset_ms;
  o->at = s.at;
  return o;
}

}  // namespace

ExprPtr clone(const Expr& e) {
  ExprPtr out;
  switch (e.kind) {
    case Kind::kNumberLiteral: {
      auto o = std::make_unique<NumberLiteral>();
      o->value = e.as<NumberLiteral>().value;
      o->is_duration = e.as<NumberLiteral>().is_duration;
      out = std::move(o);
      break;
    }
    case Kind::kStringLiteral: {
      auto o = std::make_unique<StringLiteral>();
      o->value = e.as<StringLiteral>().value;
      out = std::move(o);
      break;
    }
    case Kind::kVectorSelector:
      out = clone_selector(e.as<VectorSelector>());
      break;
    case Kind::kMatrixSelector: {
      const auto& m = e.as<MatrixSelector>();
      auto o = std::make_unique<MatrixSelector>();
      o->selector = clone_selector(*m.selector);
      o->range_ms = m.range_ms;
      out = std::move(o);
      break;
    }
    case Kind::kSubquery: {
      const auto& s = e.as<Subquery>();
      auto o = std::make_unique<Subquery>();
      o->expr = clone(*s.expr);
      o->range_ms = s.range_ms;
      o->step_ms = s.step_ms;
      o->offset_ms = s.offset_ms;
      o->at = s.at;
      out = std::move(o);
      break;
    }
    case Kind::kCall: {
      const auto& c = e.as<Call>();
      auto o = std::make_unique<Call>();
      o->func = c.func;
      for (const auto& a : c.args) o->args.push_back(clone(*a));
      out = std::move(o);
      break;
    }
    case Kind::kAggregate: {
      const auto& a = e.as<Aggregate>();
      auto o = std::make_unique<Aggregate>();
      o->op = a.op;
      o->expr = clone(*a.expr);
      if (a.param) o->param = clone(*a.param);
      o->grouping = a.grouping;
      o->without = a.without;
      out = std::move(o);
      break;
    }
    case Kind::kBinary: {
      const auto& b = e.as<Binary>();
      auto o = std::make_unique<Binary>();
      o->op = b.op;
      o->lhs = clone(*b.lhs);
      o->rhs = clone(*b.rhs);
      o->return_bool = b.return_bool;
      o->matching = b.matching;
      out = std::move(o);
      break;
    }
    case Kind::kUnary: {
      auto o = std::make_unique<Unary>();
      o->op = e.as<Unary>().op;
      o->expr = clone(*e.as<Unary>().expr);
      out = std::move(o);
      break;
    }
    case Kind::kParen: {
      auto o = std::make_unique<Paren>();
      o->expr = clone(*e.as<Paren>().expr);
      out = std::move(o);
      break;
    }
  }
  out->pos = e.pos;
  return out;
}

std::vector<Expr*> children(Expr& e) {
  std::vector<Expr*> out;
  switch (e.kind) {
    case Kind::kNumberLiteral:
    case Kind::kStringLiteral:
    case Kind::kVectorSelector:
      break;
    case Kind::kMatrixSelector: out.push_back(e.as<MatrixSelector>().selector.get()); break;
    case Kind::kSubquery: out.push_back(e.as<Subquery>().expr.get()); break;
    case Kind::kCall:
      for (auto& a : e.as<Call>().args) out.push_back(a.get());
      break;
    case Kind::kAggregate:
      if (e.as<Aggregate>().param) out.push_back(e.as<Aggregate>().param.get());
      out.push_back(e.as<Aggregate>().expr.get());
      break;
    case Kind::kBinary:
      out.push_back(e.as<Binary>().lhs.get());
      out.push_back(e.as<Binary>().rhs.get());
      break;
    case Kind::kUnary: out.push_back(e.as<Unary>().expr.get()); break;
    case Kind::kParen: out.push_back(e.as<Paren>().expr.get()); break;
  }
  return out;
}

std::vector<const Expr*> children(const Expr& e) {
  std::vector<const Expr*> out;
  for (Expr* c : children(const_cast<Expr&>(e))) out.push_back(c);
  return out;
}

}  // namespace strata::promql::parser
