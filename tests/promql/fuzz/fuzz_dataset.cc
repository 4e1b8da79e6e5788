#include "tests/promql/fuzz/fuzz_dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include "tests/promql/fuzz/fuzz_rng.h"

namespace strata::promql::fuzz {
namespace {

constexpr uint64_t kStaleBits = 0x7ff0000000000002ULL;
constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kLast = kFuzzPoints - 1;

double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

// Value of grid point i, or nullopt for no sample there.
using ValueFn = std::function<std::optional<double>(int i)>;

class Builder {
 public:
  Builder(FuzzDataset* out) : out_(out) {}

  void add(const std::string& name, LabelPairs labels, const ValueFn& fn) {
    FuzzSeries s;
    s.labels.emplace_back("__name__", name);
    for (auto& l : labels) s.labels.push_back(std::move(l));
    std::sort(s.labels.begin(), s.labels.end());
    for (int i = 0; i < kFuzzPoints; ++i)
      if (auto v = fn(i)) s.samples.push_back({out_->start_ms + i * kFuzzStepMs, *v});
    out_->series.push_back(std::move(s));
  }

  // A counter: per-step increments from `inc`, back to 0 after each reset index.
  void counter(const std::string& name, LabelPairs labels, std::vector<int> resets,
               const std::function<double(int)>& inc, const std::function<bool(int)>& present = {}) {
    std::vector<double> v(kFuzzPoints);
    double acc = 0;
    for (int i = 0; i < kFuzzPoints; ++i) {
      if (std::find(resets.begin(), resets.end(), i) != resets.end()) acc = 0;
      acc += inc(i);
      v[i] = acc;
    }
    add(name, std::move(labels), [v, present](int i) -> std::optional<double> {
      if (present && !present(i)) return std::nullopt;
      return v[i];
    });
  }

