// loadgen: a Prometheus remote-write load generator. It builds a realistic
// workload (bench/loadgen/workload.h), pre-encodes every request body
// (protobuf + snappy) before timing starts, then sends the rounds over N
// keep-alive connections, one thread each, and reports accepted samples/s.
// The HTTP client is net/'s: one net::Client whose pool holds the N connections.
//
// Ordering: batch b always goes from sender thread b % N and a thread sends
// its batches round by round, waiting for each answer, so no series is ever
// sent out of order while requests of one round still spread across all
// connections. Works unchanged against Strata, Prometheus
// (--web.enable-remote-write-receiver) and VictoriaMetrics.
//
//   loadgen --url http://127.0.0.1:9090/api/v1/write --series 100000 --rounds 10
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench/loadgen/workload.h"
#include "net/client.h"
#include "net/url.h"
#include "remote/codec.h"

namespace strata::bench {
namespace {

constexpr const char* kUsage = R"(usage: loadgen [flags]

Sends Prometheus remote-write 1.0 requests and reports the ingest rate.

  --url URL           receiver (default http://127.0.0.1:9090/api/v1/write)
  --series S          number of series (default 100000)
  --rounds R          samples per series; one round = one sample for every series (default 10)
  --connections N     parallel keep-alive connections, one thread each (default 4)
  --batch B           series per request (default 2000, like Prometheus' max_samples_per_send)
  --interval MS       timestamp step between rounds in ms (default 15000)
  --start MS          timestamp of the first round in ms (default now - rounds*interval)
  --metrics MIX       series shares, e.g. counter=50,gauge=30,histogram=20 (the default)
  --values STYLE      realistic (exporter-like precision: integer counters, byte
                      gauges in 4 KiB steps, one-decimal temperatures; the default)
                      or random-walk (worst case: full-precision random-walk gauges)
  --seed N            random seed for the generated values (default 1)
  --help              this text
)";

struct Flags {
  std::string url = "http://127.0.0.1:9090/api/v1/write";
  WorkloadOptions work;
  int connections = 4;
  bool start_set = false;
};

bool parse_int(const std::string& s, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0) return false;
  *out = v;
  return true;
}

bool parse_flags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    std::string name = arg, value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "loadgen: flag %s needs a value\n", arg.c_str());
      return false;
    }
    int64_t n = 0;
    bool numeric = parse_int(value, &n);
    auto need = [&](bool ok, int64_t min) {
      if (!ok || n < min) {
        std::fprintf(stderr, "loadgen: bad value for %s: %s\n", name.c_str(), value.c_str());
        return false;
      }
      return true;
    };
    if (name == "--url") f->url = value;
    else if (name == "--series") { if (!need(numeric, 1)) return false; f->work.series = uint64_t(n); }
    else if (name == "--rounds") { if (!need(numeric, 1)) return false; f->work.rounds = int(n); }
    else if (name == "--connections") { if (!need(numeric, 1)) return false; f->connections = int(n); }
    else if (name == "--batch") { if (!need(numeric, 1)) return false; f->work.batch = int(n); }
    else if (name == "--interval") { if (!need(numeric, 1)) return false; f->work.interval_ms = n; }
    else if (name == "--start") { if (!need(numeric, INT64_MIN)) return false; f->work.start_ms = n; f->start_set = true; }
    else if (name == "--seed") { if (!need(numeric, 0)) return false; f->work.seed = uint64_t(n); }
    else if (name == "--values") {
      if (value == "realistic") f->work.values = ValueStyle::kRealistic;
      else if (value == "random-walk") f->work.values = ValueStyle::kRandomWalkGauges;
      else {
        std::fprintf(stderr, "loadgen: --values: want realistic or random-walk, not \"%s\"\n", value.c_str());
        return false;
      }
    } else if (name == "--metrics") {
      std::string err;
      if (!parse_metric_mix(value, &f->work.mix, &err)) {
        std::fprintf(stderr, "loadgen: --metrics: %s\n", err.c_str());
        return false;
      }
    } else {
      std::fprintf(stderr, "loadgen: unknown flag %s (see --help)\n", name.c_str());
      return false;
    }
  }
  return true;
}

struct ThreadStats {
  uint64_t requests = 0, samples_sent = 0, samples_accepted = 0, transport_errors = 0;
  std::map<int, uint64_t> by_status;
  std::map<int, std::string> first_error;  // status (0 = transport) -> body
  std::vector<float> latency_ms;
};

// Remote write's default remote_timeout.
constexpr auto kRequestTimeout = std::chrono::seconds(30);

// X-Prometheus-Remote-Write-Samples-Written, or -1 when absent or malformed.
int64_t samples_written(const net::Response& r) {
  std::string v = r.header("X-Prometheus-Remote-Write-Samples-Written");
  int64_t n = -1;
  return !v.empty() && parse_int(v, &n) ? n : -1;
}

