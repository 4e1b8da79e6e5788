#include "promql/functions_range.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace strata::promql {
namespace {

using Span = std::pair<const Sample*, const Sample*>;  // [first, last)

// The increase over the window with counter resets corrected (each reset adds
// the value before it), summed in sample order as Prometheus does.
double counter_increase(Span w) {
  const Sample* s = w.first;
  size_t n = size_t(w.second - w.first);
  double result = s[n - 1].v - s[0].v;
  double prev = s[0].v;
  for (size_t i = 1; i < n; ++i) {
    if (s[i].v < prev) result += prev;
    prev = s[i].v;
  }
  return result;
}

// The time terms of rate's extrapolation depend only on four integers: the
// gaps from the window's start to its first sample and from its last sample
// to the window's end, the span between them and the sample count. Regular
// data (scrapes aligned to their interval, steps a multiple of it) repeats
// them step after step and series after series, so the last computation is
// kept and its four divisions (six with the factor) are skipped on a match.
// The values computed are the same either way.
struct RateTerms {
  int64_t d_start = -1, d_end = -1, d_sampled = -1;
  size_t n = 0;
  double to_start = 0, to_end = 0, sampled = 0, avg = 0;
  double clamp_to_start = 0;  // to_start as the zero clamp compares it
  double factor = 0;          // the factor when the zero clamp does not apply

  void update(int64_t ds, int64_t de, int64_t dd, size_t count, double range_s, bool is_rate,
              bool v2) {
    if (ds == d_start && de == d_end && dd == d_sampled && count == n) return;
    d_start = ds, d_end = de, d_sampled = dd, n = count;
    to_start = double(ds) / 1000;
    to_end = double(de) / 1000;
    sampled = double(dd) / 1000;
    avg = sampled / double(count - 1);
    double threshold = avg * 1.1;
    double interval = sampled;
    if (v2) {
      clamp_to_start = to_start;
      interval += to_start < threshold ? to_start : avg / 2;
      interval += to_end < threshold ? to_end : avg / 2;
    } else {
      clamp_to_start = to_start >= threshold ? avg / 2 : to_start;
      interval += clamp_to_start;
      interval += to_end >= threshold ? avg / 2 : to_end;
    }
    factor = interval / sampled;
    if (is_rate) factor /= range_s;
  }
};

// `result` is the raw difference (counters: with resets corrected).
double extrapolated_rate(Span w, double result, int64_t range_start, int64_t range_end,
                         double range_s, bool is_counter, bool is_rate, bool v2, RateTerms* terms) {
  size_t n = size_t(w.second - w.first);
  const Sample* s = w.first;
  terms->update(s[0].t - range_start, range_end - s[n - 1].t, s[n - 1].t - s[0].t, n, range_s,
                is_rate, v2);
  // Counters cannot go below zero: do not extrapolate past the zero point.
  // When the first value is at least the increase, to_zero >= sampled
  // (correctly rounded v/result >= 1), so with to_start <= sampled the
  // clamp cannot apply: skip its division (the common case).
  const double sampled = terms->sampled;
  if (!(is_counter && result > 0 && s[0].v >= 0 &&
        !(s[0].v >= result && terms->clamp_to_start <= sampled)))
    return result * terms->factor;
  const double to_zero = sampled * (s[0].v / result);
  double to_start = terms->to_start, to_end = terms->to_end, avg = terms->avg;
  double threshold = avg * 1.1;
  double interval = sampled;
  if (v2) {
    if (to_zero < to_start) to_start = to_zero;
    interval += to_start < threshold ? to_start : avg / 2;
    interval += to_end < threshold ? to_end : avg / 2;
  } else {
    if (to_start >= threshold) to_start = avg / 2;
    if (to_zero < to_start) to_start = to_zero;
    interval += to_start;
    if (to_end >= threshold) to_end = avg / 2;
    interval += to_end;
  }
  double factor = interval / sampled;
  if (is_rate) factor /= range_s;
  return result * factor;
}

double instant_value(Span w, bool is_rate, bool* ok) {
  size_t n = size_t(w.second - w.first);
  const Sample& last = w.first[n - 1];
  const Sample& prev = w.first[n - 2];
  double r = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  int64_t dt = last.t - prev.t;
  if (dt == 0) {
    *ok = false;
    return 0;
  }
  if (is_rate) r /= double(dt) / 1000;
  *ok = true;
  return r;
}

void linear_regression(Span w, int64_t intercept_t, bool v2, double* slope, double* intercept) {
  auto kahan_inc = v2 ? kahan_inc_v2 : promql::kahan_inc;
  double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  double init_y = w.first->v;
  bool const_y = true;
  for (const Sample* p = w.first; p != w.second; ++p) {
    if (const_y && p != w.first && p->v != init_y) const_y = false;
    n += 1;
    double x = double(p->t - intercept_t) / 1e3;
    kahan_inc(x, sx, cx);
    kahan_inc(p->v, sy, cy);
    kahan_inc(x * p->v, sxy, cxy);
    kahan_inc(x * x, sx2, cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = *intercept = std::nan("");
    } else {
      *slope = 0;
      *intercept = init_y;
    }
    return;
  }
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  double cov = sxy - sx * sy / n;
  double var = sx2 - sx * sx / n;
  *slope = cov / var;
  *intercept = sy / n - *slope * sx / n;
}

// Per-series prefix data that turns the common functions into O(1) per step:
// counts of non-finite values, counter resets and value changes, and
// double-double prefix sums (error ~1e-32 relative to the running total, far
// below the 1e-9 relative agreement we keep with Prometheus' Kahan sums).
struct Prefix {
  std::vector<uint32_t> nonfinite;  // [k] = non-finite values among samples [0, k)
  // Indices j with v[j] < v[j-1], ascending: counter resets are rare, so a
  // list of them is built in a predictable-branch pass and looked up by
  // binary search (a dense running count carried a store-to-load dependency
  // through every sample).
  std::vector<uint32_t> reset_at;
  std::vector<uint32_t> changes;    // [k] = j in [1, k) with v[j] != v[j-1] (NaN == NaN)
  std::vector<double> hi, lo;       // [k] = sum of values [0, k) as hi + lo

