// Evaluator: runs one compiled plan over a step grid against storage. One
// instance per query execution; not thread-safe. Split by concern into
// evaluator.cc (dispatch, limits, final conversion), eval_selectors.cc,
// eval_calls*.cc (functions, by family) and eval_ops.cc (aggregations, binary
// and unary operators).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "promql/annotations.h"
#include "promql/engine.h"
#include "promql/eval_types.h"
#include "promql/plan.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace strata::promql {

struct EvalOptions {
  EngineOptions engine;
  int64_t lookback_ms = 5 * 60 * 1000;
  bool delayed_name_removal = false;
  int64_t query_start_ms = 0;  // for @ start()
  int64_t query_end_ms = 0;    // for @ end()
  std::string_view query;      // for annotation positions
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;
};

// The error of a query that needs more than --query.max-samples samples.
absl::Status too_many_samples();

class Evaluator {
 public:
  Evaluator(tsdb::Queryable& db, EvalOptions opts) : db_(db), opts_(std::move(opts)) {}

  // Evaluates `root` over `grid` and converts to the API's value: for an
  // instant query (`instant`) a scalar/string/vector/matrix at grid.start, for
  // a range query a matrix. A range query's root is a scalar or an instant
  // vector (the engine checks that once, before evaluation).
  absl::StatusOr<Value> run(const PlanNode& root, const Grid& grid, bool instant);
  const Annotations& annotations() const { return annos_; }

  // Intermediate result of a node.
  struct Result {
    ValueKind kind = ValueKind::kVector;
    std::vector<double> scalar;  // kScalar: one value per step
    StepVector vec;              // kVector
    RangeVector range;           // kMatrix: raw samples
    std::vector<int64_t> ends;   // kMatrix: window end per step
    int64_t range_ms = 0;        // kMatrix: window length
    std::string str;             // kString
  };

 private:
  bool v3() const { return opts_.engine.compat == Compat::kV3; }
  absl::StatusOr<Result> eval(const PlanNode& n, const Grid& g);
  // Cancellation or the deadline, read now; safe from parallel workers.
  absl::Status interrupted() const;
  // interrupted(), looked at every 16th call (per-series loops).
  absl::Status check_limits();
  // Samples held count against --query.max-samples. Strata keeps instant
  // vectors as dense arrays (one slot per step), so it charges every slot,
  // which is at least what Prometheus counts, and charges before allocating.
  absl::Status charge(size_t points);
  void release(size_t points) { current_samples_ -= std::min(current_samples_, points); }
  // Runs fn(begin, end) over [0, n) in batches whose `slots_per_item` slots
  // each fit into what is left of the budget, charging each batch before fn
  // allocates it (fn releases what it does not keep). Checks for cancellation
  // and the deadline between batches.
  absl::Status charged_batches(size_t n, size_t slots_per_item,
                               const std::function<absl::Status(size_t, size_t)>& fn);
  // Merges series with equal labels. kPerStep (Prometheus 3; 2.x for
  // step-by-step results): an error only where two have a value at the same
  // step. kAnywhere (2.x for whole-matrix results: unary minus, functions of
  // a range): an error whenever two series with values share labels.
  enum class SameLabels { kPerStep, kAnywhere };
  absl::Status dedupe(StepVector& v, const Grid& g, SameLabels rule = SameLabels::kPerStep);
  SameLabels matrix_rule() const { return v3() ? SameLabels::kPerStep : SameLabels::kAnywhere; }
  void drop_name(StepSeries& s) const;

  // eval_selectors.cc
  int64_t resolve_at(const PlanNode& n, int64_t step_t) const;
  std::vector<int64_t> reference_times(const PlanNode& n, const Grid& g) const;
  // Selects the series of n's matchers in [mint, maxt] and calls process()
  // on them a chunk at a time, in storage order; the chunks are processed
  // while storage is still reading (see eval_selectors.cc).
  absl::Status select_streamed(const PlanNode& n, int64_t mint, int64_t maxt,
                               const std::function<absl::Status(std::vector<tsdb::Series>&)>& process);
  absl::StatusOr<StepVector> eval_vector_selector(const PlanNode& n, const Grid& g,
                                                  bool timestamps);
  absl::StatusOr<Result> eval_matrix_selector(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_subquery(const PlanNode& n, const Grid& g);

  // eval_calls.cc: dispatch on the call's implementation (functions.h), the
  // conversion family and helpers; eval_calls_<family>.cc: the families.
  absl::StatusOr<Result> eval_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<std::vector<Result>> eval_args(const PlanNode& n, const Grid& g);
  // Replaces every present sample v at step i by fn(i, v) (absent_value()
  // removes it), drops __name__, then removes emptied series and duplicates.
  absl::StatusOr<Result> map_samples(StepVector in, const Grid& g,
                                     absl::FunctionRef<double(size_t, double)> fn);
  void warn_bad_quantiles(const std::vector<double>& phis, size_t pos);
  absl::StatusOr<Result> eval_conversion_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_absent(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_math_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_time_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_label_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_range_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_histogram_call(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_histogram_quantile(const PlanNode& n, const Grid& g);

  // eval_ops.cc
  absl::StatusOr<Result> eval_aggregate(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> eval_binary(const PlanNode& n, const Grid& g);
  absl::StatusOr<Result> apply_binary(const PlanNode& n, Result lhs, Result rhs, const Grid& g);
  absl::StatusOr<Result> eval_unary_minus(const PlanNode& n, const Grid& g);

  tsdb::Queryable& db_;
  EvalOptions opts_;
  Annotations annos_;
  size_t current_samples_ = 0;
  size_t checks_ = 0;
};

}  // namespace strata::promql
