#include "promql/aggregate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/float_format.h"
#include "base/hash.h"
#include "promql/functions_range.h"
#include "promql/parallel.h"

namespace strata::promql {
namespace {

struct Group {
  Labels labels;
  std::vector<size_t> members;  // indices into the input
};

// Labels a series contributes to its group.
Labels group_labels(const StepSeries& s, const AggSpec& spec) {
  if (spec.without) {
    std::vector<std::string> drop = spec.grouping;
    drop.push_back(std::string(tsdb::kMetricName));
    std::sort(drop.begin(), drop.end());
    return s.metric.without(drop);
  }
  return s.metric.keep(spec.grouping);
}

std::vector<Group> make_groups(const StepVector& in, const AggSpec& spec) {
  std::vector<Group> groups;
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  for (size_t i = 0; i < in.size(); ++i) {
    Labels gl = group_labels(in[i], spec);
    uint64_t h = gl.hash();
    auto& cands = by_hash[h];
    bool found = false;
    for (size_t g : cands) {
      if (groups[g].labels == gl) {
        groups[g].members.push_back(i);
        found = true;
        break;
      }
    }
    if (!found) {
      cands.push_back(groups.size());
      groups.push_back({std::move(gl), {i}});
    }
  }
  return groups;
}

double param_at(const AggSpec& spec, size_t i) {
  return spec.param ? (*spec.param)[i] : std::nan("");
}

// Folds one group's values at one step.
struct Acc {
  double value = 0, c = 0, mean = 0, count = 0;
  bool seen = false, incremental = false;
};

void fold(AggOp op, bool v3, Acc& a, double f) {
  if (!a.seen) {
    a.seen = true;
    a.count = 1;
    switch (op) {
      case AggOp::kStddev:
      case AggOp::kStdvar:
        // Prometheus 3: a group that starts with NaN or ±Inf has no defined
        // deviation (2.x reported 0 for a lone such sample).
        a.value = v3 && !std::isfinite(f) ? std::nan("") : 0;
        a.mean = f;
        return;
      case AggOp::kGroup: a.value = 1; return;
      default: a.value = f; a.c = 0; return;
    }
  }
  a.count++;
  switch (op) {
    case AggOp::kSum:
      if (v3) kahan_inc(f, a.value, a.c);
      else a.value += f;
      break;
    case AggOp::kAvg: {
      if (!v3) {
        // 2.x: incremental mean without compensation.
        if (std::isinf(a.value)) {
          if (std::isinf(f) && (a.value > 0) == (f > 0)) break;
          if (!std::isinf(f) && !std::isnan(f)) break;
        }
        a.value += f / a.count - a.value / a.count;
        break;
      }
      if (!a.incremental) {
        double ns = a.value, nc = a.c;
        kahan_inc(f, ns, nc);
        if (!std::isinf(ns)) {
          a.value = ns;
          a.c = nc;
          break;
        }
        a.incremental = true;
        a.mean = a.value / (a.count - 1);
        a.c /= a.count - 1;
      }
      if (std::isinf(a.mean)) {
        if (std::isinf(f) && (a.mean > 0) == (f > 0)) break;
        if (!std::isinf(f) && !std::isnan(f)) break;
      }
      double cur = a.mean + a.c;
      kahan_inc(f / a.count - cur / a.count, a.mean, a.c);
      break;
    }
    case AggOp::kMax:
      if (a.value < f || std::isnan(a.value)) a.value = f;
      break;
    case AggOp::kMin:
      if (a.value > f || std::isnan(a.value)) a.value = f;
      break;
    case AggOp::kStddev:
    case AggOp::kStdvar: {
      double delta = f - a.mean;
      a.mean += delta / a.count;
      a.value += delta * (f - a.mean);
      break;
    }
    default: break;
  }
}

double finish(AggOp op, bool v3, const Acc& a) {
  switch (op) {
    case AggOp::kSum: return v3 && !std::isinf(a.value) ? a.value + a.c : a.value;
    case AggOp::kAvg:
      if (!v3) return a.value;
      return a.incremental ? a.mean + a.c : (a.value + a.c) / a.count;
    case AggOp::kCount: return a.count;
    case AggOp::kStdvar: return a.value / a.count;
    case AggOp::kStddev: return std::sqrt(a.value / a.count);
    default: return a.value;
  }
}

std::string format_count_value(double v) {
  // strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip,
  // written without an exponent (1e300 is "1" and 300 zeros; to_chars'
  // fixed format would spell out the exact binary value instead).
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, size_t(r.ptr - buf));
  size_t e = sci.find('e');
  std::string out;
  std::string_view mant = sci.substr(0, e);
  if (!mant.empty() && mant[0] == '-') {
    out.push_back('-');
    mant.remove_prefix(1);
  }
  std::string digits;
  for (char c : mant)
    if (c != '.') digits.push_back(c);
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  // Value = 0.digits * 10^(exp + 1).
  int point = exp + 1;
  if (point <= 0) {
    out += "0.";
    out.append(size_t(-point), '0');
    out += digits;
  } else if (size_t(point) >= digits.size()) {
    out += digits;
    out.append(size_t(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, size_t(point));
    out.push_back('.');
    out += digits.substr(size_t(point));
  }
  return out;
}

// Which k series topk/bottomk keep when values tie, and the order an instant
// query returns them in, follow from how Prometheus computes them: a binary
// heap (Go's container/heap) fed the group's series in input order, then
// sorted by Go's sort.Sort, which is an insertion sort up to 12 elements.
// This emulates both, so ties come out as Prometheus returns them. 3.x
// overwrites the root and fixes the heap; 2.x pops the root and pushes.
class KHeap {
 public:
  // `top`: topk's heap (smallest on top); otherwise bottomk's (largest on top).
  // NaN ranks below every number, so it is replaced first.
  KHeap(const StepVector& in, size_t step, bool top, bool v3)
      : in_(in), step_(step), top_(top), v3_(v3) {}

