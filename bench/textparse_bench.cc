// build/bench/textparse_bench: exposition parse throughput (MB/s and
// samples/s) on a node_exporter-like scrape body, generated deterministically:
// ~2,000 series in 30 families with HELP and TYPE, CPU and disk counters,
// filesystem gauges with long label sets, systemd unit states, a summary and
// classic histograms with service/pod labels. Both formats, two paths:
//   BM_TextParse_Labels      next() + labels() for every sample: a scrape of
//                            series the target's cache does not know yet
//   BM_TextParse_SeriesKey   next() + series() + value(): a cache hit
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "scrape/textparse/parser.h"

namespace {

namespace tp = strata::scrape::textparse;

class Payload {
 public:
  explicit Payload(tp::Format f) : om_(f == tp::Format::kOpenMetrics), rng_(7) {
    build();
    if (om_) body_ += "# EOF\n";
  }
  const std::string& body() const { return body_; }
  int samples() const { return samples_; }

 private:
  // `name` is the family; counters' samples get `_total` (which the text
  // format's family name carries too, as node_exporter writes it).
  void family(const std::string& name, const char* type, const char* help) {
    std::string fam = om_ && std::string(type) == "counter" ? name : name + (std::string(type) == "counter" ? "_total" : "");
    body_ += "# HELP " + fam + " " + help + "\n# TYPE " + fam + " " + type + "\n";
  }
  void sample(const std::string& name, const std::string& labels, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    body_ += name;
    if (!labels.empty()) body_ += "{" + labels + "}";
    body_ += " ";
    body_ += buf;
    body_ += "\n";
    ++samples_;
  }
  double counter() { return double(rng_() % 100000000) / 100; }

  void build() {
    static const char* kModes[] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
    family("node_cpu_seconds", "counter", "Seconds the CPUs spent in each mode.");
    for (int cpu = 0; cpu < 16; ++cpu)
      for (const char* m : kModes)
        sample("node_cpu_seconds_total", "cpu=\"" + std::to_string(cpu) + "\",mode=\"" + m + "\"", counter());

    static const char* kFsMetrics[] = {"node_filesystem_avail_bytes", "node_filesystem_free_bytes",
                                       "node_filesystem_size_bytes", "node_filesystem_files"};
    for (const char* m : kFsMetrics) {
      family(m, "gauge", "Filesystem space available to non-root users in bytes.");
      for (int i = 0; i < 20; ++i)
        sample(m, "device=\"/dev/mapper/vg0-lv" + std::to_string(i) + "\",fstype=\"ext4\",mountpoint=\"/var/lib/kubelet/pods/3f2a" +
                   std::to_string(i) + "c1e-8b7d-4c2e-9a51-0d6e2f4b7c9" + std::to_string(i % 10) +
                   "/volumes/kubernetes.io~projected/kube-api-access\"",
               double(rng_() % 1000000000000));
    }
    static const char* kNet[] = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop",
                                 "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop"};
    for (const char* m : kNet) {
      std::string name = std::string("node_network_") + m;
      family(name, "counter", "Network device statistic.");
      for (int i = 0; i < 10; ++i) sample(name + "_total", "device=\"eth" + std::to_string(i) + "\"", counter());
    }
    static const char* kDisk[] = {"reads_completed", "writes_completed", "read_bytes", "written_bytes",
                                  "io_time_seconds"};
    for (const char* m : kDisk) {
      std::string name = std::string("node_disk_") + m;
      family(name, "counter", "The total number of disk operations.");
      for (int i = 0; i < 8; ++i) sample(name + "_total", "device=\"nvme" + std::to_string(i) + "n1\"", counter());
    }
    family("node_hwmon_temp_celsius", "gauge", "Hardware monitor for temperature (input)");
    for (int i = 0; i < 40; ++i)
      sample("node_hwmon_temp_celsius",
             "chip=\"platform_coretemp_" + std::to_string(i / 10) + "\",sensor=\"temp" + std::to_string(i % 10) + "\"",
             30 + double(rng_() % 400) / 10);
    static const char* kStates[] = {"activating", "active", "deactivating", "failed", "inactive"};
    family("node_systemd_unit_state", "gauge", "Systemd unit");
    for (int u = 0; u < 200; ++u)
      for (const char* s : kStates)
        sample("node_systemd_unit_state",
               "name=\"unit-" + std::to_string(u) + ".service\",state=\"" + s + "\",type=\"simple\"",
               std::string(s) == "active" ? 1 : 0);

