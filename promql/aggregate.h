// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar,
// quantile, topk, bottomk, count_values, limitk, limit_ratio) over StepSeries.
// Groups are formed once per input series; values are then folded step by step.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "promql/eval_types.h"
#include "promql/parser/ast.h"

namespace strata::promql {

// The parser's enum, used by the plan and the evaluator as it is.
using AggOp = parser::AggregateOp;

struct AggSpec {
  AggOp op;
  std::vector<std::string> grouping;  // sorted label names
  bool without = false;
  const std::vector<double>* param = nullptr;  // per step: k, φ, ratio
  std::string count_values_label;
  bool v3 = true;  // Kahan summation (3.x) vs plain sums (2.x)
};

// Aggregates `in` (consumed). For topk/bottomk/limitk/limit_ratio the output
// series keep their labels; for the others they carry the grouping labels.
// On a one-step grid, topk/bottomk return their series in Prometheus' order
// (groups by first appearance, best value first, ties as Prometheus breaks them).
absl::StatusOr<StepVector> aggregate(const AggSpec& spec, StepVector in, const Grid& grid);

}  // namespace strata::promql
