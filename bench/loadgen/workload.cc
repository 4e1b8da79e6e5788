#include "bench/loadgen/workload.h"

#include <snappy.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string_view>
#include <utility>

namespace strata::bench {
namespace {

enum class Kind { kCounter, kGauge, kHistogram };

// What a family's values look like in the realistic style.
enum class Shape {
  kInteger,     // counters of events or bytes
  kCentiCount,  // counters in seconds with two decimals (CPU time)
  kBytes,       // gauges of bytes, multiples of 4,096
  kTenths,      // gauges with one decimal (temperatures)
  kSmallInt,    // gauges of small integers (queue lengths, goroutines)
};

struct Dim {
  const char* label;
  std::vector<const char*> values;
};
struct Family {
  const char* name;
  std::vector<Dim> dims;
  Shape shape = Shape::kInteger;
};

// What exporters of a typical service fleet expose (node_exporter, a Go HTTP
// service, a gRPC service, a database client).
const std::vector<Family>& families(Kind k) {
  static const Dim kMethod{"method", {"GET", "POST", "PUT", "DELETE"}};
  static const Dim kHandler{"handler", {"/api/v1/users", "/api/v1/orders", "/api/v1/items",
                                        "/api/v1/login", "/api/v1/search", "/api/v1/cart",
                                        "/healthz", "/metrics"}};
  static const Dim kGrpcService{"grpc_service", {"orders.v1.Orders", "users.v1.Users",
                                                 "items.v1.Catalog", "auth.v1.Auth",
                                                 "search.v1.Search"}};
  static const Dim kGrpcMethod{"grpc_method", {"Get", "List", "Create", "Update", "Delete", "Watch"}};
  static const std::vector<Family> kCounters = {
      {"http_requests_total",
       {kMethod, {"status", {"200", "201", "204", "400", "404", "500"}}, kHandler}},
      {"grpc_server_handled_total",
       {kGrpcService, kGrpcMethod, {"grpc_code", {"OK", "NotFound", "Unavailable", "Internal"}}}},
      {"node_network_receive_bytes_total", {{"device", {"eth0", "eth1", "lo", "docker0"}}}},
      {"process_cpu_seconds_total", {}, Shape::kCentiCount},
  };
  static const std::vector<Family> kGauges = {
      {"node_filesystem_avail_bytes",
       {{"device", {"sda1", "sda2", "nvme0n1p1", "nvme0n1p2"}},
        {"mountpoint", {"/", "/var", "/home", "/data"}},
        {"fstype", {"ext4", "xfs"}}},
       Shape::kBytes},
      {"queue_depth",
       {{"queue", {"orders", "emails", "payments", "events", "audit", "billing"}},
        {"priority", {"high", "low"}}},
       Shape::kSmallInt},
      {"node_hwmon_temp_celsius",
       {{"chip", {"platform_coretemp_0", "platform_coretemp_1", "pci0000:00_0000:00:03_1",
                  "thermal_thermal_zone0"}},
        {"sensor", {"temp1", "temp2", "temp3", "temp4", "temp5", "temp6", "temp7", "temp8"}}},
       Shape::kTenths},
      {"go_goroutines", {}, Shape::kSmallInt},
      {"process_resident_memory_bytes", {}, Shape::kBytes},
  };
  static const std::vector<Family> kHistograms = {
      {"http_request_duration_seconds", {kMethod, kHandler}},
      {"grpc_server_handling_seconds", {kGrpcService, kGrpcMethod}},
      {"db_query_duration_seconds",
       {{"operation", {"select", "insert", "update", "delete"}},
        {"table", {"users", "orders", "items", "sessions", "events"}}}},
  };
  return k == Kind::kCounter ? kCounters : k == Kind::kGauge ? kGauges : kHistograms;
}

// Prometheus client libraries' default buckets.
constexpr double kBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr const char* kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                               "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
constexpr int kBuckets = 12;                     // including +Inf
constexpr int kHistogramSeries = kBuckets + 2;   // + _sum, _count

using LabelList = std::vector<std::pair<std::string, std::string>>;

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(char(v | 0x80));
    v >>= 7;
  }
  out->push_back(char(v));
}
size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

