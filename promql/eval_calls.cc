// Function calls: range-vector functions, math/time/label functions,
// histogram_quantile, absent, vector/scalar/time.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "base/float_format.h"
#include "promql/evaluator.h"
#include "promql/functions_histogram.h"
#include "promql/functions_range.h"
#include "promql/go_time.h"
#include "promql/parallel.h"
#include "re2/re2.h"

namespace strata::promql {
namespace {

struct RangeFnInfo {
  const char* name;
  RangeFn fn;
  int matrix_arg;
  bool keeps_name;
};

constexpr RangeFnInfo kRangeFns[] = {
    {"rate", RangeFn::kRate, 0, false},
    {"increase", RangeFn::kIncrease, 0, false},
    {"delta", RangeFn::kDelta, 0, false},
    {"irate", RangeFn::kIrate, 0, false},
    {"idelta", RangeFn::kIdelta, 0, false},
    {"avg_over_time", RangeFn::kAvgOverTime, 0, false},
    {"sum_over_time", RangeFn::kSumOverTime, 0, false},
    {"count_over_time", RangeFn::kCountOverTime, 0, false},
    {"min_over_time", RangeFn::kMinOverTime, 0, false},
    {"max_over_time", RangeFn::kMaxOverTime, 0, false},
    {"last_over_time", RangeFn::kLastOverTime, 0, true},
    {"first_over_time", RangeFn::kFirstOverTime, 0, true},
    {"present_over_time", RangeFn::kPresentOverTime, 0, false},
    {"stddev_over_time", RangeFn::kStddevOverTime, 0, false},
    {"stdvar_over_time", RangeFn::kStdvarOverTime, 0, false},
    {"quantile_over_time", RangeFn::kQuantileOverTime, 1, false},
    {"mad_over_time", RangeFn::kMadOverTime, 0, false},
    {"changes", RangeFn::kChanges, 0, false},
    {"resets", RangeFn::kResets, 0, false},
    {"deriv", RangeFn::kDeriv, 0, false},
    {"predict_linear", RangeFn::kPredictLinear, 0, false},
    {"holt_winters", RangeFn::kDoubleExponentialSmoothing, 0, false},
    {"double_exponential_smoothing", RangeFn::kDoubleExponentialSmoothing, 0, false},
    {"ts_of_min_over_time", RangeFn::kTsOfMinOverTime, 0, false},
    {"ts_of_max_over_time", RangeFn::kTsOfMaxOverTime, 0, false},
    {"ts_of_last_over_time", RangeFn::kTsOfLastOverTime, 0, false},
    {"ts_of_first_over_time", RangeFn::kTsOfFirstOverTime, 0, false},
};

const RangeFnInfo* find_range_fn(const std::string& name) {
  for (const auto& f : kRangeFns) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string go_g(double v) {
  std::string s;
  append_float_go_g(&s, v);
  return s;
}

// Go's math.Max / math.Min: an infinity in the winning direction beats
// NaN, then NaN beats numbers.
double go_max(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return std::max(a, b);
}
double go_min(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return std::min(a, b);
}

double round_half_up(double v, double to_nearest) {
  double inv = 1.0 / to_nearest;
  return std::floor(v * inv + 0.5) / inv;
}

std::optional<double> math_fn(const std::string& f, double v) {
  static const std::map<std::string, double (*)(double)> kFns = {
      {"abs", [](double x) { return std::fabs(x); }},
      {"ceil", [](double x) { return std::ceil(x); }},
      {"floor", [](double x) { return std::floor(x); }},
      {"exp", [](double x) { return std::exp(x); }},
      {"sqrt", [](double x) { return std::sqrt(x); }},
      {"ln", [](double x) { return std::log(x); }},
      // Go's math.Log2 and Log10 are built on Log (exact powers of two
      // excepted); their last bits differ from libm's, which % and
      // count_values labels make visible.
      {"log2",
       [](double x) {
         int exp;
         double frac = std::frexp(x, &exp);
         if (frac == 0.5) return double(exp - 1);
         return std::log(frac) * (1 / M_LN2) + double(exp);
       }},
      {"log10", [](double x) { return std::log(x) * (1 / M_LN10); }},
      {"acos", [](double x) { return std::acos(x); }},
      {"acosh", [](double x) { return std::acosh(x); }},
      {"asin", [](double x) { return std::asin(x); }},
      {"asinh", [](double x) { return std::asinh(x); }},
      {"atan", [](double x) { return std::atan(x); }},
      {"atanh", [](double x) { return std::atanh(x); }},
      {"cos", [](double x) { return std::cos(x); }},
      {"cosh", [](double x) { return std::cosh(x); }},
      {"sin", [](double x) { return std::sin(x); }},
      {"sinh", [](double x) { return std::sinh(x); }},
      {"tan", [](double x) { return std::tan(x); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"deg", [](double x) { return x * 180 / M_PI; }},
      {"rad", [](double x) { return x * M_PI / 180; }},
      {"sgn", [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }},
  };
  auto it = kFns.find(f);
  if (it == kFns.end()) return std::nullopt;
  return it->second(v);
}

// Calendar functions of a Unix time in seconds (UTC), computed as Go does
// (go_time.h), resolved by name once per call.
enum class TimeFn { kDayOfMonth, kDayOfWeek, kDayOfYear, kDaysInMonth, kHour, kMinute, kMonth, kYear };

std::optional<TimeFn> time_fn_of(const std::string& f) {
  static const std::map<std::string, TimeFn, std::less<>> kFns = {
      {"day_of_month", TimeFn::kDayOfMonth}, {"day_of_week", TimeFn::kDayOfWeek},
      {"day_of_year", TimeFn::kDayOfYear},   {"days_in_month", TimeFn::kDaysInMonth},
      {"hour", TimeFn::kHour},               {"minute", TimeFn::kMinute},
      {"month", TimeFn::kMonth},             {"year", TimeFn::kYear},
  };
  auto it = kFns.find(f);
  if (it == kFns.end()) return std::nullopt;
  return it->second;
}

double time_value(TimeFn fn, double secs) {
  GoDate d = go_unix_date(go_float_to_int64(secs));
  switch (fn) {
    case TimeFn::kDayOfMonth: return d.day;
    case TimeFn::kDayOfWeek: return d.day_of_week;
    case TimeFn::kDayOfYear: return d.day_of_year;
    case TimeFn::kDaysInMonth: return d.days_in_month;
    case TimeFn::kHour: return d.hour;
    case TimeFn::kMinute: return d.minute;
    case TimeFn::kMonth: return d.month;
    case TimeFn::kYear: return double(d.year);
  }
  return std::nan("");
}

// Go regexp.Expand for label_replace's replacement: $1, ${1}, $name, ${name}, $$.
std::string expand(const std::string& tmpl, const re2::RE2& re,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& named = re.NamedCapturingGroups();
  auto group_value = [&](const std::string& name) -> std::string {
    int idx = -1;
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
      if (name.size() > 9) return "";
      idx = std::stoi(name);
    } else {
      auto it = named.find(name);
      if (it != named.end()) idx = it->second;
    }
    if (idx < 0 || idx >= int(groups.size()) || groups[idx].data() == nullptr) return "";
    return std::string(groups[idx].data(), groups[idx].size());
  };
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c != '$' || i + 1 >= tmpl.size()) {
      out.push_back(c);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (tmpl[j] == '{') {
      size_t close = tmpl.find('}', j);
      if (close == std::string::npos) {
        out.push_back(c);
        continue;
      }
      name = tmpl.substr(j + 1, close - j - 1);
      bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      });
      if (!ok) {
        out.push_back(c);
        continue;
      }
      i = close;
    } else {
      while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
        name.push_back(tmpl[j++]);
      if (name.empty()) {
        out.push_back(c);
        continue;
      }
      i = j - 1;
    }
    out += group_value(name);
  }
  return out;
}