void sender(net::Client* client, const std::string* url, const Workload* w, int index, int n,
            ThreadStats* st) {
  net::Request req;
  req.method = "POST";
  req.url = *url;
  req.headers = {{"Content-Type", "application/x-protobuf"},
                 {"Content-Encoding", "snappy"},
                 {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  for (const auto& round : w->bodies) {
    for (size_t b = size_t(index); b < round.size(); b += size_t(n)) {
      const Body& body = round[b];
      req.body = body.compressed;
      auto t0 = std::chrono::steady_clock::now();
      auto r = client->send(req, t0 + kRequestTimeout);
      auto t1 = std::chrono::steady_clock::now();
      st->latency_ms.push_back(std::chrono::duration<float, std::milli>(t1 - t0).count());
      ++st->requests;
      st->samples_sent += body.samples;
      const int status = r.ok() ? r->status : 0;  // 0: transport error
      ++st->by_status[status];
      if (!r.ok()) ++st->transport_errors;
      const bool ok = status >= 200 && status < 300;
      const int64_t written = r.ok() ? samples_written(*r) : -1;
      if (written >= 0) st->samples_accepted += uint64_t(written);
      else if (ok) st->samples_accepted += body.samples;
      if (!ok && !st->first_error.count(status))
        st->first_error[status] = r.ok() ? r->body : std::string(r.status().message());
    }
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run(int argc, char** argv) {
  Flags f;
  if (!parse_flags(argc, argv, &f)) return 2;
  if (auto u = net::parse_url(f.url); !u.ok()) {
    std::fprintf(stderr, "loadgen: --url: %s\n", std::string(u.status().message()).c_str());
    return 2;
  }
  if (!f.start_set) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    f.work.start_ms = now_ms - int64_t(f.work.rounds) * f.work.interval_ms;
  }

  auto t_enc = std::chrono::steady_clock::now();
  Workload w = build_workload(f.work);
  uint64_t total_samples = 0, compressed = 0, raw = 0, requests = 0;
  for (const auto& round : w.bodies) {
    for (const Body& b : round) total_samples += b.samples, compressed += b.compressed.size(),
                                 raw += b.raw_bytes, ++requests;
  }
  std::printf("workload: %llu series (%llu counters, %llu gauges, %llu histogram series in %llu "
              "histograms), %d rounds x %d requests of <= %d series\n",
              (unsigned long long)w.series, (unsigned long long)w.counters,
              (unsigned long long)w.gauges, (unsigned long long)w.histogram_series,
              (unsigned long long)w.histograms, f.work.rounds, w.batches_per_round, f.work.batch);
  std::printf("pre-encoded %llu samples in %llu bodies: %.1f MB snappy (%.1f MB protobuf) in %.2f s\n",
              (unsigned long long)total_samples, (unsigned long long)requests, compressed / 1e6,
              raw / 1e6, seconds_since(t_enc));
  // Self-check: the first body must decode as a WriteRequest with one
  // series per sample (catches encoder bugs before blaming a server).
  {
    google::protobuf::Arena arena;
    auto req = remote::decode_write_request(w.bodies[0][0].compressed, &arena);
    if (!req.ok() || uint64_t((*req)->timeseries_size()) != w.bodies[0][0].samples) {
      std::fprintf(stderr, "loadgen: internal error: generated body does not decode\n");
      return 1;
    }
  }
  if (w.batches_per_round < f.connections) {
    std::printf("note: only %d requests per round; %d of %d connections will idle\n",
                w.batches_per_round, f.connections - w.batches_per_round, f.connections);
  }

  net::ClientOptions copts;
  copts.user_agent = "strata-loadgen/0.1";
  copts.disable_compression = true;  // answers are a few bytes
  auto client = net::Client::create(std::move(copts));
  if (!client.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", std::string(client.status().message()).c_str());
    return 1;
  }

  std::vector<ThreadStats> stats(size_t(f.connections));
  auto t0 = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < f.connections; ++i)
      threads.emplace_back(sender, client->get(), &f.url, &w, i, f.connections, &stats[size_t(i)]);
    for (auto& t : threads) t.join();
  }
  const double secs = seconds_since(t0);

  ThreadStats all;
  for (ThreadStats& s : stats) {
    all.requests += s.requests;
    all.samples_sent += s.samples_sent;
    all.samples_accepted += s.samples_accepted;
    all.transport_errors += s.transport_errors;
    for (auto& [code, n] : s.by_status) all.by_status[code] += n;
    for (auto& [code, body] : s.first_error) all.first_error.emplace(code, body);
    all.latency_ms.insert(all.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
  }
  std::sort(all.latency_ms.begin(), all.latency_ms.end());
  auto pct = [&](double p) {
    if (all.latency_ms.empty()) return 0.0f;
    return all.latency_ms[std::min(all.latency_ms.size() - 1, size_t(p * all.latency_ms.size()))];
  };
  uint64_t non2xx = 0;
  std::string codes;
  for (auto& [code, n] : all.by_status) {
    if (code < 200 || code >= 300) non2xx += n;
    codes += (codes.empty() ? "" : ", ") + (code ? std::to_string(code) : std::string("transport error")) +
             " x" + std::to_string(n);
  }
  std::printf("sent %llu samples in %llu requests over %d connections in %.2f s\n",
              (unsigned long long)all.samples_sent, (unsigned long long)all.requests,
              f.connections, secs);
  std::printf("accepted %llu samples: %.0f samples/s, %.1f requests/s\n",
              (unsigned long long)all.samples_accepted, all.samples_accepted / secs,
              all.requests / secs);
  std::printf("latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", pct(0.5), pct(0.9), pct(0.99),
              all.latency_ms.empty() ? 0.0f : all.latency_ms.back());
  std::printf("responses: %s\n", codes.c_str());
  std::printf("non-2xx: %llu\n", (unsigned long long)non2xx);
  for (auto& [code, body] : all.first_error) {
    std::string b = body.substr(0, 500);
    while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b.pop_back();
    std::printf("first %s: %s\n", code ? std::to_string(code).c_str() : "transport error", b.c_str());
  }
  std::printf("RESULT samples=%llu accepted=%llu seconds=%.3f samples_per_s=%.0f requests_per_s=%.1f "
              "non2xx=%llu\n",
              (unsigned long long)all.samples_sent, (unsigned long long)all.samples_accepted, secs,
              all.samples_accepted / secs, all.requests / secs, (unsigned long long)non2xx);
  return non2xx == 0 ? 0 : 1;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) { return strata::bench::run(argc, argv); }