  void offer(size_t m, size_t k) {
    if (h_.size() < k) return push(m);
    double root = val(h_[0]), x = val(m);
    bool better = top_ ? root < x : root > x;
    if (v3_) {
      if (!better && !(std::isnan(root) && !std::isnan(x))) return;
      h_[0] = m;
      if (k > 1) fix(0);
      return;
    }
    if (!better && !std::isnan(root)) return;
    if (k == 1) {
      h_[0] = m;
      return;
    }
    pop();
    push(m);
  }

  // The kept series, best first (sort.Sort(sort.Reverse(heap))).
  const std::vector<size_t>& sorted() {
    auto rev_less = [&](size_t a, size_t b) { return less(b, a); };
    constexpr size_t kGoInsertionSortMax = 12;
    if (h_.size() <= kGoInsertionSortMax) {
      for (size_t i = 1; i < h_.size(); ++i)
        for (size_t j = i; j > 0 && rev_less(h_[j], h_[j - 1]); --j) std::swap(h_[j], h_[j - 1]);
    } else {
      // Go's pdqsort is not emulated beyond 12 elements; ties may differ there.
      std::stable_sort(h_.begin(), h_.end(), rev_less);
    }
    return h_;
  }

 private:
  double val(size_t m) const { return in_[m].v[step_]; }
  // vectorByValueHeap / vectorByReverseValueHeap's Less.
  bool less(size_t a, size_t b) const {
    double va = val(a), vb = val(b);
    if (std::isnan(va)) return true;
    return top_ ? va < vb : va > vb;
  }
  void up(size_t j) {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!less(h_[j], h_[i])) break;
      std::swap(h_[i], h_[j]);
      j = i;
    }
  }
  bool down(size_t i0) {
    size_t i = i0, n = h_.size();
    for (;;) {
      size_t j = 2 * i + 1;
      if (j >= n) break;
      if (j + 1 < n && less(h_[j + 1], h_[j])) ++j;
      if (!less(h_[j], h_[i])) break;
      std::swap(h_[i], h_[j]);
      i = j;
    }
    return i > i0;
  }
  void fix(size_t i) {
    if (!down(i)) up(i);
  }
  void push(size_t m) {
    h_.push_back(m);
    up(h_.size() - 1);
  }
  void pop() {
    std::swap(h_.front(), h_.back());
    h_.pop_back();
    down(0);
  }

