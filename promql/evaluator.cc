#include "promql/evaluator.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "base/stack.h"

namespace strata::promql {

absl::Status Evaluator::interrupted() const {
  if (opts_.cancelled && opts_.cancelled())
    return absl::CancelledError("query was canceled in expression evaluation");
  if (std::chrono::steady_clock::now() > opts_.deadline)
    return absl::DeadlineExceededError("query timed out in expression evaluation");
  return absl::OkStatus();
}

absl::Status Evaluator::check_limits() {
  // Clock reads are cheap but not free: per-series callers look every few calls.
  if ((++checks_ & 15) != 0) return absl::OkStatus();
  return interrupted();
}

absl::Status too_many_samples() {
  return absl::ResourceExhaustedError(
      "query processing would load too many samples into memory in query execution");
}

absl::Status Evaluator::charge(size_t points) {
  current_samples_ += points;
  if (int64_t(current_samples_) > opts_.engine.max_samples) return too_many_samples();
  return check_limits();
}

absl::Status Evaluator::charged_batches(size_t n, size_t slots_per_item,
                                        const std::function<absl::Status(size_t, size_t)>& fn) {
  // Large enough to keep every core busy, small enough that a batch refused
  // for the budget was never much bigger than the budget.
  constexpr size_t kMaxBatch = 256;
  const size_t per = std::max<size_t>(1, slots_per_item);
  for (size_t b = 0; b < n;) {
    if (auto st = interrupted(); !st.ok()) return st;
    size_t max = size_t(std::max<int64_t>(0, opts_.engine.max_samples));
    size_t room = max > current_samples_ ? (max - current_samples_) / per : 0;
    size_t len = std::min({std::max<size_t>(room, 1), kMaxBatch, n - b});
    if (auto st = charge(len * per); !st.ok()) return st;
    if (auto st = fn(b, b + len); !st.ok()) return st;
    b += len;
  }
  return absl::OkStatus();
}

void Evaluator::drop_name(StepSeries& s) const {
  if (opts_.delayed_name_removal) {
    s.drop_name = true;
  } else {
    s.metric = s.metric.without_metric_name();
  }
}

absl::Status Evaluator::dedupe(StepVector& v, const Grid& g, SameLabels rule) {
  absl::flat_hash_map<uint64_t, std::vector<size_t>> seen;
  std::vector<bool> removed(v.size(), false);
  bool any_removed = false;
  for (size_t i = 0; i < v.size(); ++i) {
    auto& cands = seen[v[i].metric.hash()];
    size_t into = SIZE_MAX;
    for (size_t c : cands) {
      if (v[c].metric == v[i].metric) into = c;
    }
    if (into == SIZE_MAX) {
      cands.push_back(i);
      continue;
    }
    if (rule == SameLabels::kAnywhere)
      return absl::UnknownError("vector cannot contain metrics with the same labelset");
    // Same labels twice: fine as long as they never have a value at the same step.
    for (size_t step = 0; step < g.n; ++step) {
      if (is_absent(v[i].v[step])) continue;
      if (!is_absent(v[into].v[step]))
        return absl::UnknownError("vector cannot contain metrics with the same labelset");
      v[into].v[step] = v[i].v[step];
    }
    removed[i] = any_removed = true;
  }
  if (any_removed) {
    size_t k = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      if (removed[i]) continue;
      // Never move onto itself: a self-moved vector is left empty.
      if (k != i) v[k] = std::move(v[i]);
      ++k;
    }
    v.resize(k);
  }
  return absl::OkStatus();
}

