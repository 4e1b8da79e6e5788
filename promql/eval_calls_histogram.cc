// The histogram family: histogram_quantile over classic `le` buckets, and
// the functions of native histograms (histogram_count, _sum, _avg,
// _fraction, _stddev, _stdvar), which ignore float samples: Strata stores no
// native histograms, so their result is always empty.
#include "absl/container/flat_hash_map.h"
#include "base/float_format.h"
#include "promql/evaluator.h"
#include "promql/functions_histogram.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using Fam = FunctionFamily;

constexpr FunctionImpl kHistogramFunctions[] = {
    {F::kHistogramQuantile, Fam::kHistogram}, {F::kHistogramCount, Fam::kHistogram},
    {F::kHistogramSum, Fam::kHistogram},      {F::kHistogramAvg, Fam::kHistogram},
    {F::kHistogramFraction, Fam::kHistogram}, {F::kHistogramStddev, Fam::kHistogram},
    {F::kHistogramStdvar, Fam::kHistogram},
};

}  // namespace

std::span<const FunctionImpl> histogram_functions() { return kHistogramFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_histogram_call(const PlanNode& n,
                                                                 const Grid& g) {
  if (n.fn->id == F::kHistogramQuantile) return eval_histogram_quantile(n, g);
  // The arguments are still evaluated: their errors and limits apply.
  auto args = eval_args(n, g);
  if (!args.ok()) return args.status();
  return Result{};
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_histogram_quantile(const PlanNode& n,
                                                                     const Grid& g) {
  auto q = eval(*n.args[0], g);
  if (!q.ok()) return q.status();
  auto in = eval(*n.args[1], g);
  if (!in.ok()) return in.status();
  warn_bad_quantiles(q->scalar, n.args[0]->pos);
  // Group buckets once by their labels without `le` and __name__.
  struct Group {
    Labels labels;
    std::vector<std::pair<size_t, double>> buckets;  // series index, upper bound
    std::string metric_name;
  };
  std::vector<Group> groups;
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  static const std::vector<std::string> kDrop = {std::string(tsdb::kMetricName), "le"};
  for (size_t i = 0; i < in->vec.size(); ++i) {
    const StepSeries& s = in->vec[i];
    std::string le(s.metric.get("le"));
    auto bound = parse_go_float(le);
    if (!bound) {
      annos_.warn("bucket label \"le\" is missing or has a malformed value of \"" + le +
                      "\" for metric name \"" + std::string(s.metric.metric_name()) + "\"",
                  opts_.query, n.args[1]->pos);
      continue;
    }
    Labels gl = s.metric.without(kDrop);
    auto& cands = by_hash[gl.hash()];
    size_t gi = SIZE_MAX;
    for (size_t c : cands)
      if (groups[c].labels == gl) gi = c;
    if (gi == SIZE_MAX) {
      gi = groups.size();
      cands.push_back(gi);
      groups.push_back({std::move(gl), {}, std::string(s.metric.metric_name())});
    }
    groups[gi].buckets.push_back({i, *bound});
  }
  Result r;
  std::vector<Bucket> buckets;
  for (Group& gr : groups) {
    StepSeries o;
    o.metric = gr.labels;
    o.v.assign(g.n, absent_value());
    bool any = false;
    for (size_t step = 0; step < g.n; ++step) {
      buckets.clear();
      for (auto [idx, ub] : gr.buckets) {
        double c = in->vec[idx].v[step];
        if (!is_absent(c)) buckets.push_back({ub, c});
      }
      if (buckets.empty()) continue;
      BucketQuantileResult br = bucket_quantile(q->scalar[step], buckets, v3());
      if (br.forced_monotonic)
        annos_.info("input to histogram_quantile needed to be fixed for monotonicity (see "
                    "https://prometheus.io/docs/prometheus/latest/querying/functions/"
                    "#histogram_quantile) for metric name \"" + gr.metric_name + "\"",
                    opts_.query, n.args[1]->pos);
      o.v[step] = br.value;
      any = true;
    }
    if (any) r.vec.push_back(std::move(o));
  }
  return r;
}

}  // namespace strata::promql
