#include "tests/integration/difftest/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata::difftest {

size_t Dataset::sample_count() const {
  size_t n = 0;
  for (const RwSeries& s : series) n += s.samples.size();
  return n;
}

uint64_t hash_labels(const LabelPairs& labels) {
  LabelPairs sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  for (const auto& [k, v] : sorted) {
    mix(k);
    mix(v);
  }
  return h;
}

double uniform01(uint64_t seed, int i, int salt) {
  uint64_t z = seed ^ (uint64_t(i) * 0x9E3779B97F4A7C15ULL) ^ (uint64_t(salt) << 48);
  z += 0x9E3779B97F4A7C15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return double(z >> 11) / double(1ULL << 53);
}

double shape_factor(Shape shape, uint64_t seed, int i) {
  const double u = uniform01(seed, i, 7);
  switch (shape) {
    case Shape::kSteady:
      return 0.9 + 0.2 * u;
    case Shape::kDiurnal:
      return (1 + 0.3 * std::sin(2 * M_PI * i / 240.0 + double(seed % 628) / 100)) * (0.8 + 0.4 * u);
    case Shape::kIncident:
      return (i >= 420 && i <= 450 ? 6.0 : 1.0) * (0.7 + 0.6 * u);
    case Shape::kBursty:
      return u < 0.85 ? 0 : 8 * u;
  }
  return 1;
}

bool DatasetBuilder::is_down(const Target& t, int i) const {
  for (const auto& [from, to] : t.down)
    if (i >= from && i < to) return true;
  return false;
}

bool DatasetBuilder::is_restart(const Target& t, int i) const {
  if (std::find(t.restarts.begin(), t.restarts.end(), i) != t.restarts.end()) return true;
  for (const auto& [from, to] : t.down)
    if (i == to) return true;  // the process came back
  return false;
}

DatasetBuilder::Slot DatasetBuilder::slot(const Target& t, const Window& w, int i, bool is_up) const {
  const int first = std::max(t.first, w.first);
  const int last = std::min(t.last, w.last);
  const bool stale_after = w.last < t.last ? w.stale_after_last : t.stale_after_last;
  if (i < first) return Slot::kNone;
  if (i > last) return i == last + 1 && stale_after ? Slot::kStale : Slot::kNone;
  if (i % t.every != 0) return Slot::kNone;
  if (std::find(t.missed.begin(), t.missed.end(), i) != t.missed.end()) return Slot::kNone;
  if (is_down(t, i)) {
    if (is_up) return Slot::kSample;
    return is_down(t, i - 1) ? Slot::kNone : Slot::kStale;
  }
  return Slot::kSample;
}

int64_t DatasetBuilder::timestamp(const Target& t, uint64_t seed, int i) const {
  int64_t ts = out_->start_ms + int64_t(i) * kStepMs + t.offset_ms;
  if (t.jitter_ms > 0) ts += int64_t(std::lround((uniform01(seed, i, 99) * 2 - 1) * t.jitter_ms));
  return ts;
}

LabelPairs DatasetBuilder::full_labels(const Target& t, const std::string& name,
                                       const LabelPairs& labels) const {
  LabelPairs all = labels;
  all.emplace_back("__name__", name);
  if (!t.job.empty()) all.emplace_back("job", t.job);
  if (!t.instance.empty()) all.emplace_back("instance", t.instance);
  for (const auto& kv : t.extra) all.push_back(kv);
  return all;
}

void DatasetBuilder::emit(const Target& t, const Window& w, LabelPairs labels,
                          const std::vector<double>& values, bool is_up) {
  // Timestamps (offset, jitter) are a property of the scrape, not the series.
  const uint64_t target_seed = hash_labels({{"job", t.job}, {"instance", t.instance}});
  RwSeries s;
  s.labels = std::move(labels);
  for (int i = 0; i < kSamples; ++i) {
    switch (slot(t, w, i, is_up)) {
      case Slot::kNone:
        break;
      case Slot::kSample:
        s.samples.push_back({timestamp(t, target_seed, i), values[i]});
        break;
      case Slot::kStale:
        s.samples.push_back({timestamp(t, target_seed, i), stale_nan()});
        break;
    }
  }
  if (!s.samples.empty()) out_->series.push_back(std::move(s));
}

void DatasetBuilder::up(const Target& t) {
  std::vector<double> v(kSamples);
  for (int i = 0; i < kSamples; ++i) v[i] = is_down(t, i) ? 0 : 1;
  emit(t, Window{}, full_labels(t, "up", {}), v, /*is_up=*/true);
}

void DatasetBuilder::counter(const Target& t, const std::string& name, LabelPairs labels,
                             double rate_per_s, Shape shape, bool integer, Window w) {
  LabelPairs all = full_labels(t, name, labels);
  const uint64_t seed = hash_labels(all);
  std::vector<double> v(kSamples);
  // A counter that was already running before the window starts from some
  // accumulated value; one that starts inside it (new process) from ~0.
  const int first = std::max(t.first, w.first);
  double value = first == 0 ? std::floor(rate_per_s * 15 * (40 + 400 * uniform01(seed, -1))) : 0;
  for (int i = 0; i < kSamples; ++i) {
    double inc = rate_per_s * kStepMs / 1000 * shape_factor(shape, seed, i) * (0.5 + uniform01(seed, i));
    if (integer) inc = std::round(inc);
    if (is_restart(t, i)) value = 0;
    value += inc;
    v[i] = value;
  }
  emit(t, w, std::move(all), v);
}