  const StepVector& in_;
  size_t step_;
  bool top_, v3_;
  std::vector<size_t> h_;
};

StepVector select_k(const AggSpec& spec, const StepVector& in, const std::vector<Group>& groups,
                    const Grid& grid) {
  // Output arrays are made only for series selected at some step.
  std::vector<std::vector<double>> out(in.size());
  auto keep = [&](size_t m, size_t step) {
    if (out[m].empty()) out[m].assign(grid.n, absent_value());
    out[m][step] = in[m].v[step];
  };
  // For a one-step grid (instant queries), the order Prometheus returns.
  std::vector<size_t> order;
  std::vector<size_t> present;
  std::vector<uint64_t> hashes;
  if (spec.op == AggOp::kLimitk || spec.op == AggOp::kLimitRatio) {
    hashes.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) hashes[i] = in[i].metric.hash();
  }
  for (const Group& g : groups) {
    for (size_t step = 0; step < grid.n; ++step) {
      present.clear();
      for (size_t m : g.members)
        if (!is_absent(in[m].v[step])) present.push_back(m);
      if (present.empty()) continue;
      double p = param_at(spec, step);
      if (spec.op == AggOp::kLimitRatio) {
        // Deterministic sampling by label hash, like Prometheus' limit_ratio.
        for (size_t m : present) {
          double r = double(hashes[m]) / double(std::numeric_limits<uint64_t>::max());
          if (p >= 0 ? r < p : r >= 1 + p) keep(m, step);
        }
        continue;
      }
      if (!(p >= 1)) continue;
      size_t k = p >= double(present.size()) ? present.size() : size_t(p);
      if (spec.op == AggOp::kLimitk) {
        auto by_hash = [&](size_t a, size_t b) { return hashes[a] < hashes[b]; };
        if (k < present.size())
          std::nth_element(present.begin(), present.begin() + long(k), present.end(), by_hash);
        for (size_t j = 0; j < k; ++j) keep(present[j], step);
        continue;
      }
      KHeap heap(in, step, spec.op == AggOp::kTopk, spec.v3);
      for (size_t m : present) heap.offer(m, k);
      for (size_t m : heap.sorted()) {
        keep(m, step);
        if (grid.n == 1) order.push_back(m);
      }
    }
  }
  if (grid.n != 1 || order.empty()) {
    order.clear();
    for (size_t i = 0; i < in.size(); ++i)
      if (!out[i].empty()) order.push_back(i);
  }
  StepVector res;
  res.reserve(order.size());
  for (size_t i : order) {
    StepSeries s;
    s.metric = in[i].metric;
    s.drop_name = in[i].drop_name;
    s.v = std::move(out[i]);
    res.push_back(std::move(s));
  }
  return res;
}

}  // namespace

