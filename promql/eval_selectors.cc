// Vector selectors (lookback, staleness, offset, @), matrix selectors and
// subqueries.
#include <algorithm>
#include <cstring>
#include <optional>

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

absl::Status Evaluator::select_streamed(
    const PlanNode& n, int64_t mint, int64_t maxt,
    const std::function<absl::Status(std::vector<tsdb::Series>&)>& process) {
  auto q = db_.querier(mint, maxt);
  if (!q.ok()) return q.status();
  tsdb::SelectOptions opts{.start_ms = mint, .end_ms = maxt, .range_ms = n.range_ms};
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->select(opts, n.matchers);
  // Storage builds series as they are read, one thread's work; decoding
  // them is the bigger part. So while this thread reads the next chunks, a
  // pool worker processes the chunks already read, one at a time and in
  // order; the chunks left when reading ends are processed with the whole
  // pool.
  constexpr size_t kChunk = 256;
  std::vector<std::vector<tsdb::Series>> pending;
  std::vector<tsdb::Series> handed;  // the chunk `task` processes
  absl::Status bg_status;            // and how that went
  std::optional<PoolTask> task;
  auto finish_task = [&]() -> absl::Status {
    if (!task) return absl::OkStatus();
    task.reset();  // joins
    handed.clear();
    return bg_status;
  };
  bool eof = false;
  while (!eof) {
    std::vector<tsdb::Series> chunk;
    chunk.reserve(kChunk);
    while (chunk.size() < kChunk) {
      if (!set->next()) {
        eof = true;
        break;
      }
      chunk.push_back(std::move(set->at()));
    }
    if (!chunk.empty()) pending.push_back(std::move(chunk));
    // A cancelled or timed-out query stops here instead of after every
    // matching series was built.
    if (auto st = interrupted(); !st.ok()) return st;
    if (task && task->done()) {
      if (auto st = finish_task(); !st.ok()) return st;
    }
    // One chunk at a time: processing is slower than reading, and whatever
    // the worker still holds when reading ends is processed on one thread.
    if (!task && !eof && !pending.empty()) {
      handed = std::move(pending.front());
      pending.erase(pending.begin());
      task.emplace([&] { bg_status = process(handed); });
    }
  }
  if (auto st = finish_task(); !st.ok()) return st;
  if (!set->status().ok()) return absl::InternalError(std::string(set->status().message()));
  for (auto& c : pending) {
    if (auto st = process(c); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<StepVector> Evaluator::eval_vector_selector(const PlanNode& n, const Grid& g,
                                                           bool timestamps) {
  std::vector<int64_t> refs = reference_times(n, g);
  int64_t lookback = opts_.lookback_ms;
  int64_t maxt = *std::max_element(refs.begin(), refs.end());
  int64_t mint = *std::min_element(refs.begin(), refs.end()) - lookback;
  // Series are decoded and sampled on the step grid in parallel, a batch at a
  // time, each batch's dense arrays charged before they exist.
  StepVector out;
  std::vector<StepSeries> slots;
  std::vector<absl::Status> errors;
  auto process = [&](std::vector<tsdb::Series>& series) -> absl::Status {
    slots.assign(series.size(), StepSeries{});
    errors.assign(series.size(), absl::OkStatus());
    auto batch = [&](size_t b0, size_t e0) -> absl::Status {
      parallel_for(e0 - b0, 16, [&](size_t b, size_t e) {
        std::vector<Sample> buf;
        for (size_t si = b0 + b; si < b0 + e; ++si) {
          tsdb::Series& s = series[si];
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
          if (any) o.metric = std::move(s.mutable_labels());
          else std::vector<double>().swap(o.v);
        }
      });
      for (size_t si = b0; si < e0; ++si) {
        if (!errors[si].ok()) return errors[si];
        if (slots[si].v.empty()) {
          release(g.n);
          continue;
        }
        out.push_back(std::move(slots[si]));
      }
      return absl::OkStatus();
    };
    return charged_batches(series.size(), g.n, batch);
  };
  if (auto st = select_streamed(n, mint, maxt, process); !st.ok()) return st;
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
  // Decoded a batch at a time and charged per batch: the sample count of a
  // series is known only once it is decoded.
  std::vector<RangeSeries> slots;
  std::vector<absl::Status> errors;
  auto process = [&](std::vector<tsdb::Series>& series) -> absl::Status {
    slots.assign(series.size(), RangeSeries{});
    errors.assign(series.size(), absl::OkStatus());
    auto batch = [&](size_t b0, size_t e0) -> absl::Status {
      parallel_for(e0 - b0, 16, [&](size_t b, size_t e) {
        for (size_t si = b0 + b; si < b0 + e; ++si) {
          tsdb::Series& s = series[si];
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
          if (!rs.samples.empty()) rs.metric = std::move(s.mutable_labels());
        }
      });
      for (size_t si = b0; si < e0; ++si) {
        if (!errors[si].ok()) return errors[si];
        if (slots[si].samples.empty()) continue;
        if (auto st = charge(slots[si].samples.size()); !st.ok()) return st;
        r.range.push_back(std::move(slots[si]));
      }
      return absl::OkStatus();
    };
    return charged_batches(series.size(), 0, batch);
  };
  if (auto st = select_streamed(n, mint, maxt, process); !st.ok()) return st;
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
  // Every series of the inner expression holds one slot per inner step: a
  // grid longer than the whole budget cannot be evaluated (and its step
  // arrays alone would exhaust memory).
  if (uint64_t(hi - start) / uint64_t(step) >= uint64_t(std::max<int64_t>(0, opts_.engine.max_samples)))
    return too_many_samples();
  Grid inner = Grid::make(start, hi, step);
  auto res = eval(*n.args[0], inner);
  if (!res.ok()) return res.status();
  if (res->kind == ValueKind::kScalar) {
    if (auto st = charge(inner.n); !st.ok()) return st;
    RangeSeries rs;
    rs.samples.reserve(inner.n);
    for (size_t i = 0; i < inner.n; ++i) rs.samples.push_back({inner.at(i), res->scalar[i]});
    r.range.push_back(std::move(rs));
    return r;
  }
  // Converted series by series, so at most one series exists twice: its
  // step slots leave the budget as its points enter it (the same samples,
  // as Prometheus counts them).
  for (StepSeries& s : res->vec) {
    size_t points = size_t(std::count_if(s.v.begin(), s.v.end(), [](double x) { return !is_absent(x); }));
    release(inner.n);
    if (auto st = charge(points); !st.ok()) return st;
    RangeSeries rs;
    rs.metric = std::move(s.metric);
    rs.drop_name = s.drop_name;
    rs.samples.reserve(points);
    for (size_t i = 0; i < inner.n; ++i) {
      if (!is_absent(s.v[i])) rs.samples.push_back({inner.at(i), s.v[i]});
    }
    std::vector<double>().swap(s.v);
    if (!rs.samples.empty()) r.range.push_back(std::move(rs));
  }
  return r;
}

}  // namespace strata::promql