    family("go_gc_duration_seconds", "summary", "A summary of the pause duration of garbage collection cycles.");
    for (const char* q : {"0", "0.25", "0.5", "0.75", "1"})
      sample("go_gc_duration_seconds", std::string("quantile=\"") + q + "\"", double(rng_() % 1000) / 1e6);
    sample("go_gc_duration_seconds_sum", "", 12.5);
    sample("go_gc_duration_seconds_count", "", 12345);

    static const char* kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
    static const char* kHandlers[] = {"/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels",
                                      "/api/v1/write", "/federate", "/metrics", "/-/ready"};
    family("http_request_duration_seconds", "histogram", "Latency of HTTP requests.");
    for (int h = 0; h < 8; ++h) {
      for (const char* code : {"200", "400", "500", "503", "204"}) {
        std::string ls = "handler=\"" + std::string(kHandlers[h]) + "\",method=\"GET\",code=\"" + code +
                         "\",service=\"prometheus-k8s\",namespace=\"monitoring\",pod=\"prometheus-k8s-" +
                         std::to_string(h % 2) + "\",container=\"prometheus\"";
        double c = 0;
        for (const char* le : kLe) {
          c += double(rng_() % 1000);
          sample("http_request_duration_seconds_bucket", ls + ",le=\"" + le + "\"", c);
        }
        sample("http_request_duration_seconds_sum", ls, c * 0.17);
        sample("http_request_duration_seconds_count", ls, c);
      }
    }
    static const char* kProcess[] = {"process_cpu_seconds_total", "process_max_fds", "process_open_fds",
                                     "process_resident_memory_bytes", "process_start_time_seconds",
                                     "process_virtual_memory_bytes", "go_goroutines", "go_threads"};
    for (const char* m : kProcess) {
      std::string name = m;
      bool counter_type = name.ends_with("_total");
      family(counter_type ? name.substr(0, name.size() - 6) : name, counter_type ? "counter" : "gauge",
             "Process statistic.");
      sample(name, "", double(rng_() % 100000000));
    }
  }

  bool om_;
  std::mt19937_64 rng_;
  std::string body_;
  int samples_ = 0;
};

const Payload& payload(tp::Format f) {
  static const Payload text(tp::Format::kPrometheusText), om(tp::Format::kOpenMetrics);
  return f == tp::Format::kOpenMetrics ? om : text;
}

template <bool kLabels>
void parse(benchmark::State& state, tp::Format f) {
  const Payload& p = payload(f);
  std::vector<strata::tsdb::LabelView> labels;
  labels.reserve(16);
  double sum = 0;
  for (auto _ : state) {
    auto parser = tp::Parser::create(f, p.body());
    for (;;) {
      absl::StatusOr<tp::Entry> e = parser->next();
      if (!e.ok()) {
        state.SkipWithError(std::string(e.status().message()).c_str());
        return;
      }
      if (*e == tp::Entry::kEof) break;
      if (*e != tp::Entry::kSeries) continue;
      if (kLabels) {
        labels.clear();
        parser->labels(&labels);
        benchmark::DoNotOptimize(labels.data());
      } else {
        benchmark::DoNotOptimize(parser->series().data());
      }
      sum += parser->value();
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(p.body().size()));
  state.SetItemsProcessed(int64_t(state.iterations()) * p.samples());
  state.counters["body_bytes"] = double(p.body().size());
  state.counters["samples"] = p.samples();
}

void BM_TextParse_Labels_Text(benchmark::State& s) { parse<true>(s, tp::Format::kPrometheusText); }
void BM_TextParse_Labels_OpenMetrics(benchmark::State& s) { parse<true>(s, tp::Format::kOpenMetrics); }
void BM_TextParse_SeriesKey_Text(benchmark::State& s) { parse<false>(s, tp::Format::kPrometheusText); }
void BM_TextParse_SeriesKey_OpenMetrics(benchmark::State& s) { parse<false>(s, tp::Format::kOpenMetrics); }
BENCHMARK(BM_TextParse_Labels_Text);
BENCHMARK(BM_TextParse_Labels_OpenMetrics);
BENCHMARK(BM_TextParse_SeriesKey_Text);
BENCHMARK(BM_TextParse_SeriesKey_OpenMetrics);

}  // namespace

BENCHMARK_MAIN();
