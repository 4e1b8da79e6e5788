// Type checking after a successful parse: Prometheus' checkAST, with its
// messages, its traversal order (which decides the first error) and its two
// normalisations (set operators become many-to-many; vector matching is
// dropped when a side is not an instant vector).
#include <set>

#include "promql/parser/functions.h"
#include "promql/parser/go_format.h"
#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view query) : q_(query) {}

  ValueType check(Expr& e);
  std::optional<std::pair<int, std::string>> error;

 private:
  void add(int pos, std::string msg) {
    if (!error) error.emplace(pos, std::move(msg));
  }
  void expect(Expr& e, ValueType want, const std::string& context) {
    ValueType t = check(e);
    if (t != want) {
      add(e.pos.start, "expected type " + std::string(documented_type(want)) + " in " + context +
                           ", got " + std::string(documented_type(t)));
    }
  }
  // The operator's position: after the left operand, skipping whitespace.
  int op_pos(const Binary& b) const {
    int p = b.lhs->pos.end;
    while (p < int(q_.size()) &&
           (q_[p] == ' ' || q_[p] == '\t' || q_[p] == '\n' || q_[p] == '\r')) {
      ++p;
    }
    return p;
  }
  void check_binary(Binary& b);
  void check_call(Call& c);
  void check_selector(const VectorSelector& vs);

  std::string_view q_;
  // info()'s second argument may select labels only (v3).
  std::set<const Expr*> bypass_empty_check_;
};

ValueType Checker::check(Expr& e) {
  ValueType type = type_of(e);
  switch (e.kind) {
    case Kind::kNumberLiteral:
    case Kind::kStringLiteral:
      break;
    case Kind::kVectorSelector:
      check_selector(e.as<VectorSelector>());
      break;
    case Kind::kMatrixSelector:
      check(*e.as<MatrixSelector>().selector);
      break;
    case Kind::kSubquery:
      if (ValueType t = check(*e.as<Subquery>().expr); t != ValueType::kVector) {
        add(e.pos.start, "subquery is only allowed on instant vector, got " +
                             std::string(value_type_name(t)) + " instead");
      }
      break;
    case Kind::kCall:
      check_call(e.as<Call>());
      break;
    case Kind::kAggregate: {
      auto& a = e.as<Aggregate>();
      expect(*a.expr, ValueType::kVector, "aggregation expression");
      switch (a.op) {
        case AggregateOp::kTopk: case AggregateOp::kBottomk: case AggregateOp::kQuantile:
        case AggregateOp::kLimitk: case AggregateOp::kLimitRatio:
          expect(*a.param, ValueType::kScalar, "aggregation parameter");
          break;
        case AggregateOp::kCountValues:
          expect(*a.param, ValueType::kString, "aggregation parameter");
          break;
        default:
          break;
      }
      break;
    }
    case Kind::kBinary:
      check_binary(e.as<Binary>());
      break;
    case Kind::kUnary:
      if (ValueType t = check(*e.as<Unary>().expr);
          t != ValueType::kScalar && t != ValueType::kVector) {
        add(e.pos.start,
            "unary expression only allowed on expressions of type scalar or instant vector, got " +
                go_quote(documented_type(t)));
      }
      break;
    case Kind::kParen:
      check(*e.as<Paren>().expr);
      break;
  }
  return type;
}

