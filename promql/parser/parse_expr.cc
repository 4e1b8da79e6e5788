// Expressions: operator precedence, unary operators, literals, parentheses,
// function calls, aggregations and the postfix modifiers (offset, @, ranges,
// subqueries). See parser_impl.h for how errors mirror Prometheus'.
#include <algorithm>
#include <cmath>
#include <limits>

#include "promql/parser/duration.h"
#include "promql/parser/functions.h"
#include "promql/parser/go_format.h"
#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {
namespace {

// Binding strength of binary operators, lowest first (Prometheus' %left/%right
// lines). Unary minus/plus binds like `*`: `-a ^ b` is `-(a ^ b)`.
constexpr int kPowPrec = 6;

int binary_prec(Tok t, BinaryOp* op) {
  switch (t) {
    case Tok::kLor: *op = BinaryOp::kOr; return 1;
    case Tok::kLand: *op = BinaryOp::kAnd; return 2;
    case Tok::kLunless: *op = BinaryOp::kUnless; return 2;
    case Tok::kEqlc: *op = BinaryOp::kEql; return 3;
    case Tok::kNeq: *op = BinaryOp::kNeq; return 3;
    case Tok::kGtr: *op = BinaryOp::kGtr; return 3;
    case Tok::kLss: *op = BinaryOp::kLss; return 3;
    case Tok::kGte: *op = BinaryOp::kGte; return 3;
    case Tok::kLte: *op = BinaryOp::kLte; return 3;
    case Tok::kAdd: *op = BinaryOp::kAdd; return 4;
    case Tok::kSub: *op = BinaryOp::kSub; return 4;
    case Tok::kMul: *op = BinaryOp::kMul; return 5;
    case Tok::kDiv: *op = BinaryOp::kDiv; return 5;
    case Tok::kMod: *op = BinaryOp::kMod; return 5;
    case Tok::kAtan2: *op = BinaryOp::kAtan2; return 5;
    case Tok::kPow: *op = BinaryOp::kPow; return kPowPrec;
    default: return -1;
  }
}

AggregateOp aggregate_op(Tok t) {
  switch (t) {
    case Tok::kSum: return AggregateOp::kSum;
    case Tok::kAvg: return AggregateOp::kAvg;
    case Tok::kCount: return AggregateOp::kCount;
    case Tok::kMin: return AggregateOp::kMin;
    case Tok::kMax: return AggregateOp::kMax;
    case Tok::kGroup: return AggregateOp::kGroup;
    case Tok::kStddev: return AggregateOp::kStddev;
    case Tok::kStdvar: return AggregateOp::kStdvar;
    case Tok::kTopk: return AggregateOp::kTopk;
    case Tok::kBottomk: return AggregateOp::kBottomk;
    case Tok::kCountValues: return AggregateOp::kCountValues;
    case Tok::kQuantile: return AggregateOp::kQuantile;
    case Tok::kLimitk: return AggregateOp::kLimitk;
    default: return AggregateOp::kLimitRatio;
  }
}

// timestamp.FromFloatSeconds with Go's amd64 float->int64 conversion, which
// yields INT64_MIN when the value does not fit.
int64_t from_float_seconds(double s) {
  double ms = std::round(s * 1000);
  if (!(ms >= -9223372036854775808.0 && ms < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return int64_t(ms);
}

// Go's time.Duration(seconds * 1000) * time.Millisecond, in ms.
int64_t seconds_to_ms(double s) {
  double ms = s * 1000;
  if (!(ms >= -9223372036854775808.0 && ms < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return int64_t(ms);
}

struct AtSlot {
  AtModifier* at = nullptr;
  int* end = nullptr;
};

AtSlot at_slot(Expr* e) {
  switch (e->kind) {
    case Kind::kVectorSelector: return {&e->as<VectorSelector>().at, &e->pos.end};
    case Kind::kMatrixSelector: return {&e->as<MatrixSelector>().selector->at, &e->pos.end};
    case Kind::kSubquery: return {&e->as<Subquery>().at, &e->pos.end};
    default: return {};
  }
}

}  // namespace

bool Parser::starts_expr(Tok t) const {
  switch (t) {
    case Tok::kNumber: case Tok::kString: case Tok::kLeftParen: case Tok::kLeftBrace:
    case Tok::kAdd: case Tok::kSub: case Tok::kIdentifier:
      return true;
    case Tok::kDuration:
      return v3();
    default:
      return is_metric_identifier(t);
  }
}

int Parser::height(const Expr& e) {
  if (auto it = heights_.find(&e); it != heights_.end()) return it->second;
  // Subtrees are memoised as they are built, so this recursion stays shallow.
  int h = 0;
  for (const Expr* c : children(e)) h = std::max(h, height(*c));
  heights_[&e] = h + 1;
  return h + 1;
}

bool Parser::check_height(const Expr& e) {
  if (height(e) <= kMaxNestingDepth) return true;
  add_error(e.pos.start, "expression nesting is deeper than " + std::to_string(kMaxNestingDepth));
  return false;
}

std::optional<double> Parser::parse_number(const Token& t) {
  double v;
  std::string err;
  if (!parse_go_number(t.text, &v, &err)) {
    add_error(t.pos, "error parsing number: " + err);
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> Parser::parse_duration_token(const Token& t, bool positive) {
  int64_t ms;
  if (t.type == Tok::kNumber) {
    auto v = parse_number(t);
    if (!v) return std::nullopt;
    ms = seconds_to_ms(*v);
  } else {
    auto d = parse_duration(t.text);
    if (!d.ok()) {
      add_error(t.pos, std::string(d.status().message()));
      return std::nullopt;
    }
    ms = *d;
  }
  if (positive && ms <= 0) {
    add_error(t.pos, "duration must be greater than 0");
    return std::nullopt;
  }
  return ms;
}

ExprPtr Parser::parse_expr(int min_prec) {
  if (depth_ >= kMaxNestingDepth) {
    const Token& t = peek();
    add_error(t.pos, "expression nesting is deeper than " + std::to_string(kMaxNestingDepth));
    return nullptr;
  }
  struct Nest {
    int& d;
    explicit Nest(int& depth) : d(++depth) {}
    ~Nest() { --d; }
  } nest(depth_);
  ExprPtr lhs = parse_unary();
  while (lhs) {
    const Token& t = peek();
    if (failed()) return nullptr;
    BinaryOp op;
    int prec = binary_prec(t.type, &op);
    if (prec < 0 || prec < min_prec) return lhs;
    consume();
    auto b = std::make_unique<Binary>();
    b->op = op;
    b->matching.emplace();
    if (!parse_bin_modifiers(b.get())) return nullptr;
    // `^` is right-associative, everything else left-associative.
    ExprPtr rhs = parse_expr(op == BinaryOp::kPow ? prec : prec + 1);
    if (!rhs) return nullptr;
    b->pos = {lhs->pos.start, rhs->pos.end};
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    if (!check_height(*b)) return nullptr;
    lhs = std::move(b);
  }
  return nullptr;
}

ExprPtr Parser::parse_unary() {
  const Token& t = peek();
  if (failed()) return nullptr;
  if (t.type != Tok::kAdd && t.type != Tok::kSub) {
    ExprPtr e = parse_primary();
    return e ? parse_postfix(std::move(e)) : nullptr;
  }
  Token op = consume();
  ExprPtr operand = parse_expr(kPowPrec);
  if (!operand) return nullptr;
  // Like Prometheus, a sign directly on a number literal is folded into it.
  if (auto* n = operand->dyn<NumberLiteral>()) {
    if (op.type == Tok::kSub) n->value = -n->value;
    n->pos.start = op.pos;
    return operand;
  }
  auto u = std::make_unique<Unary>();
  u->op = op.type == Tok::kSub ? UnaryOp::kMinus : UnaryOp::kPlus;
  u->pos = {op.pos, operand->pos.end};
  u->expr = std::move(operand);
  return u;
}

ExprPtr Parser::parse_primary() {
  const Token& t = peek();
  if (failed()) return nullptr;
  switch (t.type) {
    case Tok::kNumber: {
      Token n = consume();
      auto v = parse_number(n);
      if (!v) return nullptr;
      auto lit = std::make_unique<NumberLiteral>();
      lit->value = *v;
      lit->pos = {n.pos, n.end()};
      return lit;
    }
    case Tok::kDuration: {
      if (!v3()) break;
      Token d = consume();
      auto ms = parse_duration_token(d, false);
      if (!ms) return nullptr;
      auto lit = std::make_unique<NumberLiteral>();
      lit->value = double(*ms) / 1000;
      lit->is_duration = true;
      lit->pos = {d.pos, d.end()};
      return lit;
    }
    case Tok::kString: {
      Token s = consume();
      auto lit = std::make_unique<StringLiteral>();
      lit->value = unquote(s.text);
      lit->pos = {s.pos, s.end()};
      return lit;
    }
    case Tok::kLeftParen:
      return parse_paren();
    case Tok::kLeftBrace:
      return parse_vector_selector(nullptr);
    case Tok::kIdentifier: {
      Token name = consume();
      const Token& next = peek();
      if (failed()) return nullptr;
      if (next.type == Tok::kLeftParen) return parse_call(name);
      return parse_vector_selector(&name);
    }
    default:
      if (is_aggregator(t.type)) {
        Token op = consume();
        const Token& next = peek();
        if (failed()) return nullptr;
        if (next.type == Tok::kLeftParen || next.type == Tok::kBy || next.type == Tok::kWithout) {
          return parse_aggregate(op);
        }
        return parse_vector_selector(&op);  // a metric called "sum"
      }
      if (is_metric_identifier(t.type)) {
        Token name = consume();
        return parse_vector_selector(&name);
      }
      break;
  }
  syntax_error(t);
  return nullptr;
}

ExprPtr Parser::parse_paren() {
  Token lp = consume();
  ExprPtr e = parse_expr(0);
  if (!e) return nullptr;
  const Token& t = peek();
  if (failed()) return nullptr;
  if (t.type != Tok::kRightParen) {
    syntax_error(t);
    return nullptr;
  }
  Token rp = consume();
  auto p = std::make_unique<Paren>();
  p->pos = {lp.pos, rp.end()};
  p->expr = std::move(e);
  return p;
}

bool Parser::parse_call_body(std::vector<ExprPtr>* args) {
  consume();  // `(`
  const Token* t = &peek();
  if (failed()) return false;
  if (t->type == Tok::kRightParen) {
    consume();
    return true;
  }
  for (;;) {
    ExprPtr e = parse_expr(0);
    if (!e) return false;
    args->push_back(std::move(e));
    t = &peek();
    if (failed()) return false;
    if (t->type == Tok::kRightParen) {
      consume();
      return true;
    }
    if (t->type != Tok::kComma) {
      syntax_error(*t);
      return false;
    }
    Token comma = consume();
    t = &peek();
    if (failed()) return false;
    if (!starts_expr(t->type)) {
      add_error(comma.pos, "trailing commas not allowed in function call args");
      return false;
    }
  }
}

ExprPtr Parser::parse_call(const Token& name) {
  auto call = std::make_unique<Call>();
  if (!parse_call_body(&call->args)) return nullptr;
  const Function* f = find_function(name.text, opts_.compat);
  if (f && f->experimental && !opts_.experimental_functions) {
    if (v3()) {
      add_error(name.pos, "function " + go_quote(name.text) + " is not enabled");
      return nullptr;
    }
    f = nullptr;  // Prometheus 2.42 has no experimental functions at all
  }
  if (!f) {
    add_error(name.pos, "unknown function with name " + go_quote(name.text));
    return nullptr;
  }
  call->func = f;
  call->pos = {name.pos, last_closing_};
  return call;
}

ExprPtr Parser::parse_aggregate(const Token& op) {
  auto agg = std::make_unique<Aggregate>();
  agg->op = aggregate_op(op.type);
  std::vector<ExprPtr> args;
  // Errors anywhere inside an aggregation are reported "in aggregation".
  ++agg_depth_;
  bool ok = [&] {
    const Token* t = &peek();
    bool modifier_first = t->type == Tok::kBy || t->type == Tok::kWithout;
    if (modifier_first) {
      agg->without = consume().type == Tok::kWithout;
      if (!parse_grouping_labels(&agg->grouping)) return false;
      t = &peek();
      if (failed()) return false;
      if (t->type != Tok::kLeftParen) {
        syntax_error(*t);
        return false;
      }
    }
    if (!parse_call_body(&args)) return false;
    agg->pos = {op.pos, last_closing_};
    if (modifier_first) return true;
    t = &peek();
    if (failed()) return false;
    if (t->type == Tok::kBy || t->type == Tok::kWithout) {
      agg->without = consume().type == Tok::kWithout;
      if (!parse_grouping_labels(&agg->grouping)) return false;
      agg->pos.end = last_closing_;
    }
    return true;
  }();
  --agg_depth_;
  if (!ok) return nullptr;

  if (args.empty()) {
    add_error(op.pos, "no arguments for aggregate expression provided");
    return nullptr;
  }
  size_t want = 1;
  if (has_param(agg->op)) {
    bool experimental = agg->op == AggregateOp::kLimitk || agg->op == AggregateOp::kLimitRatio;
    if (experimental && !opts_.experimental_functions) {
      add_error(op.pos, std::string(op_string(agg->op)) +
                            "() is experimental and must be enabled with "
                            "--enable-feature=promql-experimental-functions");
      return nullptr;
    }
    want = 2;
  }
  if (args.size() != want) {
    add_error(op.pos, "wrong number of arguments for aggregate expression provided, expected " +
                          std::to_string(want) + ", got " + std::to_string(args.size()));
    return nullptr;
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[want - 1]);
  return agg;
}

bool Parser::parse_bin_modifiers(Binary* b) {
  const Token* t = &peek();
  if (failed()) return false;
  if (t->type == Tok::kBool) {
    consume();
    b->return_bool = true;
    t = &peek();
    if (failed()) return false;
  }
  if (t->type != Tok::kOn && t->type != Tok::kIgnoring) return true;
  VectorMatching& m = *b->matching;
  m.on = consume().type == Tok::kOn;
  if (!parse_grouping_labels(&m.matching_labels)) return false;
  t = &peek();
  if (failed()) return false;
  if (t->type != Tok::kGroupLeft && t->type != Tok::kGroupRight) return true;
  m.card = consume().type == Tok::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
  t = &peek();
  if (failed()) return false;
  if (t->type == Tok::kLeftParen) return parse_grouping_labels(&m.include);
  if (!starts_expr(t->type)) {
    unexpected(*t, "grouping opts", "\"(\"");
    return false;
  }
  return true;
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  for (;;) {
    const Token& t = peek();
    if (failed()) return nullptr;
    bool ok = true;
    if (t.type == Tok::kOffset) {
      consume();
      ok = parse_offset(e.get());
    } else if (t.type == Tok::kAt) {
      consume();
      ok = parse_at(e.get());
    } else if (t.type == Tok::kLeftBracket) {
      e = parse_range_or_subquery(std::move(e));
      ok = e != nullptr && check_height(*e);
    } else {
      return e;
    }
    if (!ok) return nullptr;
  }
}

bool Parser::parse_offset(Expr* e) {
  const Token* t = &peek();
  if (failed()) return false;
  bool negative = t->type == Tok::kSub;
  if (negative) {
    consume();
    t = &peek();
    if (failed()) return false;
  }
  if (t->type != Tok::kDuration && !(v3() && t->type == Tok::kNumber)) {
    unexpected(*t, "offset", v3() ? "number or duration" : "duration");
    return false;
  }
  Token d = consume();
  // Prometheus 2 rejects a zero offset like any zero duration.
  auto ms = parse_duration_token(d, !v3());
  if (!ms) return false;
  int64_t* slot = nullptr;
  switch (e->kind) {
    case Kind::kVectorSelector: slot = &e->as<VectorSelector>().offset_ms; break;
    case Kind::kMatrixSelector: slot = &e->as<MatrixSelector>().selector->offset_ms; break;
    case Kind::kSubquery: slot = &e->as<Subquery>().offset_ms; break;
    default:
      add_error(e->pos.start,
                "offset modifier must be preceded by an instant vector selector or range "
                "vector selector or a subquery");
      return false;
  }
  if (*slot != 0) {
    add_error(e->pos.start, "offset may not be set multiple times");
    return false;
  }
  *slot = negative ? -*ms : *ms;
  e->pos.end = last_closing_;
  return true;
}

bool Parser::parse_at(Expr* e) {
  const Token* t = &peek();
  if (failed()) return false;
  AtModifier at;
  if (t->type == Tok::kStart || t->type == Tok::kEnd) {
    at.kind = consume().type == Tok::kStart ? AtKind::kStart : AtKind::kEnd;
    for (Tok want : {Tok::kLeftParen, Tok::kRightParen}) {
      t = &peek();
      if (failed()) return false;
      if (t->type != want) {
        unexpected(*t, "@", "timestamp");
        return false;
      }
      consume();
    }
  } else {
    double sign = 1;
    if (t->type == Tok::kAdd || t->type == Tok::kSub) {
      if (consume().type == Tok::kSub) sign = -1;
      t = &peek();
      if (failed()) return false;
    }
    if (t->type != Tok::kNumber && !(v3() && t->type == Tok::kDuration)) {
      unexpected(*t, "@", "timestamp");
      return false;
    }
    Token n = consume();
    double ts;
    if (n.type == Tok::kNumber) {
      auto v = parse_number(n);
      if (!v) return false;
      ts = *v;
    } else {
      auto ms = parse_duration_token(n, false);
      if (!ms) return false;
      ts = double(*ms) / 1000;
    }
    ts *= sign;
    if (std::isinf(ts) || std::isnan(ts) || ts >= 9223372036854775807.0 ||
        ts <= -9223372036854775808.0) {
      add_error(e->pos.start,
                "timestamp out of bounds for @ modifier: " + format_float_f(ts, 6));
      return false;
    }
    at.kind = AtKind::kTimestamp;
    at.timestamp_ms = from_float_seconds(ts);
  }
  AtSlot slot = at_slot(e);
  if (!slot.at) {
    add_error(e->pos.start,
              "@ modifier must be preceded by an instant vector selector or range vector "
              "selector or a subquery");
    return false;
  }
  if (slot.at->kind != AtKind::kNone) {
    add_error(e->pos.start, "@ <timestamp> may not be set multiple times");
    return false;
  }
  *slot.at = at;
  *slot.end = last_closing_;
  return true;
}

ExprPtr Parser::parse_range_or_subquery(ExprPtr e) {
  Token lb = consume();
  const Token* t = &peek();
  if (failed()) return nullptr;
  auto is_duration = [&](const Token& tok) {
    return tok.type == Tok::kDuration || (v3() && tok.type == Tok::kNumber);
  };
  if (!is_duration(*t)) {
    unexpected(*t, "subquery selector", v3() ? "number or duration" : "duration");
    return nullptr;
  }
  auto range = parse_duration_token(consume(), true);
  if (!range) return nullptr;
  t = &peek();
  if (failed()) return nullptr;
  if (t->type == Tok::kRightBracket) {
    consume();
    const char* err = nullptr;
    auto* vs = e->dyn<VectorSelector>();
    if (!vs) {
      err = "ranges only allowed for vector selectors";
    } else if (vs->offset_ms != 0) {
      err = "no offset modifiers allowed before range";
    } else if (vs->at.kind == AtKind::kTimestamp) {
      err = "no @ modifiers allowed before range";
    }
    if (err) {
      add_error(lb.pos, err);
      return nullptr;
    }
    auto m = std::make_unique<MatrixSelector>();
    m->pos = {e->pos.start, last_closing_};
    m->range_ms = *range;
    m->selector.reset(static_cast<VectorSelector*>(e.release()));
    return m;
  }
  if (t->type != Tok::kColon) {
    unexpected(*t, "subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  consume();
  auto sq = std::make_unique<Subquery>();
  sq->range_ms = *range;
  t = &peek();
  if (failed()) return nullptr;
  if (is_duration(*t)) {
    auto step = parse_duration_token(consume(), true);
    if (!step) return nullptr;
    sq->step_ms = *step;
    t = &peek();
    if (failed()) return nullptr;
    if (t->type != Tok::kRightBracket) {
      unexpected(*t, "subquery selector", "\"]\"");
      return nullptr;
    }
  } else if (t->type != Tok::kRightBracket) {
    unexpected(*t, "subquery selector",
               v3() ? "number or duration or \"]\"" : "duration or \"]\"");
    return nullptr;
  }
  Token rb = consume();
  sq->pos = {e->pos.start, rb.pos + 1};
  sq->expr = std::move(e);
  return sq;
}

}  // namespace strata::promql::parser
