// Expressions: operator precedence, binary modifiers, unary operators,
// literals and parentheses. See parser_impl.h for how errors mirror
// Prometheus'.
#include <algorithm>

#include "base/stack.h"
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

int max_nesting_for_this_thread() {
  size_t room = stack_remaining_bytes();
  if (room <= kStackReserve) return 1;
  return int(std::min<size_t>((room - kStackReserve) / kStackBytesPerLevel, 1 << 30));
}

bool Parser::check_height(const Expr& e) {
  if (height(e) <= max_height_) return true;
  add_error(e.pos.start, "expression nesting is deeper than " + std::to_string(max_height_));
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

ExprPtr Parser::parse_expr(int min_prec) {
  if (depth_ >= max_height_) {
    const Token& t = peek();
    add_error(t.pos, "expression nesting is deeper than " + std::to_string(max_height_));
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

}  // namespace strata::promql::parser
