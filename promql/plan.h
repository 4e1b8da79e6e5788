// The evaluation plan: the engine's own tree, compiled from the parser's AST
// (plan_compile.cc). It resolves everything the evaluator needs up front —
// operators and aggregations (the parser's enums), function implementations,
// matchers, offsets and `@` times in milliseconds — so evaluation never looks
// at syntax.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promql/aggregate.h"
#include "promql/binary.h"
#include "promql/functions.h"
#include "promql/parser/ast.h"
#include "tsdb/labels/matcher.h"

namespace strata::promql {

// The parser's enums, used by the plan and the evaluator as they are.
using ValueKind = parser::ValueType;
using AtKind = parser::AtKind;

struct PlanNode {
  enum class Kind {
    kNumber, kString, kVectorSelector, kMatrixSelector, kSubquery, kCall, kAggregate, kBinary,
    kUnaryMinus,
  };
  Kind kind = Kind::kNumber;
  ValueKind type = ValueKind::kScalar;
  size_t pos = 0;  // byte offset in the query of this sub-expression (annotations)
  size_t end = 0;  // end offset (exclusive)

  double number = 0;   // kNumber
  std::string str;     // kString
  const FunctionImpl* fn = nullptr;  // kCall: resolved when the plan is built; never null

  // Selectors and subqueries.
  std::string metric_name;  // from the __name__ matcher, for annotations
  tsdb::Matchers matchers;
  int64_t offset_ms = 0;
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;
  int64_t range_ms = 0;  // matrix selector / subquery range
  int64_t step_ms = 0;   // subquery step (0 = engine default)

  // kAggregate
  AggOp agg = AggOp::kSum;
  std::vector<std::string> grouping;  // sorted
  bool without = false;

  // kBinary
  BinOp op = BinOp::kAdd;
  Matching matching;
  bool return_bool = false;

  // kCall args; kAggregate: [param,] expr; kBinary: lhs, rhs; unary/subquery: one.
  std::vector<std::unique_ptr<PlanNode>> args;
};

}  // namespace strata::promql