absl::StatusOr<Evaluator::Result> Evaluator::eval(const PlanNode& n, const Grid& g) {
  if (auto s = interrupted(); !s.ok()) return s;
  // The parser only builds trees that fit the stack (parser_impl.h); this
  // catches evaluation on a thread with a smaller stack than the parser's.
  if (stack_exhausted())
    return absl::ResourceExhaustedError("query is nested too deeply to evaluate on this thread");
  using K = PlanNode::Kind;
  switch (n.kind) {
    case K::kNumber: {
      Result r;
      r.kind = ValueKind::kScalar;
      r.scalar.assign(g.n, n.number);
      return r;
    }
    case K::kString: {
      Result r;
      r.kind = ValueKind::kString;
      r.str = n.str;
      return r;
    }
    case K::kVectorSelector: {
      auto v = eval_vector_selector(n, g, false);
      if (!v.ok()) return v.status();
      Result r;
      r.vec = std::move(*v);
      return r;
    }
    case K::kMatrixSelector: return eval_matrix_selector(n, g);
    case K::kSubquery: return eval_subquery(n, g);
    case K::kCall: return eval_call(n, g);
    case K::kAggregate: return eval_aggregate(n, g);
    case K::kBinary: return eval_binary(n, g);
    case K::kUnaryMinus: return eval_unary_minus(n, g);
  }
  return absl::InternalError("unknown plan node");
}

absl::StatusOr<Value> Evaluator::run(const PlanNode& root, const Grid& grid, bool instant) {
  auto res = eval(root, grid);
  if (!res.ok()) return res.status();
  Result& r = *res;
  if (r.kind == ValueKind::kString) return Value{String{grid.start_ms, r.str}};
  if (r.kind == ValueKind::kScalar) {
    if (instant) return Value{Scalar{grid.start_ms, r.scalar[0]}};
    MatrixSeries s;
    for (size_t i = 0; i < grid.n; ++i) s.points.push_back({grid.at(i), r.scalar[i]});
    return Value{Matrix{std::move(s)}};
  }
  if (r.kind == ValueKind::kMatrix) {
    Matrix m;
    for (RangeSeries& s : r.range) {
      if (s.drop_name) s.metric = s.metric.without_metric_name();
      MatrixSeries ms{std::move(s.metric), {}};
      int64_t end = r.ends.empty() ? grid.start_ms : r.ends[0];
      for (const Sample& p : s.samples) {
        bool in = v3() ? p.t > end - r.range_ms : p.t >= end - r.range_ms;
        if (in && p.t <= end) ms.points.push_back({p.t, p.v});
      }
      if (!ms.points.empty()) m.push_back(std::move(ms));
    }
    std::sort(m.begin(), m.end(),
              [](const MatrixSeries& a, const MatrixSeries& b) { return a.metric < b.metric; });
    for (size_t i = 1; i < m.size(); ++i) {
      if (m[i].metric == m[i - 1].metric)
        return absl::UnknownError("vector cannot contain metrics with the same labelset");
    }
    return Value{std::move(m)};
  }
  // Instant vector: apply delayed name removal, then check for duplicates.
  bool any_drop = false;
  for (StepSeries& s : r.vec) {
    if (s.drop_name) {
      s.metric = s.metric.without_metric_name();
      s.drop_name = false;
      any_drop = true;
    }
  }
  if (any_drop) {
    if (auto st = dedupe(r.vec, grid); !st.ok()) return st;
  }
  if (instant) {
    Vector v;
    for (StepSeries& s : r.vec) {
      if (!is_absent(s.v[0])) v.push_back({std::move(s.metric), grid.start_ms, s.v[0]});
    }
    return Value{std::move(v)};
  }
  Matrix m;
  m.reserve(r.vec.size());
  for (StepSeries& s : r.vec) {
    MatrixSeries ms{std::move(s.metric), {}};
    for (size_t i = 0; i < grid.n; ++i) {
      if (!is_absent(s.v[i])) ms.points.push_back({grid.at(i), s.v[i]});
    }
    if (!ms.points.empty()) m.push_back(std::move(ms));
  }
  std::sort(m.begin(), m.end(),
            [](const MatrixSeries& a, const MatrixSeries& b) { return a.metric < b.metric; });
  return Value{std::move(m)};
}

}  // namespace strata::promql