absl::StatusOr<StepVector> aggregate(const AggSpec& spec, StepVector in, const Grid& grid) {
  std::vector<Group> groups = make_groups(in, spec);
  if (spec.op == AggOp::kTopk || spec.op == AggOp::kBottomk || spec.op == AggOp::kLimitk ||
      spec.op == AggOp::kLimitRatio)
    return select_k(spec, in, groups, grid);

  StepVector out;
  if (spec.op == AggOp::kCountValues) {
    // Output series are keyed by their final labels: groups whose labels end
    // up equal once the value label is set count together. With `without`,
    // Prometheus removes the dropped labels and __name__ after setting the
    // value label, so a value label among them disappears again.
    const bool keep_value_label =
        !spec.without ||
        (spec.count_values_label != tsdb::kMetricName &&
         !std::binary_search(spec.grouping.begin(), spec.grouping.end(), spec.count_values_label));
    absl::flat_hash_map<uint64_t, std::vector<size_t>> index;
    for (const Group& g : groups) {
      for (size_t step = 0; step < grid.n; ++step) {
        for (size_t m : g.members) {
          double v = in[m].v[step];
          if (is_absent(v)) continue;
          Labels l = keep_value_label
                         ? g.labels.with(spec.count_values_label, format_count_value(v))
                         : g.labels;
          auto& cands = index[l.hash()];
          size_t o = SIZE_MAX;
          for (size_t c : cands)
            if (out[c].metric == l) o = c;
          if (o == SIZE_MAX) {
            o = out.size();
            cands.push_back(o);
            StepSeries s;
            s.metric = std::move(l);
            s.v.assign(grid.n, absent_value());
            out.push_back(std::move(s));
          }
          double& slot = out[o].v[step];
          slot = is_absent(slot) ? 1 : slot + 1;
        }
      }
    }
    return out;
  }

  // A group's steps are independent, and so are groups: many groups are
  // reduced in parallel, few (sum without by: one) split their steps.
  std::vector<StepSeries> reduced(groups.size());
  auto reduce_steps = [&](const Group& g, StepSeries& s, size_t b, size_t e) {
    thread_local std::vector<double> scratch;
    thread_local std::vector<Acc> accs;
    if (spec.op == AggOp::kQuantile) {
      for (size_t step = b; step < e; ++step) {
        scratch.clear();
        for (size_t m : g.members) {
          double v = in[m].v[step];
          if (!is_absent(v)) scratch.push_back(v);
        }
        if (!scratch.empty()) s.v[step] = quantile(param_at(spec, step), scratch);
      }
      return;
    }
    // Series by series, so each input array is read sequentially; every step
    // still folds its values in series order, as Prometheus does.
    accs.assign(e - b, Acc{});
    for (size_t m : g.members) {
      const double* v = in[m].v.data();
      if (spec.op == AggOp::kSum && spec.v3) {  // the common case, without the switch
        for (size_t step = b; step < e; ++step) {
          Acc& a = accs[step - b];
          if (is_absent(v[step])) continue;
          if (a.seen) {
            kahan_inc(v[step], a.value, a.c);
          } else {
            a.seen = true;
            a.value = v[step];
          }
        }
        continue;
      }
      for (size_t step = b; step < e; ++step) {
        if (!is_absent(v[step])) fold(spec.op, spec.v3, accs[step - b], v[step]);
      }
    }
    for (size_t step = b; step < e; ++step) {
      if (accs[step - b].seen) s.v[step] = finish(spec.op, spec.v3, accs[step - b]);
    }
  };
  auto reduce = [&](size_t gi, bool split_steps) {
    const Group& g = groups[gi];
    StepSeries& s = reduced[gi];
    s.v.assign(grid.n, absent_value());
    if (split_steps) {
      parallel_for(grid.n, 256, [&](size_t b, size_t e) { reduce_steps(g, s, b, e); });
    } else {
      reduce_steps(g, s, 0, grid.n);
    }
    if (std::all_of(s.v.begin(), s.v.end(), is_absent)) std::vector<double>().swap(s.v);
  };
  if (groups.size() >= 8) {
    parallel_for(groups.size(), 4, [&](size_t b, size_t e) {
      for (size_t gi = b; gi < e; ++gi) reduce(gi, false);
    });
  } else {
    for (size_t gi = 0; gi < groups.size(); ++gi) reduce(gi, true);
  }
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    if (reduced[gi].v.empty()) continue;
    reduced[gi].metric = std::move(groups[gi].labels);
    out.push_back(std::move(reduced[gi]));
  }
  return out;
}


}  // namespace strata::promql