void Checker::check_binary(Binary& b) {
  ValueType lt = check(*b.lhs);
  ValueType rt = check(*b.rhs);
  if (b.return_bool && !is_comparison(b.op)) {
    add(op_pos(b), "bool modifier can only be used on comparison operators");
  }
  if (is_comparison(b.op) && !b.return_bool && type_of(*b.lhs) == ValueType::kScalar &&
      type_of(*b.rhs) == ValueType::kScalar) {
    add(op_pos(b), "comparisons between scalars must use BOOL modifier");
  }
  VectorMatching& m = *b.matching;
  if (is_set_operator(b.op) && m.card == Cardinality::kOneToOne) m.card = Cardinality::kManyToMany;
  for (const auto& l1 : m.matching_labels) {
    for (const auto& l2 : m.include) {
      if (l1 == l2 && m.on) {
        add(op_pos(b), "label " + go_quote(l1) + " must not occur in ON and GROUP clause at once");
      }
    }
  }
  if (lt != ValueType::kScalar && lt != ValueType::kVector) {
    add(b.lhs->pos.start, "binary expression must contain only scalar and instant vector types");
  }
  if (rt != ValueType::kScalar && rt != ValueType::kVector) {
    add(b.rhs->pos.start, "binary expression must contain only scalar and instant vector types");
  }
  std::string op = go_quote(op_string(b.op));
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (!m.matching_labels.empty()) {
      add(b.pos.start, "vector matching only allowed between instant vectors");
    }
    b.matching.reset();
  } else if (is_set_operator(b.op)) {
    if (m.card == Cardinality::kOneToMany || m.card == Cardinality::kManyToOne) {
      add(b.pos.start, "no grouping allowed for " + op + " operation");
    }
    if (m.card != Cardinality::kManyToMany) {
      add(b.pos.start, "set operations must always be many-to-many");
    }
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && is_set_operator(b.op)) {
    add(b.pos.start, "set operator " + op + " not allowed in binary scalar expression");
  }
}

void Checker::check_call(Call& c) {
  const Function& f = *c.func;
  size_t nargs = f.arg_types.size();
  std::string name = go_quote(f.name);
  auto count = [](size_t n) { return std::to_string(n); };
  if (f.variadic == 0) {
    if (nargs != c.args.size()) {
      add(c.pos.start, "expected " + count(nargs) + " argument(s) in call to " + name + ", got " +
                           count(c.args.size()));
    }
  } else {
    size_t required = nargs - 1;
    if (required > c.args.size()) {
      add(c.pos.start, "expected at least " + count(required) + " argument(s) in call to " +
                           name + ", got " + count(c.args.size()));
    } else if (f.variadic > 0 && required + size_t(f.variadic) < c.args.size()) {
      add(c.pos.start, "expected at most " + count(required + size_t(f.variadic)) +
                           " argument(s) in call to " + name + ", got " + count(c.args.size()));
    }
  }
  if (f.name == "info" && c.args.size() > 1) {
    Expr& sel = *c.args[1];
    if (type_of(sel) != ValueType::kVector) {
      add(c.pos.start, "expected type instant vector in call to function \"info\", got " +
                           std::string(documented_type(type_of(sel))));
    }
    if (auto* vs = sel.dyn<VectorSelector>(); vs && !vs->name.empty()) {
      add(sel.pos.start, "expected label selectors only, got vector selector instead");
    } else if (vs) {
      bypass_empty_check_.insert(vs);
    } else {
      add(sel.pos.start, "expected label selectors only");
    }
  }
  for (size_t i = 0; i < c.args.size(); ++i) {
    size_t k = i;
    if (k >= nargs) {
      if (f.variadic == 0) break;
      k = nargs - 1;
    }
    expect(*c.args[i], f.arg_types[k], "call to function " + name);
  }
}

void Checker::check_selector(const VectorSelector& vs) {
  if (!vs.name.empty()) {
    // The last matcher is the one for the name outside the braces.
    for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
      if (vs.matchers[i].name() == "__name__") {
        add(vs.pos.start, "metric name must not be set twice: " + go_quote(vs.name) + " or " +
                              go_quote(vs.matchers[i].value()));
      }
    }
    return;
  }
  if (bypass_empty_check_.count(&vs)) return;
  for (const auto& m : vs.matchers) {
    if (!m.matches_empty()) return;
  }
  add(vs.pos.start, "vector selector must contain at least one non-empty matcher");
}

}  // namespace

std::optional<std::pair<int, std::string>> check_types(Expr& e, std::string_view query) {
  Checker c(query);
  c.check(e);
  return std::move(c.error);
}

}  // namespace strata::promql::parser
