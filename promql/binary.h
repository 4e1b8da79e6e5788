// Binary operators between instant vectors and scalars, with Prometheus'
// vector matching (on/ignoring, group_left/group_right, and/or/unless).
// Series are matched once by signature; values are then combined per step.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "promql/eval_types.h"
#include "promql/parser/ast.h"

namespace strata::promql {

// The parser's enums, used by the plan and the evaluator as they are.
using BinOp = parser::BinaryOp;
using Card = parser::Cardinality;

struct Matching {
  Card card = Card::kOneToOne;
  bool on = false;
  std::vector<std::string> labels;   // on/ignoring labels, sorted
  std::vector<std::string> include;  // group_left/right labels (in given order)
};

// Applies a scalar operator; for comparisons *keep reports the outcome.
double apply_scalar_op(BinOp op, double l, double r, bool* keep);

// vector op vector. `return_bool` is the `bool` modifier. `drop_name_late`
// (Prometheus 3) marks __name__ for removal instead of removing it. `v2`
// keeps 2.x quirks (atan2 kept the metric name before 2.46).
absl::StatusOr<StepVector> vector_binop(BinOp op, StepVector lhs, StepVector rhs,
                                        const Matching& m, bool return_bool, bool drop_name_late,
                                        const Grid& grid, bool v2 = false);
// vector op scalar, or scalar op vector when `scalar_on_left`.
StepVector vector_scalar_binop(BinOp op, StepVector vec, const std::vector<double>& scalar,
                               bool scalar_on_left, bool return_bool, bool drop_name_late,
                               bool v2 = false);

}  // namespace strata::promql