// The TimeSeries.labels part of a series on the wire (field 1, repeated Label).
std::string encode_labels(LabelList ls) {
  std::sort(ls.begin(), ls.end());
  std::string out;
  for (const auto& [n, v] : ls) {
    std::string label;
    label.push_back(0x0a);
    put_varint(&label, n.size());
    label += n;
    label.push_back(0x12);
    put_varint(&label, v.size());
    label += v;
    out.push_back(0x0a);
    put_varint(&out, label.size());
    out += label;
  }
  return out;
}

// Labels of combination `k` of a family (mixed radix over its dimensions);
// beyond the cross product a `shard` label keeps series unique.
LabelList family_labels(const Family& f, uint64_t k) {
  LabelList ls;
  uint64_t product = 1;
  for (const Dim& d : f.dims) {
    ls.emplace_back(d.label, d.values[(k / product) % d.values.size()]);
    product *= d.values.size();
  }
  if (k >= product) ls.emplace_back("shard", std::to_string(k / product));
  return ls;
}

struct Series {
  std::string labels;  // encoded
  double value = 0;
  double param = 0;    // counters: rate per second; gauges: step sigma
  Kind kind;
  Shape shape = Shape::kInteger;
  int32_t histogram = -1;  // index into histograms when part of one
};

struct HistogramState {
  uint32_t first_series;  // buckets (le ascending), then _sum, then _count
  double rate;            // observations per second
  double p[kBuckets];     // probability of each (non-cumulative) bucket
  double mid[kBuckets];   // representative observed value per bucket
};

class Generator {
 public:
  explicit Generator(const WorkloadOptions& o) : o_(o), rng_(o.seed) {}

  Workload build() {
    make_series();
    Workload w;
    w.series = series_.size();
    for (const Series& s : series_) {
      if (s.histogram >= 0) ++w.histogram_series;
      else if (s.kind == Kind::kCounter) ++w.counters;
      else ++w.gauges;
    }
    w.histograms = hists_.size();
    size_t batch = size_t(std::max(1, o_.batch));
    w.batches_per_round = int((series_.size() + batch - 1) / batch);
    for (int r = 0; r < o_.rounds; ++r) {
      advance(r);
      auto& round = w.bodies.emplace_back();
      for (size_t b = 0; b < series_.size(); b += batch)
        round.push_back(encode(r, b, std::min(series_.size(), b + batch)));
    }
    return w;
  }

