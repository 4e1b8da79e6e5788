// Function calls: dispatch on the implementation the plan resolved
// (functions.h), helpers shared by the families, and the conversion family:
// vector, scalar, absent, absent_over_time and the sort functions.
#include <cmath>
#include <set>

#include "base/float_format.h"
#include "promql/evaluator.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using Fam = FunctionFamily;

constexpr FunctionImpl kConversionFunctions[] = {
    {F::kVector, Fam::kConversion},         {F::kScalar, Fam::kConversion},
    {F::kAbsent, Fam::kConversion},         {F::kAbsentOverTime, Fam::kConversion},
    {F::kSort, Fam::kConversion},           {F::kSortDesc, Fam::kConversion},
    {F::kSortByLabel, Fam::kConversion},    {F::kSortByLabelDesc, Fam::kConversion},
};

}  // namespace

std::span<const FunctionImpl> conversion_functions() { return kConversionFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_call(const PlanNode& n, const Grid& g) {
  switch (n.fn->family) {
    case Fam::kMath: return eval_math_call(n, g);
    case Fam::kTime: return eval_time_call(n, g);
    case Fam::kLabel: return eval_label_call(n, g);
    case Fam::kRange: return eval_range_call(n, g);
    case Fam::kHistogram: return eval_histogram_call(n, g);
    case Fam::kConversion: return eval_conversion_call(n, g);
  }
  return absl::InternalError("unknown function family");
}

absl::StatusOr<std::vector<Evaluator::Result>> Evaluator::eval_args(const PlanNode& n,
                                                                    const Grid& g) {
  std::vector<Result> args;
  args.reserve(n.args.size());
  for (const auto& a : n.args) {
    auto v = eval(*a, g);
    if (!v.ok()) return v.status();
    args.push_back(std::move(*v));
  }
  return args;
}

absl::StatusOr<Evaluator::Result> Evaluator::map_samples(
    StepVector in, const Grid& g, absl::FunctionRef<double(size_t, double)> fn) {
  for (StepSeries& s : in) {
    for (size_t i = 0; i < g.n; ++i) {
      double& v = s.v[i];
      if (!is_absent(v)) v = fn(i, v);
    }
    drop_name(s);
  }
  // clamp with max < min removes elements.
  in.erase(std::remove_if(in.begin(), in.end(),
                          [](const StepSeries& s) {
                            return std::all_of(s.v.begin(), s.v.end(), is_absent);
                          }),
           in.end());
  if (auto st = dedupe(in, g); !st.ok()) return st;
  Result r;
  r.vec = std::move(in);
  return r;
}

void Evaluator::warn_bad_quantiles(const std::vector<double>& phis, size_t pos) {
  for (double phi : phis) {
    if (phi < 0 || phi > 1 || std::isnan(phi)) {
      std::string text = "quantile value should be between 0 and 1, got ";
      append_float_go_g(&text, phi);
      annos_.warn(text, opts_.query, pos);
      return;
    }
  }
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_conversion_call(const PlanNode& n,
                                                                  const Grid& g) {
  const FunctionId id = n.fn->id;
  if (id == F::kAbsent || id == F::kAbsentOverTime) return eval_absent(n, g);
  auto args = eval_args(n, g);
  if (!args.ok()) return args.status();
  Result r;
  switch (id) {
    case F::kVector: {
      StepSeries s;
      s.v = (*args)[0].scalar;
      r.vec.push_back(std::move(s));
      return r;
    }
    case F::kScalar: {
      r.kind = ValueKind::kScalar;
      r.scalar.assign(g.n, std::nan(""));
      for (size_t i = 0; i < g.n; ++i) {
        int count = 0;
        double v = 0;
        for (const StepSeries& s : (*args)[0].vec) {
          if (!is_absent(s.v[i])) ++count, v = s.v[i];
        }
        if (count == 1) r.scalar[i] = v;
      }
      return r;
    }
    default:
      // The sort functions. Order matters only for instant results (see
      // Engine); Prometheus 3 says so for any evaluation over more than one
      // timestamp.
      if (g.start_ms != g.end_ms)
        annos_.warn(
            "sort is ineffective for range queries since results are always ordered by labels",
            opts_.query, n.pos);
      r.vec = std::move((*args)[0].vec);
      return r;
  }
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_absent(const PlanNode& n, const Grid& g) {
  const PlanNode& arg = *n.args[0];
  auto in = eval(arg, g);
  if (!in.ok()) return in.status();
  std::vector<bool> present(g.n, false);
  if (in->kind == ValueKind::kMatrix) {
    for (const RangeSeries& s : in->range) {
      size_t lo = 0, hi = 0;
      for (size_t i = 0; i < g.n; ++i) {
        int64_t end = in->ends[i], start = end - in->range_ms;
        if (i > 0 && end < in->ends[i - 1]) lo = hi = 0;
        while (hi < s.samples.size() && s.samples[hi].t <= end) ++hi;
        while (lo < hi && (v3() ? s.samples[lo].t <= start : s.samples[lo].t < start)) ++lo;
        if (hi > lo) present[i] = true;
      }
    }
  } else {
    for (const StepSeries& s : in->vec)
      for (size_t i = 0; i < g.n; ++i)
        if (!is_absent(s.v[i])) present[i] = true;
  }
  // Labels from the selector's matchers, in order: an equality matcher sets
  // its label unless the name is already set (an empty value counts as set
  // here, as in Prometheus' label slice); any other matcher of that name, or
  // a second equality, removes it again.
  Labels labels;
  if (arg.kind == PlanNode::Kind::kVectorSelector || arg.kind == PlanNode::Kind::kMatrixSelector) {
    std::set<std::string> set_names;
    for (const auto& m : arg.matchers) {
      if (m.name() == tsdb::kMetricName) continue;
      bool set = m.type() == tsdb::MatchType::kEqual && !set_names.count(m.name());
      if (set) set_names.insert(m.name());
      else set_names.erase(m.name());
      labels = labels.with(m.name(), set ? m.value() : "");
    }
  }
  Result r;
  StepSeries o;
  o.metric = labels;
  o.v.assign(g.n, absent_value());
  bool any = false;
  for (size_t i = 0; i < g.n; ++i) {
    if (!present[i]) o.v[i] = 1, any = true;
  }
  if (any) r.vec.push_back(std::move(o));
  return r;
}

}  // namespace strata::promql
