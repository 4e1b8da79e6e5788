#include "base/metrics.h"

#include <algorithm>
#include <cmath>

#include "base/float_format.h"

namespace strata::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> default_buckets() {
  return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i, start *= factor) b.push_back(start);
  return b;
}

template <typename M>
M* Family<M>::make(std::vector<std::string> key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = children_.find(key);
  if (it != children_.end()) return it->second.get();
  std::unique_ptr<M> m;
  if constexpr (std::is_same_v<M, Histogram>) {
    m = std::make_unique<M>(bounds_);
  } else {
    m = std::make_unique<M>();
  }
  M* raw = m.get();
  children_.emplace(std::move(key), std::move(m));
  return raw;
}

template <typename M>
M& Family<M>::with(std::initializer_list<std::string_view> values) {
  return *make(std::vector<std::string>(values.begin(), values.end()));
}

template <typename M>
M& Family<M>::with(const std::vector<std::string>& values) {
  return *make(values);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Entry& Registry::entry(const std::string& name, Type type, const std::string& help) {
  auto [it, inserted] = entries_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  }
  return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help) {
  return counter_family(name, help, {}).with({});
}
Gauge& Registry::gauge(const std::string& name, const std::string& help) {
  return gauge_family(name, help, {}).with({});
}
Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               std::vector<double> bounds) {
  return histogram_family(name, help, {}, std::move(bounds)).with({});
}

Family<Counter>& Registry::counter_family(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entry(name, Type::kCounter, help);
  if (!e.counters) e.counters = std::make_unique<Family<Counter>>(std::move(labels));
  return *e.counters;
}
Family<Gauge>& Registry::gauge_family(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entry(name, Type::kGauge, help);
  if (!e.gauges) e.gauges = std::make_unique<Family<Gauge>>(std::move(labels));
  return *e.gauges;
}
Family<Histogram>& Registry::histogram_family(const std::string& name, const std::string& help,
                                              std::vector<std::string> labels,
                                              std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entry(name, Type::kHistogram, help);
  if (!e.histograms)
    e.histograms = std::make_unique<Family<Histogram>>(std::move(labels), std::move(bounds));
  return *e.histograms;
}
void Registry::gauge_func(const std::string& name, const std::string& help,
                          std::function<double()> f) {
  std::lock_guard<std::mutex> lock(mu_);
  entry(name, Type::kGauge, help).func = std::move(f);
}
void Registry::counter_func(const std::string& name, const std::string& help,
                            std::function<double()> f) {
  std::lock_guard<std::mutex> lock(mu_);
  entry(name, Type::kCounter, help).func = std::move(f);
}

void append_exposition_escaped(std::string* out, std::string_view v, bool help) {
  for (char c : v) {
    if (c == '\\') out->append("\\\\");
    else if (c == '\n') out->append("\\n");
    else if (c == '"' && !help) out->append("\\\"");
    else out->push_back(c);
  }
}

namespace {

void append_labels(std::string* out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (!first) out->push_back(',');
    first = false;
    out->append(names[i]).append("=\"");
    append_exposition_escaped(out, values[i], false);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out->push_back('}');
}

void append_sample(std::string* out, const std::string& name, const std::vector<std::string>& ln,
                   const std::vector<std::string>& lv, double v, std::string_view en = {},
                   std::string_view ev = {}) {
  out->append(name);
  append_labels(out, ln, lv, en, ev);
  out->push_back(' ');
  append_float_go_g(out, v);
  out->push_back('\n');
}

}  // namespace

void Registry::write_text(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& entry : entries_) {
    // Named references, not structured bindings: clang cannot capture those in lambdas.
    const std::string& name = entry.first;
    const Entry& e = entry.second;
    out->append("# HELP ").append(name).push_back(' ');
    append_exposition_escaped(out, e.help, true);
    out->append("\n# TYPE ").append(name);
    out->append(e.type == Type::kCounter ? " counter\n"
                : e.type == Type::kGauge ? " gauge\n"
                                         : " histogram\n");
    if (e.func) append_sample(out, name, {}, {}, e.func());
    if (e.counters) {
      e.counters->for_each([&](const std::vector<std::string>& lv, const Counter& c) {
        append_sample(out, name, e.counters->label_names(), lv, c.value());
      });
    }
    if (e.gauges) {
      e.gauges->for_each([&](const std::vector<std::string>& lv, const Gauge& g) {
        append_sample(out, name, e.gauges->label_names(), lv, g.value());
      });
    }
    if (e.histograms) {
      const auto& ln = e.histograms->label_names();
      e.histograms->for_each([&](const std::vector<std::string>& lv, const Histogram& h) {
        std::vector<uint64_t> counts = h.counts();
        uint64_t cum = 0;
        std::string le;
        for (size_t i = 0; i < counts.size(); ++i) {
          cum += counts[i];
          le.clear();
          if (i < h.bounds().size()) append_float_go_g(&le, h.bounds()[i]);
          else le = "+Inf";
          append_sample(out, name + "_bucket", ln, lv, double(cum), "le", le);
        }
        append_sample(out, name + "_sum", ln, lv, h.sum());
        append_sample(out, name + "_count", ln, lv, double(cum));
      });
    }
  }
}

}  // namespace strata::metrics
