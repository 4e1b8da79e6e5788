#include "promql/binary.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"

namespace strata::promql {
namespace {

// Labels used to match series: the `on` labels, or all but the `ignoring`
// labels and __name__.
Labels match_labels(const Labels& l, const Matching& m) {
  if (m.on) return l.keep(m.labels);
  std::vector<std::string> drop = m.labels;
  drop.push_back(std::string(tsdb::kMetricName));
  std::sort(drop.begin(), drop.end());
  return l.without(drop);
}

bool drops_name(BinOp op, bool return_bool, bool v2) {
  if (v2 && op == BinOp::kAtan2) return false;
  // Arithmetic always drops the metric name; comparisons only with `bool`.
  return !parser::is_set_operator(op) && (!parser::is_comparison(op) || return_bool);
}

Labels result_metric(const Labels& many, const Labels& one, BinOp op, const Matching& m,
                     bool return_bool, bool drop_name_late, bool v2, bool* drop_flag) {
  Labels out = many;
  bool drop = drops_name(op, return_bool, v2);
  if (drop && !drop_name_late) out = out.without_metric_name();
  if (m.card == Card::kOneToOne) {
    if (m.on) {
      std::vector<std::string> keep = m.labels;
      if (drop && drop_name_late && out.has(tsdb::kMetricName))
        keep.push_back(std::string(tsdb::kMetricName));
      std::sort(keep.begin(), keep.end());
      out = out.keep(keep);
    } else {
      out = out.without(m.labels);
    }
  }
  for (const std::string& ln : m.include) out = out.with(ln, one.get(ln));
  *drop_flag = drop && drop_name_late;
  return out;
}

struct SigIndex {
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<Labels> sig_labels;  // per series
};

// Signature id per series (equal matching labels => equal id).
std::vector<size_t> signatures(const StepVector& a, const StepVector& b, const Matching& m,
                               std::vector<Labels>* sig_values) {
  absl::flat_hash_map<uint64_t, std::vector<size_t>> ids;  // hash -> sig ids
  std::vector<size_t> out;
  out.reserve(a.size() + b.size());
  auto assign = [&](const StepSeries& s) {
    Labels ml = match_labels(s.metric, m);
    uint64_t h = ml.hash();
    auto& cand = ids[h];
    for (size_t id : cand) {
      if ((*sig_values)[id] == ml) return id;
    }
    cand.push_back(sig_values->size());
    sig_values->push_back(std::move(ml));
    return sig_values->size() - 1;
  };
  for (const auto& s : a) out.push_back(assign(s));
  for (const auto& s : b) out.push_back(assign(s));
  return out;
}

std::string match_group_string(const Labels& l, const Matching& m) {
  if (m.on) return l.keep(m.labels).to_string();
  std::vector<std::string> drop = m.labels;
  drop.push_back(std::string(tsdb::kMetricName));
  std::sort(drop.begin(), drop.end());
  return l.without(drop).to_string();
}

}  // namespace


double apply_scalar_op(BinOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinOp::kAdd: return l + r;
    case BinOp::kSub: return l - r;
    case BinOp::kMul: return l * r;
    case BinOp::kDiv: return l / r;
    case BinOp::kMod: return std::fmod(l, r);
    case BinOp::kPow: return std::pow(l, r);
    case BinOp::kAtan2: return std::atan2(l, r);
    case BinOp::kEql: *keep = l == r; return l;
    case BinOp::kNeq: *keep = l != r; return l;
    case BinOp::kGtr: *keep = l > r; return l;
    case BinOp::kLss: *keep = l < r; return l;
    case BinOp::kGte: *keep = l >= r; return l;
    case BinOp::kLte: *keep = l <= r; return l;
    default: return l;
  }
}