void DatasetBuilder::gauge(const Target& t, const std::string& name, LabelPairs labels,
                           const std::function<double(int, double)>& fn, Window w) {
  LabelPairs all = full_labels(t, name, labels);
  const uint64_t seed = hash_labels(all);
  std::vector<double> v(kSamples);
  for (int i = 0; i < kSamples; ++i) v[i] = fn(i, uniform01(seed, i));
  emit(t, w, std::move(all), v);
}

namespace {

// How Prometheus' Go client writes `le` values.
std::string format_le(double b) {
  if (std::isinf(b)) return "+Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", b);
  return buf;
}

double lognormal_cdf(double x, double median, double sigma) {
  return 0.5 * std::erfc(-(std::log(x) - std::log(median)) / (sigma * M_SQRT2));
}

}  // namespace

void DatasetBuilder::histogram(const Target& t, const std::string& name, LabelPairs labels,
                               const std::vector<double>& bounds, double rate_per_s, double median,
                               double sigma, Shape shape, const std::string& glitch_le) {
  const uint64_t seed = hash_labels(full_labels(t, name, labels));
  const size_t nb = bounds.size();
  std::vector<std::vector<double>> buckets(nb + 1, std::vector<double>(kSamples));
  std::vector<double> sum(kSamples), count(kSamples);
  std::vector<double> acc(nb + 1, 0);
  double acc_sum = 0, acc_count = 0;
  if (t.first == 0) {  // observations made before the window
    const double n0 = std::floor(rate_per_s * 15 * (40 + 400 * uniform01(seed, -1)));
    for (size_t j = 0; j < nb; ++j) acc[j] = std::round(n0 * lognormal_cdf(bounds[j], median, sigma));
    acc[nb] = n0;
    acc_count = n0;
    acc_sum = n0 * median * std::exp(sigma * sigma / 2);
  }
  for (int i = 0; i < kSamples; ++i) {
    if (is_restart(t, i)) {
      std::fill(acc.begin(), acc.end(), 0);
      acc_sum = acc_count = 0;
    }
    const double n = std::round(rate_per_s * 15 * shape_factor(shape, seed, i) * (0.5 + uniform01(seed, i)));
    // Latency rises during the incident.
    const double m = median * (i >= 420 && i <= 450 ? 2.5 : 1.0) * (0.9 + 0.2 * uniform01(seed, i, 1));
    for (size_t j = 0; j < nb; ++j) acc[j] += std::round(n * lognormal_cdf(bounds[j], m, sigma));
    acc[nb] += n;
    acc_count += n;
    acc_sum += n * m * std::exp(sigma * sigma / 2) * (0.8 + 0.4 * uniform01(seed, i, 2));
    for (size_t j = 0; j <= nb; ++j) buckets[j][i] = acc[j];
    sum[i] = acc_sum;
    count[i] = acc_count;
  }
  for (size_t j = 0; j <= nb; ++j) {
    const std::string le = j < nb ? format_le(bounds[j]) : "+Inf";
    std::vector<double>& v = buckets[j];
    if (le == glitch_le && j > 0) {
      // A bucket scraped out of step with its neighbours: below the previous
      // bucket for a while (histogram_quantile must repair monotonicity).
      for (int i = 100; i <= 110; ++i) v[i] = std::max(0.0, buckets[j - 1][i] - 3);
    }
    LabelPairs l = labels;
    l.emplace_back("le", le);
    emit(t, Window{}, full_labels(t, name + "_bucket", l), v);
  }
  emit(t, Window{}, full_labels(t, name + "_sum", labels), sum);
  emit(t, Window{}, full_labels(t, name + "_count", labels), count);
}

Dataset build_dataset(int64_t end_ms) {
  Dataset d;
  d.end_ms = end_ms;
  d.start_ms = end_ms - int64_t(kSamples - 1) * kStepMs;
  DatasetBuilder b(&d);
  add_catalog(&b, d.start_ms);
  return d;
}

std::vector<std::string> encode_in_windows(const Dataset& data, int window) {
  std::vector<std::string> bodies;
  const int64_t half_step = kStepMs / 2;  // offsets and jitter stay well below this
  std::vector<size_t> pos(data.series.size(), 0);
  for (int w0 = 0; w0 < kSamples; w0 += window) {
    const int64_t limit = data.start_ms + int64_t(w0 + window) * kStepMs - half_step;
    std::vector<RwSeries> batch;
    for (size_t k = 0; k < data.series.size(); ++k) {
      const RwSeries& s = data.series[k];
      RwSeries part;
      while (pos[k] < s.samples.size() && s.samples[pos[k]].t_ms < limit) part.samples.push_back(s.samples[pos[k]++]);
      if (part.samples.empty()) continue;
      part.labels = s.labels;
      batch.push_back(std::move(part));
    }
    if (!batch.empty()) bodies.push_back(encode_write_request(batch));
  }
  return bodies;
}

}  // namespace strata::difftest