 private:
  void make_series() {
    const double total = o_.mix.counter + o_.mix.gauge + o_.mix.histogram;
    // 500 series per target, about what one service's exporter exposes.
    const uint64_t per_instance = std::min<uint64_t>(o_.series, 500);
    const uint64_t n_counter = uint64_t(std::llround(per_instance * o_.mix.counter / total));
    const uint64_t n_gauge = uint64_t(std::llround(per_instance * o_.mix.gauge / total));
    const uint64_t n_hist =
        uint64_t(std::llround(per_instance * o_.mix.histogram / total / kHistogramSeries));
    static const char* kJobs[] = {"api", "node", "db", "cache", "frontend", "worker"};
    static const char* kRegions[] = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1"};
    for (uint64_t i = 0; series_.size() < o_.series; ++i) {
      LabelList base = {
          {"job", kJobs[i % 6]},
          {"instance", "10." + std::to_string((i >> 16) & 255) + "." +
                           std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255) + ":" +
                           std::to_string(9100 + i % 7)},
          {"region", kRegions[(i / 6) % 4]},
          {"env", i % 10 == 9 ? "staging" : "prod"},
          {"service", "svc-" + std::to_string(i % 97)},
      };
      for (uint64_t j = 0; j < n_counter && series_.size() < o_.series; ++j) add_scalar(Kind::kCounter, base, j);
      for (uint64_t j = 0; j < n_gauge && series_.size() < o_.series; ++j) add_scalar(Kind::kGauge, base, j);
      for (uint64_t j = 0; j < n_hist && series_.size() < o_.series; ++j) add_histogram(base, j);
      if (n_counter + n_gauge + n_hist == 0) add_scalar(Kind::kGauge, base, 0);
    }
  }

  double log_uniform(double lo, double hi) {
    return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng_));
  }

  void add_scalar(Kind kind, const LabelList& base, uint64_t j) {
    const auto& fams = families(kind);
    const Family& f = fams[j % fams.size()];
    LabelList ls = base;
    for (auto& l : family_labels(f, j / fams.size())) ls.push_back(std::move(l));
    ls.emplace_back("__name__", f.name);
    Series s;
    s.kind = kind;
    s.shape = f.shape;
    s.labels = encode_labels(std::move(ls));
    if (kind == Kind::kCounter) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (!realistic()) s.param = log_uniform(0.01, 100);
      else if (u < 0.3) s.param = 0;  // idle: error codes, rare methods
      else if (u < 0.7) s.param = log_uniform(0.01, 1);
      else s.param = log_uniform(1, 100);
      s.value = std::floor(std::max(s.param, 0.01) * log_uniform(100, 1e6));  // running for a while
      if (realistic() && s.shape == Shape::kCentiCount) s.param /= 100;  // seconds of CPU, not events
    } else if (!realistic()) {
      s.value = log_uniform(1, 1e9);
      s.param = s.value * 0.02;
    } else {
      switch (s.shape) {
        case Shape::kBytes: s.value = log_uniform(1e6, 1e12); s.param = s.value * 0.002; break;
        case Shape::kTenths: s.value = 30 + 50 * std::uniform_real_distribution<double>(0, 1)(rng_); s.param = 0.3; break;
        default: s.value = std::floor(log_uniform(1, 500)); s.param = std::max(1.0, s.value * 0.05); break;
      }
    }
    round_value(&s);
    series_.push_back(std::move(s));
  }

  void add_histogram(const LabelList& base, uint64_t j) {
    const auto& fams = families(Kind::kHistogram);
    const Family& f = fams[j % fams.size()];
    LabelList ls = base;
    for (auto& l : family_labels(f, j / fams.size())) ls.push_back(std::move(l));
    HistogramState h;
    h.first_series = uint32_t(series_.size());
    h.rate = log_uniform(0.1, 50);
    // Latencies ~ lognormal around a per-histogram median of 5 ms .. 500 ms.
    const double mu = std::log(log_uniform(0.005, 0.5)), sigma = 1.0;
    auto cdf = [&](double x) { return 0.5 * std::erfc(-(std::log(x) - mu) / (sigma * std::sqrt(2))); };
    double prev = 0;
    for (int k = 0; k < kBuckets; ++k) {
      double c = k + 1 < kBuckets ? cdf(kBounds[k]) : 1.0;
      h.p[k] = c - prev;
      prev = c;
      double lo = k == 0 ? 0 : kBounds[k - 1];
      h.mid[k] = k + 1 < kBuckets ? (lo + kBounds[k]) / 2 : 2 * kBounds[kBuckets - 2];
    }
    const int32_t idx = int32_t(hists_.size());
    hists_.push_back(h);
    auto add = [&](std::string name, const char* le) {
      LabelList l2 = ls;
      l2.emplace_back("__name__", std::move(name));
      if (le) l2.emplace_back("le", le);
      Series s;
      s.kind = Kind::kCounter;
      s.histogram = idx;
      s.labels = encode_labels(std::move(l2));
      series_.push_back(std::move(s));
    };
    for (int k = 0; k < kBuckets; ++k) add(std::string(f.name) + "_bucket", kLe[k]);
    add(std::string(f.name) + "_sum", nullptr);
    add(std::string(f.name) + "_count", nullptr);
  }

  bool realistic() const { return o_.values == ValueStyle::kRealistic; }

  // The precision an exporter would print the value at.
  void round_value(Series* s) const {
    if (!realistic()) return;
    switch (s->shape) {
      case Shape::kInteger:
      case Shape::kSmallInt: s->value = std::round(s->value); break;
      case Shape::kCentiCount: s->value = std::round(s->value * 100) / 100; break;
      case Shape::kBytes: s->value = std::round(s->value / 4096) * 4096; break;
      case Shape::kTenths: s->value = std::round(s->value * 10) / 10; break;
    }
  }

  // Values for round r (round 0 keeps the initial values).
  void advance(int r) {
    if (r == 0) return;
    const double dt_s = double(o_.interval_ms) / 1000;
    std::uniform_real_distribution<double> u(0, 1);
    for (Series& s : series_) {
      if (s.histogram >= 0) continue;
      if (s.kind == Kind::kCounter) {
        if (u(rng_) < 0.0005) s.value = 0;  // process restart
        if (s.shape == Shape::kCentiCount && realistic())
          s.value += s.param * dt_s * (0.5 + u(rng_));
        else
          s.value += std::floor(s.param * dt_s * (0.5 + u(rng_)) + (s.param > 0 ? u(rng_) : 0));
      } else {
        s.value = std::max(0.0, s.value + std::normal_distribution<double>(0, s.param)(rng_));
      }
      round_value(&s);
    }
    for (const HistogramState& h : hists_) {
      Series* ss = &series_[h.first_series];
      if (u(rng_) < 0.0005) {
        for (int k = 0; k < kHistogramSeries; ++k) ss[k].value = 0;
      }
      uint64_t n = std::poisson_distribution<uint64_t>(h.rate * dt_s)(rng_);
      double left = 1, cum = 0, sum = 0;
      for (int k = 0; k < kBuckets; ++k) {
        uint64_t inc = 0;
        if (n > 0 && left > 0) {
          double p = std::clamp(h.p[k] / left, 0.0, 1.0);
          inc = k + 1 < kBuckets ? std::binomial_distribution<uint64_t>(n, p)(rng_) : n;
        }
        n -= inc;
        left -= h.p[k];
        cum += double(inc);
        sum += double(inc) * h.mid[k];
        ss[k].value += cum;  // cumulative: bucket k gains every increment up to k
      }
      ss[kBuckets].value += sum;
      if (realistic()) ss[kBuckets].value = std::round(ss[kBuckets].value * 1000) / 1000;  // ms
      ss[kBuckets + 1].value = ss[kBuckets - 1].value;  // _count == +Inf bucket
    }
  }

  Body encode(int r, size_t from, size_t to) {
    std::string raw;
    raw.reserve((to - from) * (series_[from].labels.size() + 24));
    for (size_t i = from; i < to; ++i) {
      const Series& s = series_[i];
      // Scrape-like timestamps: each target has its own fixed offset.
      const uint64_t target = i / 500;
      const int64_t t = o_.start_ms + int64_t(r) * o_.interval_ms +
                        int64_t((target * 7919) % uint64_t(std::max<int64_t>(1, std::min<int64_t>(o_.interval_ms, 1000))));
      const size_t sample_len = 1 + 8 + 1 + varint_len(uint64_t(t));
      const size_t ts_len = s.labels.size() + 1 + varint_len(sample_len) + sample_len;
      raw.push_back(0x0a);  // WriteRequest.timeseries
      put_varint(&raw, ts_len);
      raw += s.labels;
      raw.push_back(0x12);  // TimeSeries.samples
      put_varint(&raw, sample_len);
      raw.push_back(0x09);  // Sample.value, fixed64
      char v[8];
      std::memcpy(v, &s.value, 8);
      raw.append(v, 8);
      raw.push_back(0x10);  // Sample.timestamp, varint
      put_varint(&raw, uint64_t(t));
    }
    Body b;
    b.samples = uint32_t(to - from);
    b.raw_bytes = uint32_t(raw.size());
    snappy::Compress(raw.data(), raw.size(), &b.compressed);
    return b;
  }

  const WorkloadOptions& o_;
  std::mt19937_64 rng_;
  std::vector<Series> series_;
  std::vector<HistogramState> hists_;
};

}  // namespace

bool parse_metric_mix(const std::string& s, MetricMix* out, std::string* error) {
  MetricMix m{0, 0, 0};
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? s.size() : comma + 1;
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      *error = "expected kind=share, got \"" + item + "\"";
      return false;
    }
    std::string kind = item.substr(0, eq);
    char* end = nullptr;
    double v = std::strtod(item.c_str() + eq + 1, &end);
    if (*end != '\0' || v < 0 || !std::isfinite(v)) {
      *error = "bad share in \"" + item + "\"";
      return false;
    }
    if (kind == "counter") m.counter = v;
    else if (kind == "gauge") m.gauge = v;
    else if (kind == "histogram") m.histogram = v;
    else {
      *error = "unknown metric kind \"" + kind + "\" (counter, gauge, histogram)";
      return false;
    }
  }
  if (m.counter + m.gauge + m.histogram <= 0) {
    *error = "all shares are zero";
    return false;
  }
  *out = m;
  return true;
}

Workload build_workload(const WorkloadOptions& opts) { return Generator(opts).build(); }

}  // namespace strata::bench
