// The range family: functions of a range vector (rate, *_over_time, deriv,
// ...), whose windows functions_range.cc slides over each series, series in
// parallel.
#include <algorithm>
#include <atomic>

#include "promql/evaluator.h"
#include "promql/parallel.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using R = RangeFn;

constexpr FunctionImpl range(FunctionId id, RangeFn fn, int matrix_arg = 0,
                             bool keeps_name = false) {
  return {id, FunctionFamily::kRange, nullptr, CalendarField::kYear, fn, matrix_arg, keeps_name};
}

constexpr FunctionImpl kRangeFunctions[] = {
    range(F::kRate, R::kRate),
    range(F::kIncrease, R::kIncrease),
    range(F::kDelta, R::kDelta),
    range(F::kIrate, R::kIrate),
    range(F::kIdelta, R::kIdelta),
    range(F::kAvgOverTime, R::kAvgOverTime),
    range(F::kSumOverTime, R::kSumOverTime),
    range(F::kCountOverTime, R::kCountOverTime),
    range(F::kMinOverTime, R::kMinOverTime),
    range(F::kMaxOverTime, R::kMaxOverTime),
    range(F::kLastOverTime, R::kLastOverTime, 0, true),
    range(F::kFirstOverTime, R::kFirstOverTime, 0, true),
    range(F::kPresentOverTime, R::kPresentOverTime),
    range(F::kStddevOverTime, R::kStddevOverTime),
    range(F::kStdvarOverTime, R::kStdvarOverTime),
    range(F::kQuantileOverTime, R::kQuantileOverTime, 1),
    range(F::kMadOverTime, R::kMadOverTime),
    range(F::kChanges, R::kChanges),
    range(F::kResets, R::kResets),
    range(F::kDeriv, R::kDeriv),
    range(F::kPredictLinear, R::kPredictLinear),
    range(F::kHoltWinters, R::kDoubleExponentialSmoothing),
    range(F::kDoubleExponentialSmoothing, R::kDoubleExponentialSmoothing),
    range(F::kTsOfMinOverTime, R::kTsOfMinOverTime),
    range(F::kTsOfMaxOverTime, R::kTsOfMaxOverTime),
    range(F::kTsOfLastOverTime, R::kTsOfLastOverTime),
    range(F::kTsOfFirstOverTime, R::kTsOfFirstOverTime),
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::span<const FunctionImpl> range_functions() { return kRangeFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_range_call(const PlanNode& n, const Grid& g) {
  const FunctionImpl* info = n.fn;
  const PlanNode& marg = *n.args[info->matrix_arg];
  // Scalar parameters, evaluated per step.
  std::vector<std::vector<double>> params;
  for (size_t a = 0; a < n.args.size(); ++a) {
    if (int(a) == info->matrix_arg) continue;
    auto p = eval(*n.args[a], g);
    if (!p.ok()) return p.status();
    params.push_back(std::move(p->scalar));
  }
  auto m = eval(marg, g);
  if (!m.ok()) return m.status();
  if (info->range == RangeFn::kQuantileOverTime) warn_bad_quantiles(params[0], n.args[0]->pos);
  std::vector<int64_t> eval_ts(g.n);
  for (size_t i = 0; i < g.n; ++i) eval_ts[i] = g.at(i);
  RangeCall call{info->range,
                 m->range_ms,
                 v3(),
                 !v3(),
                 &m->ends,
                 &eval_ts,
                 params.empty() ? nullptr : &params[0],
                 params.size() > 1 ? &params[1] : nullptr};
  std::atomic<bool> stop{false};
  const std::function<bool()> should_stop = [&] {
    if (!stop.load(std::memory_order_relaxed) && !interrupted().ok()) stop = true;
    return stop.load(std::memory_order_relaxed);
  };
  call.should_stop = &should_stop;
  bool counter_fn = info->range == RangeFn::kRate || info->range == RangeFn::kIncrease;
  // Each series' windows are independent: compute them in parallel, then
  // collect in input order.
  const size_t ns = m->range.size();
  size_t loaded = 0;
  for (const RangeSeries& s : m->range) loaded += s.samples.size();
  std::vector<std::vector<double>> rows(ns);
  std::vector<absl::Status> errors(ns);
  // Output rows are charged a batch at a time, before they are allocated;
  // each input series is freed once its row is computed.
  auto batch = [&](size_t b0, size_t e0) -> absl::Status {
    parallel_for(e0 - b0, 16, [&](size_t b, size_t e) {
      for (size_t i = b0 + b; i < b0 + e; ++i) {
        if (stop.load(std::memory_order_relaxed)) return;
        std::vector<double> v(g.n);
        errors[i] = eval_range_function(call, m->range[i].samples, v.data());
        if (errors[i].ok() && std::any_of(v.begin(), v.end(), [](double x) { return !is_absent(x); }))
          rows[i] = std::move(v);
        std::vector<Sample>().swap(m->range[i].samples);
      }
    });
    if (stop) return interrupted();
    for (size_t i = b0; i < e0; ++i)
      if (rows[i].empty()) release(g.n);
    return absl::OkStatus();
  };
  absl::Status batched = charged_batches(ns, g.n, batch);
  release(loaded);
  if (!batched.ok()) return batched;
  Result r;
  for (size_t i = 0; i < ns; ++i) {
    if (!errors[i].ok()) return errors[i];
    RangeSeries& s = m->range[i];
    if (rows[i].empty()) continue;
    if (counter_fn && v3()) {
      std::string_view name = s.metric.metric_name();
      if (!ends_with(name, "_total") && !ends_with(name, "_sum") && !ends_with(name, "_count") &&
          !ends_with(name, "_bucket"))
        annos_.info("metric might not be a counter, name does not end in "
                    "_total/_sum/_count/_bucket: \"" + std::string(name) + "\"",
                    opts_.query, marg.pos);
    }
    StepSeries o;
    o.v = std::move(rows[i]);
    o.metric = std::move(s.metric);
    o.drop_name = s.drop_name;
    if (!info->keeps_name) drop_name(o);
    r.vec.push_back(std::move(o));
  }
  // 2.x checks a range function's whole result matrix at once.
  if (auto st = dedupe(r.vec, g, matrix_rule()); !st.ok()) return st;
  return r;
}

}  // namespace strata::promql