  // Builds only what the function reads: resets (rate, increase, resets),
  // changes (changes), non-finite counts and sums (sum/avg_over_time).
  void build(const std::vector<Sample>& s, bool want_resets, bool want_changes, bool sums) {
    size_t n = s.size();
    if (want_resets) {
      reset_at.clear();
      for (size_t k = 1; k < n; ++k) {
        if (s[k].v < s[k - 1].v) [[unlikely]] reset_at.push_back(uint32_t(k));
      }
    }
    if (want_changes) {
      changes.resize(n + 1);
      changes[0] = changes[1] = 0;
      for (size_t k = 1; k < n; ++k) {
        double v = s[k].v, p = s[k - 1].v;
        changes[k + 1] = changes[k] + (v != p && !(std::isnan(v) && std::isnan(p)) ? 1 : 0);
      }
    }
    if (sums) {
      nonfinite.resize(n + 1);
      hi.resize(n + 1);
      lo.resize(n + 1);
      nonfinite[0] = 0;
      hi[0] = lo[0] = 0;
      for (size_t k = 0; k < n; ++k) {
        double v = s[k].v;
        nonfinite[k + 1] = nonfinite[k] + (std::isfinite(v) ? 0 : 1);
        // TwoSum keeps the exact rounding error of every addition.
        double a = hi[k], b = std::isfinite(v) ? v : 0;
        double t = a + b, bb = t - a;
        double err = (a - (t - bb)) + (b - bb);
        hi[k + 1] = t;
        lo[k + 1] = lo[k] + err;
      }
    }
  }
  // Resets at indices in [a, b).
  size_t resets(size_t a, size_t b) const {
    if (reset_at.empty()) return 0;
    auto first = std::lower_bound(reset_at.begin(), reset_at.end(), uint32_t(a));
    return size_t(std::lower_bound(first, reset_at.end(), uint32_t(b)) - first);
  }
  // Sum of values [a, b), all finite.
  double sum(size_t a, size_t b) const {
    double x = hi[b], y = -hi[a];
    double t = x + y, bb = t - x;
    double err = (x - (t - bb)) + (y - bb);
    return t + (err + (lo[b] - lo[a]));
  }
};

double avg_of(Span w) {
  double sum = 0, mean = 0, count = 0, c = 0;
  bool incremental = false;
  for (const Sample* p = w.first; p != w.second; ++p) {
    count++;
    if (!incremental) {
      double ns = sum, nc = c;
      kahan_inc(p->v, ns, nc);
      if (count == 1 || !std::isinf(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      // The sum overflowed: continue with an incremental mean.
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    if (std::isinf(mean)) {
      if (std::isinf(p->v) && (mean > 0) == (p->v > 0)) continue;
      if (!std::isinf(p->v) && !std::isnan(p->v)) continue;
    }
    double corrected = mean + c;
    kahan_inc(p->v / count - corrected / count, mean, c);
  }
  if (incremental) return mean + c;
  return (sum + c) / count;
}

// Prometheus 2.x's avg_over_time: a compensated incremental mean from the
// first sample on (3.x sums first and divides once).
double avg_of_v2(Span w) {
  double mean = 0, count = 0, c = 0;
  for (const Sample* p = w.first; p != w.second; ++p) {
    count++;
    if (std::isinf(mean)) {
      if (std::isinf(p->v) && (mean > 0) == (p->v > 0)) continue;
      if (!std::isinf(p->v) && !std::isnan(p->v)) continue;
    }
    kahan_inc_v2(p->v / count - mean / count, mean, c);
  }
  return std::isinf(mean) ? mean : mean + c;
}

double variance_of(Span w, bool v2) {
  auto inc = v2 ? kahan_inc_v2 : kahan_inc;
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const Sample* p = w.first; p != w.second; ++p) {
    count++;
    double delta = p->v - (mean + cmean);
    inc(delta / count, mean, cmean);
    inc(delta * (p->v - (mean + cmean)), aux, caux);
  }
  return (aux + caux) / count;
}

std::string fmt_f(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%f", v);
  return buf;
}

// min/max_over_time in O(1) amortised per step: a monotonic deque of the
// non-NaN samples in the window. Ties keep the earliest sample, and a window
// of NaNs only yields NaN, exactly like scanning the window.
void sliding_min_max(const RangeCall& call, const std::vector<Sample>& samples, double* out) {
  const std::vector<int64_t>& ends = *call.window_ends;
  bool is_max = call.fn == RangeFn::kMaxOverTime;
  std::vector<size_t> dq(samples.size());
  size_t head = 0, tail = 0;  // dq[head, tail)
  size_t lo = 0, hi = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    int64_t end = ends[i], start = end - call.range_ms;
    if (i > 0 && end < ends[i - 1]) lo = hi = head = tail = 0;
    while (hi < samples.size() && samples[hi].t <= end) {
      double v = samples[hi].v;
      if (!std::isnan(v)) {
        while (tail > head && (is_max ? samples[dq[tail - 1]].v < v : samples[dq[tail - 1]].v > v))
          --tail;
        dq[tail++] = hi;
      }
      ++hi;
    }
    while (lo < hi && (call.left_open ? samples[lo].t <= start : samples[lo].t < start)) ++lo;
    while (head < tail && dq[head] < lo) ++head;
    if (hi == lo) {
      out[i] = absent_value();
    } else {
      out[i] = head < tail ? samples[dq[head]].v : std::nan("");
    }
  }
}

}  // namespace

double quantile(double phi, std::vector<double>& values) {
  if (values.empty() || std::isnan(phi)) return std::nan("");
  if (phi < 0) return -std::numeric_limits<double>::infinity();
  if (phi > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end(), [](double a, double b) {
    // NaNs sort first like Go's sort.Float64s.
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  double n = double(values.size());
  double rank = phi * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[size_t(lower)] * (1 - weight) + values[size_t(upper)] * weight;
}

namespace {

// rate, increase and delta at every step: most dashboards' inner loop, kept
// to a few loads and compares per step (the general loop below pays a switch
// and its bookkeeping on every step).
absl::Status rate_steps(const RangeCall& call, const std::vector<Sample>& samples, double* out) {
  const std::vector<int64_t>& ends = *call.window_ends;
  const Sample* s = samples.data();
  const size_t ns = samples.size();
  const bool counter = call.fn != RangeFn::kDelta;
  const bool is_rate = call.fn == RangeFn::kRate;
  const double range_s = double(call.range_ms) / 1000;
  thread_local Prefix pre;
  const bool indexed = counter && ns >= 16;
  if (indexed) pre.build(samples, true, false, false);
  RateTerms terms;
  size_t lo = 0, hi = 0;
  size_t rescanned = 0;  // samples counter_increase walked since the last poll
  for (size_t i = 0; i < ends.size(); ++i) {
    const int64_t end = ends[i];
    const int64_t start = end - call.range_ms;
    if (i > 0 && end < ends[i - 1]) lo = hi = 0;
    while (hi < ns && s[hi].t <= end) ++hi;
    // Window: (start, end] in Prometheus 3, [start, end] in 2.x.
    const int64_t drop_upto = call.left_open ? start : start - 1;
    while (lo < hi && s[lo].t <= drop_upto) ++lo;
    if (hi - lo < 2) {
      out[i] = absent_value();
      continue;
    }
    Span w{s + lo, s + hi};
    double raw;
    if (!counter || (indexed && pre.resets(lo + 1, hi) == 0)) {
      raw = s[hi - 1].v - s[lo].v;
    } else {
      raw = counter_increase(w);
      rescanned += hi - lo;
    }
    out[i] = extrapolated_rate(w, raw, start, end, range_s, counter, is_rate,
                               call.v2_extrapolation, &terms);
    if ((i & 0xffff) == 0xffff || rescanned >= (size_t(1) << 18)) {
      rescanned = 0;
      if (call.should_stop && (*call.should_stop)())
        return absl::AbortedError("range function interrupted");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status eval_range_function(const RangeCall& call, const std::vector<Sample>& samples,
                                 double* out) {
  if (call.fn == RangeFn::kMinOverTime || call.fn == RangeFn::kMaxOverTime) {
    sliding_min_max(call, samples, out);
    return absl::OkStatus();
  }
  if (call.fn == RangeFn::kRate || call.fn == RangeFn::kIncrease || call.fn == RangeFn::kDelta)
    return rate_steps(call, samples, out);
  const std::vector<int64_t>& ends = *call.window_ends;
  size_t lo = 0, hi = 0;
  const Sample* base = samples.data();
  std::vector<double> scratch;
  size_t work = 0;  // window samples visited since the last should_stop poll
  thread_local Prefix pre;  // reused: keeps its capacity across series
  const bool want_resets = call.fn == RangeFn::kResets;
  const bool want_changes = call.fn == RangeFn::kChanges;
  const bool want_sums = call.fn == RangeFn::kSumOverTime || call.fn == RangeFn::kAvgOverTime;
  // Beyond a handful of samples the prefix pass is cheaper than rescanning windows.
  bool fast = (want_resets || want_changes || want_sums) && samples.size() >= 16;
  if (fast) pre.build(samples, want_resets, want_changes, want_sums);
  for (size_t i = 0; i < ends.size(); ++i) {
    int64_t end = ends[i];
    int64_t start = end - call.range_ms;
    // Window: (start, end] in Prometheus 3, [start, end] in 2.x.
    if (i > 0 && ends[i] < ends[i - 1]) lo = hi = 0;
    while (hi < samples.size() && samples[hi].t <= end) ++hi;
    while (lo < hi && (call.left_open ? samples[lo].t <= start : samples[lo].t < start)) ++lo;
    out[i] = absent_value();
    size_t n = hi - lo;
    if (n == 0) continue;
    work += n;
    if (work >= (size_t(1) << 18) && call.should_stop) {
      work = 0;
      if ((*call.should_stop)()) return absl::AbortedError("range function interrupted");
    }
    Span w{base + lo, base + hi};
    switch (call.fn) {
      case RangeFn::kRate:
      case RangeFn::kIncrease:
      case RangeFn::kDelta: break;  // rate_steps
      case RangeFn::kIrate:
      case RangeFn::kIdelta: {
        if (n < 2) break;
        bool ok;
        double v = instant_value(w, call.fn == RangeFn::kIrate, &ok);
        if (ok) out[i] = v;
        break;
      }
      case RangeFn::kAvgOverTime:
        if (call.v2_extrapolation) {
          out[i] = avg_of_v2(w);
        } else {
          out[i] = fast && pre.nonfinite[hi] == pre.nonfinite[lo] ? pre.sum(lo, hi) / double(n)
                                                                  : avg_of(w);
        }
        break;
      case RangeFn::kSumOverTime: {
        if (fast && pre.nonfinite[hi] == pre.nonfinite[lo]) {
          out[i] = pre.sum(lo, hi);
          break;
        }
        double sum = 0, c = 0;
        for (const Sample* p = w.first; p != w.second; ++p) kahan_inc(p->v, sum, c);
        out[i] = std::isinf(sum) ? sum : sum + c;
        break;
      }
      case RangeFn::kCountOverTime: out[i] = double(n); break;
      case RangeFn::kMinOverTime:
      case RangeFn::kMaxOverTime: {
        bool is_max = call.fn == RangeFn::kMaxOverTime;
        double m = w.first->v;
        for (const Sample* p = w.first; p != w.second; ++p) {
          if ((is_max ? p->v > m : p->v < m) || std::isnan(m)) m = p->v;
        }
        out[i] = m;
        break;
      }
      case RangeFn::kTsOfMinOverTime:
      case RangeFn::kTsOfMaxOverTime: {
        bool is_max = call.fn == RangeFn::kTsOfMaxOverTime;
        double m = w.first->v;
        int64_t t = w.first->t;
        for (const Sample* p = w.first; p != w.second; ++p) {
          if ((is_max ? p->v >= m : p->v <= m) || std::isnan(m)) {
            if (!std::isnan(p->v) || std::isnan(m)) m = p->v, t = p->t;
          }
        }
        out[i] = double(t) / 1000;
        break;
      }
      case RangeFn::kLastOverTime: out[i] = w.second[-1].v; break;
      case RangeFn::kFirstOverTime: out[i] = w.first->v; break;
      case RangeFn::kTsOfLastOverTime: out[i] = double(w.second[-1].t) / 1000; break;
      case RangeFn::kTsOfFirstOverTime: out[i] = double(w.first->t) / 1000; break;
      case RangeFn::kPresentOverTime: out[i] = 1; break;
      case RangeFn::kStdvarOverTime: out[i] = variance_of(w, call.v2_extrapolation); break;
      case RangeFn::kStddevOverTime: out[i] = std::sqrt(variance_of(w, call.v2_extrapolation)); break;
      case RangeFn::kQuantileOverTime: {
        scratch.clear();
        for (const Sample* p = w.first; p != w.second; ++p) scratch.push_back(p->v);
        out[i] = quantile((*call.param0)[i], scratch);
        break;
      }
      case RangeFn::kMadOverTime: {
        scratch.clear();
        for (const Sample* p = w.first; p != w.second; ++p) scratch.push_back(p->v);
        double median = quantile(0.5, scratch);
        for (double& v : scratch) v = std::fabs(v - median);
        out[i] = quantile(0.5, scratch);
        break;
      }
      case RangeFn::kChanges:
      case RangeFn::kResets: {
        if (fast) {
          out[i] = call.fn == RangeFn::kChanges ? double(pre.changes[hi] - pre.changes[lo + 1])
                                                : double(pre.resets(lo + 1, hi));
          break;
        }
        double count = 0;
        double prev = w.first->v;
        for (const Sample* p = w.first + 1; p < w.second; ++p) {
          double cur = p->v;
          if (call.fn == RangeFn::kChanges) {
            if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) count++;
          } else if (cur < prev) {
            count++;
          }
          prev = cur;
        }
        out[i] = count;
        break;
      }
      case RangeFn::kDeriv: {
        if (n < 2) break;
        double slope, intercept;
        linear_regression(w, w.first->t, call.v2_extrapolation, &slope, &intercept);
        out[i] = slope;
        break;
      }
      case RangeFn::kPredictLinear: {
        if (n < 2) break;
        double slope, intercept;
        linear_regression(w, (*call.eval_ts)[i], call.v2_extrapolation, &slope, &intercept);
        out[i] = slope * (*call.param0)[i] + intercept;
        break;
      }
      case RangeFn::kDoubleExponentialSmoothing: {
        double sf = (*call.param0)[i], tf = (*call.param1)[i];
        if (sf <= 0 || sf >= 1)
          return absl::UnknownError(
              "invalid smoothing factor. Expected: 0 < sf < 1, got: " + fmt_f(sf));
        if (tf <= 0 || tf >= 1)
          return absl::UnknownError(
              "invalid trend factor. Expected: 0 < tf < 1, got: " + fmt_f(tf));
        if (n < 2) break;
        double s0 = 0, s1 = w.first[0].v, b = w.first[1].v - w.first[0].v;
        for (size_t k = 1; k < n; ++k) {
          double x = sf * w.first[k].v;
          if (k > 1) b = tf * (s1 - s0) + (1 - tf) * b;
          double y = (1 - sf) * (s1 + b);
          s0 = s1;
          s1 = x + y;
        }
        out[i] = s1;
        break;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace strata::promql