absl::StatusOr<StepVector> vector_binop(BinOp op, StepVector lhs, StepVector rhs,
                                        const Matching& m, bool return_bool, bool drop_name_late,
                                        const Grid& grid, bool v2) {
  std::vector<Labels> sig_values;
  std::vector<size_t> sig = signatures(lhs, rhs, m, &sig_values);
  const size_t nl = lhs.size();
  const size_t nsig = sig_values.size();
  StepVector out;

  if (parser::is_set_operator(op)) {
    // Step by step, which signatures the other side has; one flag array of
    // nsig entries is reused, so memory does not grow with the grid.
    std::vector<uint8_t> present(nsig);
    auto mark = [&](const StepVector& v, size_t off, size_t step) {
      std::fill(present.begin(), present.end(), 0);
      for (size_t i = 0; i < v.size(); ++i)
        if (!is_absent(v[i].v[step])) present[sig[off + i]] = 1;
    };
    // `or` keeps every left series and filters the right; and/unless filter the left.
    StepVector& filtered = op == BinOp::kOr ? rhs : lhs;
    const StepVector& other = op == BinOp::kOr ? lhs : rhs;
    size_t filtered_off = op == BinOp::kOr ? nl : 0, other_off = op == BinOp::kOr ? 0 : nl;
    bool keep_matched = op == BinOp::kAnd;
    for (size_t step = 0; step < grid.n; ++step) {
      mark(other, other_off, step);
      for (size_t i = 0; i < filtered.size(); ++i) {
        double& v = filtered[i].v[step];
        if (!is_absent(v) && bool(present[sig[filtered_off + i]]) != keep_matched) v = absent_value();
      }
    }
    auto has_value = [](const StepSeries& s) {
      return std::any_of(s.v.begin(), s.v.end(), [](double x) { return !is_absent(x); });
    };
    if (op == BinOp::kOr) {
      for (auto& s : lhs) out.push_back(std::move(s));
    }
    for (auto& s : filtered)
      if (has_value(s)) out.push_back(std::move(s));
    return out;
  }

  // Arithmetic / comparison. The "one" side is rhs unless group_right.
  bool swap = m.card == Card::kOneToMany;
  StepVector& many = swap ? rhs : lhs;
  StepVector& one = swap ? lhs : rhs;
  size_t many_off = swap ? nl : 0, one_off = swap ? 0 : nl;
  // Series of the one side per signature.
  std::vector<std::vector<size_t>> one_by_sig(nsig);
  for (size_t j = 0; j < one.size(); ++j) one_by_sig[sig[one_off + j]].push_back(j);

  // Output series keyed by (many index, one index) pair.
  struct Pair {
    size_t many, one;
    size_t out;
  };
  absl::flat_hash_map<uint64_t, size_t> out_index;  // (many<<32|one) -> out
  std::vector<size_t> one_at(nsig);
  std::vector<uint8_t> one_seen(nsig);
  // Per step bookkeeping of produced output label sets, to detect duplicates.
  absl::flat_hash_map<uint64_t, size_t> produced_at_step;

  for (size_t step = 0; step < grid.n; ++step) {
    // An empty side gives an empty result before any duplicate is looked for.
    auto present = [&](const StepVector& side) {
      return std::any_of(side.begin(), side.end(),
                         [&](const StepSeries& s) { return !is_absent(s.v[step]); });
    };
    if (!present(many) || !present(one)) continue;
    std::fill(one_seen.begin(), one_seen.end(), 0);
    for (size_t j = 0; j < one.size(); ++j) {
      if (is_absent(one[j].v[step])) continue;
      size_t sg = sig[one_off + j];
      if (one_seen[sg]) {
        // The later series first, as Prometheus names them.
        const Labels& a = one[j].metric;
        const Labels& b = one[one_at[sg]].metric;
        return absl::UnknownError(
            "found duplicate series for the match group " + match_group_string(a, m) + " on the " +
            (swap ? "left" : "right") + " hand-side of the operation: [" + a.to_string() + ", " +
            b.to_string() + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
      one_seen[sg] = 1;
      one_at[sg] = j;
    }
    produced_at_step.clear();
    std::vector<uint8_t> matched(nsig, 0);
    for (size_t i = 0; i < many.size(); ++i) {
      double mv = many[i].v[step];
      if (is_absent(mv)) continue;
      size_t sg = sig[many_off + i];
      if (!one_seen[sg]) continue;
      size_t j = one_at[sg];
      double ov = one[j].v[step];
      double l = swap ? ov : mv, r = swap ? mv : ov;
      bool keep;
      double v = apply_scalar_op(op, l, r, &keep);
      // Prometheus 3 checks the match cardinality before a comparison
      // filters the pair out; 2.x only for pairs that pass.
      if (v2 && !return_bool && !keep) continue;
      if (m.card == Card::kOneToOne) {
        if (matched[sg])
          return absl::UnknownError(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        matched[sg] = 1;
      }
      uint64_t key = (uint64_t(i) << 32) | uint64_t(j);
      auto [it, inserted] = out_index.try_emplace(key, out.size());
      if (inserted) {
        StepSeries s;
        s.metric = result_metric(many[i].metric, one[j].metric, op, m, return_bool,
                                 drop_name_late, v2, &s.drop_name);
        s.v.assign(grid.n, absent_value());
        out.push_back(std::move(s));
      }
      if (m.card != Card::kOneToOne) {
        uint64_t h = out[it->second].metric.hash();
        auto [pit, fresh] = produced_at_step.try_emplace(h, it->second);
        if (!fresh && pit->second != it->second &&
            out[pit->second].metric == out[it->second].metric)
          return absl::UnknownError(
              "multiple matches for labels: grouping labels must ensure unique matches");
      }
      if (return_bool) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      out[it->second].v[step] = v;
    }
  }
  // Pairs checked but filtered at every step leave empty series behind.
  std::erase_if(out, [](const StepSeries& s) { return std::all_of(s.v.begin(), s.v.end(), is_absent); });
  return out;
}

StepVector vector_scalar_binop(BinOp op, StepVector vec, const std::vector<double>& scalar,
                               bool scalar_on_left, bool return_bool, bool drop_name_late,
                               bool v2) {
  bool drop = drops_name(op, return_bool, v2);
  StepVector out;
  out.reserve(vec.size());
  for (StepSeries& s : vec) {
    bool any = false;
    for (size_t step = 0; step < s.v.size(); ++step) {
      double x = s.v[step];
      if (is_absent(x)) continue;
      double l = scalar_on_left ? scalar[step] : x, r = scalar_on_left ? x : scalar[step];
      bool keep;
      double v = apply_scalar_op(op, l, r, &keep);
      // Comparisons keep the vector element's value even when the scalar is on the left.
      if (parser::is_comparison(op) && scalar_on_left) v = x;
      if (return_bool) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        s.v[step] = absent_value();
        continue;
      }
      s.v[step] = v;
      any = true;
    }
    if (!any) continue;
    if (drop) {
      if (drop_name_late) s.drop_name = true;
      else s.metric = s.metric.without_metric_name();
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace strata::promql
