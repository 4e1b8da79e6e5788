// Vector selectors (lookback, staleness, offset, @), matrix selectors and
// subqueries.
#include <algorithm>
#include <cstring>

#include "promql/evaluator.h"
#include "promql/parallel.h"

namespace strata::promql {
namespace {

// Storage could in theory hold our absent sentinel's bit pattern; read it as NaN.
double canonical(double v) { return is_absent(v) ? std::nan("") : v; }

}  // namespace

int64_t Evaluator::resolve_at(const PlanNode& n, int64_t step_t) const {
  switch (n.at) {
    case AtKind::kNone: return step_t;
    case AtKind::kTimestamp: return n.at_ms;
    case AtKind::kStart: return opts_.query_start_ms;
    case AtKind::kEnd: return opts_.query_end_ms;
  }
  return step_t;
}

std::vector<int64_t> Evaluator::reference_times(const PlanNode& n, const Grid& g) const {
  std::vector<int64_t> r(g.n);
  for (size_t i = 0; i < g.n; ++i) r[i] = resolve_at(n, g.at(i)) - n.offset_ms;
  return r;
}

absl::StatusOr<std::vector<tsdb::Series>> Evaluator::select(const PlanNode& n, int64_t mint,
                                                            int64_t maxt) {
  auto q = db_.querier(mint, maxt);
  if (!q.ok()) return q.status();
  tsdb::SelectHints hints{mint, maxt, 0, n.range_ms, ""};
  auto res = (*q)->select(false, &hints, n.matchers);
  if (!res.ok()) return absl::InternalError(std::string(res.status().message()));
  return res;
}

absl::StatusOr<StepVector> Evaluator::eval_vector_selector(const PlanNode& n, const Grid& g,
                                                           bool timestamps) {
  std::vector<int64_t> refs = reference_times(n, g);
  int64_t lookback = opts_.lookback_ms;
  int64_t maxt = *std::max_element(refs.begin(), refs.end());
  int64_t mint = *std::min_element(refs.begin(), refs.end()) - lookback;
  auto series = select(n, mint, maxt);
  if (!series.ok()) return series.status();
  // Series are decoded and sampled on the step grid in parallel.
  std::vector<StepSeries> slots(series->size());
  std::vector<absl::Status> errors(series->size());
  parallel_for(series->size(), 16, [&](size_t b, size_t e) {
    std::vector<Sample> buf;
    for (size_t si = b; si < e; ++si) {
      const tsdb::Series& s = (*series)[si];
      buf.clear();
      if (auto st = s.decode(mint, maxt, &buf); !st.ok()) {
        errors[si] = absl::InternalError(std::string(st.message()));
        continue;
      }
      if (buf.empty()) continue;
      StepSeries& o = slots[si];
      o.v.assign(g.n, absent_value());
      bool any = false;
      size_t k = 0;  // first sample with t > ref
      for (size_t i = 0; i < g.n; ++i) {
        int64_t ref = refs[i];
        if (i > 0 && ref < refs[i - 1]) k = 0;
        while (k < buf.size() && buf[k].t <= ref) ++k;
        if (k == 0) continue;
        const Sample& last = buf[k - 1];
        bool in_window = v3() ? last.t > ref - lookback : last.t >= ref - lookback;
        if (!in_window || is_stale(last.v)) continue;
        o.v[i] = timestamps ? double(last.t) / 1000 : canonical(last.v);
        any = true;
      }
      if (any) o.metric = s.labels();
      else o.v.clear();
    }
  });
  StepVector out;
  out.reserve(series->size());
  for (size_t si = 0; si < slots.size(); ++si) {
    if (!errors[si].ok()) return errors[si];
    if (slots[si].v.empty()) continue;
    out.push_back(std::move(slots[si]));
    if (auto st = charge(g.n); !st.ok()) return st;
  }
  return out;
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_matrix_selector(const PlanNode& n,
                                                                  const Grid& g) {
  Result r;
  r.kind = ValueKind::kMatrix;
  r.ends = reference_times(n, g);
  r.range_ms = n.range_ms;
  int64_t maxt = *std::max_element(r.ends.begin(), r.ends.end());
  int64_t mint = *std::min_element(r.ends.begin(), r.ends.end()) - n.range_ms;
  auto series = select(n, mint, maxt);
  if (!series.ok()) return series.status();
  std::vector<RangeSeries> slots(series->size());
  std::vector<absl::Status> errors(series->size());
  parallel_for(series->size(), 16, [&](size_t b, size_t e) {
    for (size_t si = b; si < e; ++si) {
      const tsdb::Series& s = (*series)[si];
      RangeSeries& rs = slots[si];
      // Decoded straight into the result, then compacted in place.
      if (auto st = s.decode(mint, maxt, &rs.samples); !st.ok()) {
        errors[si] = absl::InternalError(std::string(st.message()));
        continue;
      }
      size_t k = 0;
      for (const Sample& p : rs.samples) {
        // Stale markers end a series; they are never part of a range.
        if (!is_stale(p.v)) rs.samples[k++] = {p.t, canonical(p.v)};
      }
      rs.samples.resize(k);
      if (!rs.samples.empty()) rs.metric = s.labels();
    }
  });
  for (size_t si = 0; si < slots.size(); ++si) {
    if (!errors[si].ok()) return errors[si];
    if (slots[si].samples.empty()) continue;
    if (auto st = charge(slots[si].samples.size()); !st.ok()) return st;
    r.range.push_back(std::move(slots[si]));
  }
  return r;
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_subquery(const PlanNode& n, const Grid& g) {
  Result r;
  r.kind = ValueKind::kMatrix;
  r.ends = reference_times(n, g);
  r.range_ms = n.range_ms;
  int64_t step = n.step_ms > 0 ? n.step_ms : opts_.engine.default_subquery_step_ms;
  int64_t lo = *std::min_element(r.ends.begin(), r.ends.end()) - n.range_ms;
  int64_t hi = *std::max_element(r.ends.begin(), r.ends.end());
  // First step-aligned time inside the earliest window: after `lo` in
  // Prometheus 3 (left-open windows), at or after it in 2.x.
  int64_t start = step * (lo / step);
  if (v3() ? start <= lo : start < lo) start += step;
  if (start > hi) return r;
  Grid inner = Grid::make(start, hi, step);
  auto res = eval(*n.args[0], inner);
  if (!res.ok()) return res.status();
  if (res->kind == ValueKind::kScalar) {
    RangeSeries rs;
    for (size_t i = 0; i < inner.n; ++i) rs.samples.push_back({inner.at(i), res->scalar[i]});
    r.range.push_back(std::move(rs));
    return r;
  }
  for (StepSeries& s : res->vec) {
    RangeSeries rs;
    rs.metric = std::move(s.metric);
    rs.drop_name = s.drop_name;
    for (size_t i = 0; i < inner.n; ++i) {
      if (!is_absent(s.v[i])) rs.samples.push_back({inner.at(i), s.v[i]});
    }
    if (!rs.samples.empty()) r.range.push_back(std::move(rs));
  }
  return r;
}

}  // namespace strata::promql