bool valid_label_name(const std::string& s, bool v3) {
  if (v3) return !s.empty() && tsdb::is_valid_utf8(s);
  return tsdb::is_valid_label_name(s);
}

}  // namespace

absl::StatusOr<Evaluator::Result> Evaluator::eval_range_call(const PlanNode& n, const Grid& g) {
  const RangeFnInfo* info = find_range_fn(n.str);
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
  if (info->fn == RangeFn::kQuantileOverTime) {
    for (double phi : params[0]) {
      if (phi < 0 || phi > 1 || std::isnan(phi)) {
        annos_.warn("quantile value should be between 0 and 1, got " + go_g(phi), opts_.query,
                    n.args[0]->pos);
        break;
      }
    }
  }
  std::vector<int64_t> eval_ts(g.n);
  for (size_t i = 0; i < g.n; ++i) eval_ts[i] = g.at(i);
  RangeCall call{info->fn,
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
  bool counter_fn = info->fn == RangeFn::kRate || info->fn == RangeFn::kIncrease;
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

absl::StatusOr<Evaluator::Result> Evaluator::eval_histogram_quantile(const PlanNode& n,
                                                                     const Grid& g) {
  auto q = eval(*n.args[0], g);
  if (!q.ok()) return q.status();
  auto in = eval(*n.args[1], g);
  if (!in.ok()) return in.status();
  for (double phi : q->scalar) {
    if (phi < 0 || phi > 1 || std::isnan(phi)) {
      annos_.warn("quantile value should be between 0 and 1, got " + go_g(phi), opts_.query,
                  n.args[0]->pos);
      break;
    }
  }
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

absl::StatusOr<Evaluator::Result> Evaluator::eval_label_call(const PlanNode& n, const Grid& g,
                                                             StepVector in) {
  Result r;
  auto str_arg = [&](size_t i) { return n.args[i]->str; };
  if (n.str == "label_replace") {
    std::string dst = str_arg(1), repl = str_arg(2), src = str_arg(3), regex = str_arg(4);
    RE2::Options ro;
    ro.set_log_errors(false);
    re2::RE2 re((v3() ? "^(?s:" : "^(?:") + regex + ")$", ro);
    if (!re.ok())
      return absl::UnknownError("invalid regular expression in label_replace(): " + regex);
    if (!valid_label_name(dst, v3()))
      return absl::UnknownError("invalid destination label name in label_replace(): " + dst);
    std::vector<re2::StringPiece> groups(size_t(re.NumberOfCapturingGroups()) + 1);
    for (StepSeries& s : in) {
      std::string sv(s.metric.get(src));
      if (!re.Match(sv, 0, sv.size(), RE2::UNANCHORED, groups.data(), int(groups.size())))
        continue;
      s.metric = s.metric.with(dst, expand(repl, re, groups));
      if (dst == tsdb::kMetricName) s.drop_name = false;
    }
  } else {  // label_join
    std::string dst = str_arg(1), sep = str_arg(2);
    if (!valid_label_name(dst, v3()))
      return absl::UnknownError("invalid destination label name in label_join(): " + dst);
    std::vector<std::string> srcs;
    for (size_t i = 3; i < n.args.size(); ++i) {
      if (!valid_label_name(str_arg(i), v3()))
        return absl::UnknownError("invalid source label name in label_join(): " + str_arg(i));
      srcs.push_back(str_arg(i));
    }
    for (StepSeries& s : in) {
      std::string joined;
      for (size_t i = 0; i < srcs.size(); ++i) {
        if (i) joined += sep;
        joined += s.metric.get(srcs[i]);
      }
      s.metric = s.metric.with(dst, joined);
      if (dst == tsdb::kMetricName) s.drop_name = false;
    }
  }
  if (auto st = dedupe(in, g); !st.ok()) return st;
  r.vec = std::move(in);
  return r;
}

absl::StatusOr<Evaluator::Result> Evaluator::eval_call(const PlanNode& n, const Grid& g) {
  const std::string& f = n.str;
  if (find_range_fn(f)) return eval_range_call(n, g);
  if (f == "absent" || f == "absent_over_time") return eval_absent(n, g);
  if (f == "histogram_quantile") return eval_histogram_quantile(n, g);
  Result r;
  if (f == "time" || f == "pi") {
    r.kind = ValueKind::kScalar;
    r.scalar.resize(g.n);
    for (size_t i = 0; i < g.n; ++i) r.scalar[i] = f == "pi" ? M_PI : double(g.at(i)) / 1000;
    return r;
  }
  if (f == "timestamp" && n.args[0]->kind == PlanNode::Kind::kVectorSelector) {
    // The sample's own timestamp, not the evaluation time.
    auto v = eval_vector_selector(*n.args[0], g, true);
    if (!v.ok()) return v.status();
    for (StepSeries& s : *v) drop_name(s);
    r.vec = std::move(*v);
    if (auto st = dedupe(r.vec, g); !st.ok()) return st;
    return r;
  }
  // Evaluate arguments.
  std::vector<Result> args;
  for (const auto& a : n.args) {
    auto v = eval(*a, g);
    if (!v.ok()) return v.status();
    args.push_back(std::move(*v));
  }
  if (f == "vector") {
    StepSeries s;
    s.v = args[0].scalar;
    r.vec.push_back(std::move(s));
    return r;
  }
  if (f == "scalar") {
    r.kind = ValueKind::kScalar;
    r.scalar.assign(g.n, std::nan(""));
    for (size_t i = 0; i < g.n; ++i) {
      int count = 0;
      double v = 0;
      for (const StepSeries& s : args[0].vec) {
        if (!is_absent(s.v[i])) ++count, v = s.v[i];
      }
      if (count == 1) r.scalar[i] = v;
    }
    return r;
  }
  if (f == "label_replace" || f == "label_join") return eval_label_call(n, g, std::move(args[0].vec));
  if (f == "sort" || f == "sort_desc" || f == "sort_by_label" || f == "sort_by_label_desc") {
    // Order matters only for instant results (see Engine); Prometheus 3 says
    // so for any evaluation over more than one timestamp.
    if (g.start_ms != g.end_ms)
      annos_.warn("sort is ineffective for range queries since results are always ordered by labels",
                  opts_.query, n.pos);
    r.vec = std::move(args[0].vec);
    return r;
  }
  if (f.rfind("histogram_", 0) == 0) {
    // histogram_count/sum/avg/fraction/stddev/stdvar read native histograms;
    // float samples are ignored, so with classic data the result is empty.
    return r;
  }
  const std::optional<TimeFn> time_fn = time_fn_of(f);
  if (time_fn && args.empty()) {
    // Default argument: vector(time()).
    StepSeries s;
    s.v.resize(g.n);
    for (size_t i = 0; i < g.n; ++i) s.v[i] = time_value(*time_fn, double(g.at(i)) / 1000);
    r.vec.push_back(std::move(s));
    return r;
  }
  StepVector in = std::move(args[0].vec);
  for (StepSeries& s : in) {
    for (size_t i = 0; i < g.n; ++i) {
      double& v = s.v[i];
      if (is_absent(v)) continue;
      if (f == "timestamp") {
        v = double(g.at(i)) / 1000;
      } else if (f == "round") {
        v = round_half_up(v, args.size() > 1 ? args[1].scalar[i] : 1.0);
      } else if (f == "clamp") {
        double lo = args[1].scalar[i], hi = args[2].scalar[i];
        v = hi < lo ? absent_value() : go_max(lo, go_min(hi, v));
      } else if (f == "clamp_min") {
        v = go_max(args[1].scalar[i], v);
      } else if (f == "clamp_max") {
        v = go_min(args[1].scalar[i], v);
      } else if (time_fn) {
        v = time_value(*time_fn, v);
      } else if (auto m = math_fn(f, v)) {
        v = *m;
      } else {
        return absl::UnimplementedError("function \"" + f + "\" is not supported");
      }
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
  r.vec = std::move(in);
  return r;
}

}  // namespace strata::promql