 private:
  FuzzDataset* out_;
};

// Classic histogram buckets: cumulative counts per `le`, fed by a stream of
// observations; `bend(i, le_index, count)` may distort a bucket's value.
void histogram(Builder* b, FuzzRng* rng, const std::string& name, LabelPairs base,
               const std::vector<std::string>& les, const std::vector<double>& bounds, bool with_sum_count,
               const std::function<double(int, size_t, double)>& bend = {}) {
  std::vector<std::vector<double>> counts(les.size(), std::vector<double>(kFuzzPoints));
  std::vector<double> sum(kFuzzPoints), count(kFuzzPoints);
  std::vector<double> acc(les.size(), 0);
  double acc_sum = 0, acc_count = 0;
  for (int i = 0; i < kFuzzPoints; ++i) {
    const int n = int(rng->below(6));
    for (int k = 0; k < n; ++k) {
      const double obs = std::exp(rng->unit() * 4 - 2.5);  // ~0.08 .. 4.5
      acc_sum += obs;
      acc_count += 1;
      for (size_t j = 0; j < les.size(); ++j)
        if (obs <= bounds[j]) acc[j] += 1;
    }
    for (size_t j = 0; j < les.size(); ++j) counts[j][i] = bend ? bend(i, j, acc[j]) : acc[j];
    sum[i] = acc_sum;
    count[i] = acc_count;
  }
  for (size_t j = 0; j < les.size(); ++j) {
    LabelPairs l = base;
    l.emplace_back("le", les[j]);
    b->add(name + "_bucket", l, [c = counts[j]](int i) { return c[i]; });
  }
  if (!with_sum_count) return;
  b->add(name + "_sum", base, [sum](int i) { return sum[i]; });
  b->add(name + "_count", base, [count](int i) { return count[i]; });
}

}  // namespace

size_t FuzzDataset::sample_count() const {
  size_t n = 0;
  for (const FuzzSeries& s : series) n += s.samples.size();
  return n;
}

double stale_marker() { return from_bits(kStaleBits); }
double normal_nan() { return from_bits(kNormalNaNBits); }
bool is_stale_marker(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b == kStaleBits;
}

FuzzDataset build_fuzz_dataset(int64_t end_ms) {
  FuzzDataset d;
  d.end_ms = end_ms;
  d.start_ms = end_ms - kLast * kFuzzStepMs;
  Builder b(&d);
  FuzzRng rng(20240601);  // fixed: the dataset never changes with the query seed
  const double nan = normal_nan(), stale = stale_marker();

  // Gauges that differ only by metric name: after a function drops the name,
  // fz_gauge_a{job="api",instance="h1"} and fz_gauge_b{...} collide.
  for (const char* name : {"fz_gauge_a", "fz_gauge_b"}) {
    for (const char* job : {"api", "db"}) {
      std::vector<double> v(kFuzzPoints);
      for (double& x : v) x = double(int64_t(rng.below(2000)) - 500) / 10;  // -50 .. 150
      b.add(name, {{"job", job}, {"instance", "h1"}}, [v](int i) { return v[i]; });
    }
  }
  b.add("fz_gauge_a", {{"job", "db"}, {"instance", "h2"}}, [](int i) { return double(i % 7) - 3; });

  // Same labels once `part` is dropped, e.g. by label_replace(..., "part", "", "", "")
  // or sum without (part): one only in the first half (ends with a stale
  // marker), the other only in the second half.
  b.add("fz_half", {{"job", "api"}, {"instance", "h1"}, {"part", "early"}},
        [](int i) -> std::optional<double> { return i < 120 ? std::optional(double(i)) : i == 120 ? std::optional(stale_marker()) : std::nullopt; });
  b.add("fz_half", {{"job", "api"}, {"instance", "h1"}, {"part", "late"}},
        [](int i) -> std::optional<double> { return i > 130 ? std::optional(1000.0 - i) : std::nullopt; });
  // Differ only by name and never overlap (no stale marker between them).
  b.add("fz_split_a", {{"job", "api"}}, [](int i) -> std::optional<double> { return i <= 100 ? std::optional(1.5 * i) : std::nullopt; });
  b.add("fz_split_b", {{"job", "api"}}, [](int i) -> std::optional<double> { return i >= 140 ? std::optional(-2.0 * i) : std::nullopt; });

  // Counters: integer with resets, bursty, float increments, sparse.
  b.counter("fz_requests_total", {{"job", "api"}, {"instance", "h1"}, {"code", "200"}}, {80, 170},
            [&](int) { return double(rng.below(20)); });
  b.counter("fz_requests_total", {{"job", "api"}, {"instance", "h1"}, {"code", "500"}}, {},
            [&](int i) { return i % 37 < 3 ? double(rng.below(50)) : 0.0; });
  b.counter("fz_requests_total", {{"job", "db"}, {"instance", "h2"}, {"code", "200"}}, {150},
            [&](int) { return 0.1 * double(rng.below(10)); });
  b.counter("fz_requests_total", {{"job", "api"}, {"instance", "h2"}, {"code", "200"}}, {},
            [](int) { return 4.0; }, [](int i) { return i % 4 == 0 && i != 120 && i != 124; });
  // Integer counter near 2^53 (float64 loses the last unit there).
  b.counter("fz_bytes_total", {{"job", "db"}}, {},
            [](int i) { return i == 0 ? 9007199254740000.0 : 3.0; });
  // Huge counter: rate() multiplies and divides numbers near 1e300.
  b.counter("fz_bytes_total", {{"job", "api"}}, {200}, [](int) { return 1e298; });

  // Staleness and gaps.
  b.add("fz_flappy", {{"job", "api"}, {"instance", "h1"}}, [](int i) -> std::optional<double> {
    if (i < 60 || (i >= 100 && i < 180) || i >= 200) return double(i % 10);
    if (i == 60 || i == 180) return stale_marker();
    return std::nullopt;
  });
  {
    std::vector<bool> present(kFuzzPoints);
    for (int i = 0; i < kFuzzPoints; ++i) present[i] = rng.below(10) < 6;
    b.add("fz_gappy", {{"job", "db"}}, [present](int i) -> std::optional<double> {
      return present[i] ? std::optional(double(i)) : std::nullopt;
    });
  }
  b.add("fz_late", {{"job", "api"}}, [](int i) -> std::optional<double> { return i >= 200 ? std::optional(double(i - 200)) : std::nullopt; });
  b.add("fz_once", {{"job", "api"}}, [](int i) -> std::optional<double> { return i == 120 ? std::optional(42.0) : std::nullopt; });
  b.add("fz_stale_only", {{"job", "api"}}, [stale](int i) -> std::optional<double> { return i == 30 ? std::optional(stale) : std::nullopt; });

  // Special values.
  b.add("fz_special", {{"kind", "nan"}}, [nan](int) { return nan; });
  b.add("fz_special", {{"kind", "inf"}}, [](int) { return kInf; });
  b.add("fz_special", {{"kind", "neg_inf"}}, [](int) { return -kInf; });
  b.add("fz_special", {{"kind", "mixed"}}, [nan](int i) {
    const double cycle[] = {1, nan, kInf, -kInf, -1, 0, 2.5};
    return cycle[i % 7];
  });
  b.add("fz_special", {{"kind", "big"}}, [](int i) { return (i % 2 ? 1 : -1) * 1e300 * (1 + i % 5); });
  b.add("fz_special", {{"kind", "tiny"}}, [](int i) { return 1e-300 * (i % 3); });
  b.add("fz_special", {{"kind", "zero"}}, [](int) { return 0.0; });
  b.add("fz_special", {{"kind", "lone_nan"}}, [nan](int i) -> std::optional<double> { return i == 120 ? std::optional(nan) : std::nullopt; });

  // Classic histograms: well-formed, non-monotonic, without +Inf, odd `le`.
  const std::vector<std::string> les = {"0.1", "0.5", "1", "5", "+Inf"};
  const std::vector<double> bounds = {0.1, 0.5, 1, 5, kInf};
  histogram(&b, &rng, "fz_latency_seconds", {{"job", "api"}}, les, bounds, true);
  histogram(&b, &rng, "fz_latency_seconds", {{"job", "db"}}, les, bounds, true,
            [](int i, size_t j, double c) { return j == 1 && i % 50 < 20 ? c + 7 : c; });
  histogram(&b, &rng, "fz_latency_seconds", {{"job", "batch"}}, {"0.1", "0.5", "1", "5"}, {0.1, 0.5, 1, 5}, true);
  histogram(&b, &rng, "fz_latency_seconds", {{"job", "odd"}}, {"0.25", "1.0", "abc", "+Inf"}, {0.25, 1, 2, kInf}, false);

  // Info-like series for group_left joins; db has a duplicate in the second
  // half (one-to-one and many-to-one matching fail there).
  b.add("fz_info", {{"job", "api"}, {"version", "1.0"}}, [](int) { return 1.0; });
  b.add("fz_info", {{"job", "db"}, {"version", "2.0"}}, [](int) { return 1.0; });
  b.add("fz_info", {{"job", "db"}, {"version", "2.1"}}, [](int i) -> std::optional<double> { return i >= 150 ? std::optional(1.0) : std::nullopt; });

  // Ties for topk/bottomk/sort, and a label value that needs escaping.
  for (const char* slot : {"a", "b", "c", "d"})
    b.add("fz_tie", {{"slot", slot}}, [slot](int i) { return i % 40 == 0 && slot[0] == 'c' ? 6.0 : 5.0; });
  b.add("fz_gauge_a", {{"job", "odd\"job\\"}, {"instance", "h\n3"}}, [](int i) { return double(i); });
  return d;
}

FuzzSchema fuzz_schema(const FuzzDataset& data) {
  std::set<std::string> metrics, label_names;
  std::map<std::string, std::set<std::string>> values, per_metric;
  for (const FuzzSeries& s : data.series) {
    std::string name;
    for (const auto& [k, v] : s.labels)
      if (k == "__name__") name = v;
    metrics.insert(name);
    for (const auto& [k, v] : s.labels) {
      if (k == "__name__") continue;
      label_names.insert(k);
      values[k].insert(v);
      per_metric[name].insert(k);
    }
  }
  FuzzSchema sc;
  auto ends_with = [](const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const std::string& m : metrics) {
    sc.metrics.push_back(m);
    if (ends_with(m, "_total") || ends_with(m, "_count")) sc.counters.push_back(m);
    if (ends_with(m, "_bucket")) sc.buckets.push_back(m);
    sc.metric_labels[m].assign(per_metric[m].begin(), per_metric[m].end());
  }
  sc.label_names.assign(label_names.begin(), label_names.end());
  for (const auto& [k, vs] : values) sc.label_values[k].assign(vs.begin(), vs.end());
  return sc;
}

}  // namespace strata::promql::fuzz
