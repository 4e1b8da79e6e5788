// Self-metrics: counters, gauges and histograms with optional labels, written
// in the Prometheus text format 0.0.4 on /metrics. Components receive a
// Registry& at construction and keep references to their metrics; updating a
// metric is lock-free, creating a labelled child takes the family's mutex.
#pragma once

#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace strata::metrics {

class Counter {
 public:
  void inc(double d = 1) { v_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Cumulative-bucket histogram with fixed upper bounds (+Inf implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (non-cumulative) counts; last is the +Inf bucket.
  std::vector<uint64_t> counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Default buckets of Prometheus' client libraries, for request durations.
std::vector<double> default_buckets();
std::vector<double> exponential_buckets(double start, double factor, int count);

// Appends `v` escaped for the text format 0.0.4: backslash and newline, and
// in label values (help false) the double quote.
void append_exposition_escaped(std::string* out, std::string_view v, bool help);

enum class Type { kCounter, kGauge, kHistogram };

// A metric name with a fixed list of label names; children per label values.
template <typename M>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> bounds = {})
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}
  // The child for these label values (same order as the label names).
  M& with(std::initializer_list<std::string_view> values);
  M& with(const std::vector<std::string>& values);
  const std::vector<std::string>& label_names() const { return label_names_; }
  template <typename F>
  void for_each(F&& f) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, v] : children_) f(k, *v);
  }

 private:
  M* make(std::vector<std::string> key);
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registering the same name twice returns the existing metric.
  Counter& counter(const std::string& name, const std::string& help);
  Gauge& gauge(const std::string& name, const std::string& help);
  Histogram& histogram(const std::string& name, const std::string& help,
                       std::vector<double> bounds);
  Family<Counter>& counter_family(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels);
  Family<Gauge>& gauge_family(const std::string& name, const std::string& help,
                              std::vector<std::string> labels);
  Family<Histogram>& histogram_family(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels,
                                      std::vector<double> bounds);
  // A value computed when /metrics is read (e.g. head series, process RSS).
  void gauge_func(const std::string& name, const std::string& help, std::function<double()> f);
  void counter_func(const std::string& name, const std::string& help,
                    std::function<double()> f);

  // Text exposition format 0.0.4, families sorted by name.
  void write_text(std::string* out) const;

 private:
  struct Entry {
    Type type;
    std::string help;
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
    std::function<double()> func;
  };
  Entry& entry(const std::string& name, Type type, const std::string& help);
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace strata::metrics
