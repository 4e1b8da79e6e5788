// The PromQL abstract syntax tree produced by parse_expr() (parser.h).
//
// A closed set of node kinds: every node derives from Expr, carries its Kind
// and the byte range of the query text it was parsed from (for error and
// annotation positions). Children are owned through std::unique_ptr; clone()
// makes a deep copy. Nodes are plain data: the parser fills them, the type
// checker may normalise them (set operators become many-to-many; vector
// matching is dropped when a side is a scalar, as in Prometheus), and the
// engine and printers only read them. Not thread-safe to mutate; const access
// from many threads is fine.
//
// Layout follows Prometheus' promql/parser/ast.go so behaviour can be compared
// one to one: `offset` and `@` of a range selector live on its inner
// VectorSelector, a VectorSelector's matchers include the `__name__` matcher of
// a name written outside the braces (appended last), and `-1` is folded into a
// NumberLiteral while `-(1)` and `-x` are Unary nodes.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/labels/matcher.h"

namespace strata::promql::parser {

struct Function;  // functions.h

// Byte offsets [start, end) into the query string.
struct PositionRange {
  int start = 0;
  int end = 0;
};

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// Prometheus' DocumentedType: "scalar", "instant vector", "range vector", "string".
std::string_view documented_type(ValueType t);
// Prometheus' ValueType names: "scalar", "vector", "matrix", "string", "none".
std::string_view value_type_name(ValueType t);

enum class BinaryOp {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,
  kEql, kNeq, kGtr, kLss, kGte, kLte,  // ==, !=, >, <, >=, <=
  kAnd, kOr, kUnless,
};
std::string_view op_string(BinaryOp op);  // "+", "==", "and", "atan2", ...
bool is_comparison(BinaryOp op);
bool is_set_operator(BinaryOp op);

enum class AggregateOp {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopk, kBottomk, kCountValues, kQuantile, kLimitk, kLimitRatio,
};
std::string_view op_string(AggregateOp op);  // "sum", "count_values", ...
// topk, bottomk, count_values, quantile, limitk, limit_ratio take a parameter.
bool has_param(AggregateOp op);

enum class UnaryOp { kMinus, kPlus };

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

// How the two sides of a vector/vector binary operation are matched.
struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  // Labels of on(...) / ignoring(...), in the order written.
  std::vector<std::string> matching_labels;
  bool on = false;  // on(...) rather than ignoring(...)
  // Extra labels of group_left(...) / group_right(...), in the order written.
  std::vector<std::string> include;
};

// The `@` modifier of a selector or subquery.
enum class AtKind { kNone, kTimestamp, kStart, kEnd };
struct AtModifier {
  AtKind kind = AtKind::kNone;
  int64_t timestamp_ms = 0;  // for kTimestamp
};

enum class Kind {
  kNumberLiteral, kStringLiteral, kVectorSelector, kMatrixSelector, kSubquery,
  kCall, kAggregate, kBinary, kUnary, kParen,
};

struct Expr {
  Kind kind;
  PositionRange pos;

  explicit Expr(Kind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Downcasts: as<T>() requires kind == T::kKind (asserted in debug builds);
  // dyn<T>() returns nullptr for another kind.
  template <typename T>
  T& as() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }
  template <typename T>
  const T& as() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T* dyn() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
  template <typename T>
  const T* dyn() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral final : Expr {
  static constexpr Kind kKind = Kind::kNumberLiteral;
  NumberLiteral() : Expr(kKind) {}
  double value = 0;
  // Written as a duration ("5m" = 300) — Prometheus 3 only; printed back as one.
  bool is_duration = false;
};

struct StringLiteral final : Expr {
  static constexpr Kind kKind = Kind::kStringLiteral;
  StringLiteral() : Expr(kKind) {}
  std::string value;  // unquoted
};

struct VectorSelector final : Expr {
  static constexpr Kind kKind = Kind::kVectorSelector;
  VectorSelector() : Expr(kKind) {}
  // The metric name written before the braces ("" if none; a name given only
  // as a `__name__` matcher or, in v3, as a quoted string inside the braces
  // is not copied here).
  std::string name;
  // All matchers in the order written, plus `__name__="<name>"` last when
  // `name` is set.
  tsdb::Matchers matchers;
  int64_t offset_ms = 0;  // `offset 5m` = 300000, `offset -5m` = -300000
  AtModifier at;
};

struct MatrixSelector final : Expr {
  static constexpr Kind kKind = Kind::kMatrixSelector;
  MatrixSelector() : Expr(kKind) {}
  // Holds the matchers and the selector's offset and `@` (written after the
  // range: `x[5m] offset 1h @ 100`).
  std::unique_ptr<VectorSelector> selector;
  int64_t range_ms = 0;
};

struct Subquery final : Expr {
  static constexpr Kind kKind = Kind::kSubquery;
  Subquery() : Expr(kKind) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0 = not given: the engine's default evaluation interval
  int64_t offset_ms = 0;
  AtModifier at;
};

struct Call final : Expr {
  static constexpr Kind kKind = Kind::kCall;
  Call() : Expr(kKind) {}
  const Function* func = nullptr;  // static table entry, never null after parsing
  std::vector<ExprPtr> args;
};

struct Aggregate final : Expr {
  static constexpr Kind kKind = Kind::kAggregate;
  Aggregate() : Expr(kKind) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // set iff has_param(op)
  std::vector<std::string> grouping;  // in the order written, not deduplicated
  bool without = false;
};

struct Binary final : Expr {
  static constexpr Kind kKind = Kind::kBinary;
  Binary() : Expr(kKind) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;  // the `bool` modifier
  // Absent when either side is a scalar (after type checking).
  std::optional<VectorMatching> matching;
};

struct Unary final : Expr {
  static constexpr Kind kKind = Kind::kUnary;
  Unary() : Expr(kKind) {}
  UnaryOp op = UnaryOp::kMinus;
  ExprPtr expr;
};

struct Paren final : Expr {
  static constexpr Kind kKind = Kind::kParen;
  Paren() : Expr(kKind) {}
  ExprPtr expr;
};

// The type an expression evaluates to (Prometheus' Expr.Type()).
ValueType type_of(const Expr& e);

// Deep copy, positions included.
ExprPtr clone(const Expr& e);

// Calls `fn` on `e` and then on every descendant, parents before children,
// children in source order.
template <typename Fn>
void walk(const Expr& e, Fn&& fn);
template <typename Fn>
void walk(Expr& e, Fn&& fn);

// The direct children of `e` in source order (Aggregate: param, expr).
std::vector<const Expr*> children(const Expr& e);
std::vector<Expr*> children(Expr& e);

template <typename Fn>
void walk(const Expr& e, Fn&& fn) {
  fn(e);
  for (const Expr* c : children(e)) walk(*c, fn);
}

template <typename Fn>
void walk(Expr& e, Fn&& fn) {
  fn(e);
  for (Expr* c : children(e)) walk(*c, fn);
}

}  // namespace strata::promql::parser
