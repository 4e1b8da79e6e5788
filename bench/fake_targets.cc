// build/bench/fake_targets: N scrape targets x M series on 127.0.0.1, for the
// scrape-capacity benchmark (bench/compare --suite scrape).
//
// Every target is its own listening port (one acceptor each, all served by
// --threads io threads), so Prometheus, VictoriaMetrics and Strata see N
// distinct targets `127.0.0.1:<port>` in one static_configs/file_sd list.
// GET /metrics answers the text format 0.0.4
// (Content-Type `text/plain; version=0.0.4; charset=utf-8`), gzip-compressed
// when Accept-Encoding admits gzip; keep-alive as any exporter.
//
// Payload: M series per target, as an application exporter would expose them:
// counters (http_requests_total{code,handler,method}, grpc_server_handled_total,
// node_network_receive_bytes_total, node_cpu_seconds_total) ~50 %, gauges
// (node_filesystem_avail_bytes with long mountpoints, queue_depth,
// node_hwmon_temp_celsius) ~30 %, classic histograms (11 `le` buckets + `+Inf`,
// _sum, _count) ~20 %, plus a few process_/go_ singletons, with HELP and TYPE.
// Values are a deterministic function of (series, variant, generation): the
// generation advances every --generation-ms from the start, counters rise by a
// per-series rate with jitter (never fall), gauges wander, histogram buckets
// rise together and stay cumulative. Target t serves variant t % --variants;
// each variant's body (plain and gzip, level 6 like Go's default) is built once
// per generation by a builder thread, so serving costs no formatting.
//
// GET /stats (on any port) answers one JSON object: requests, scrapes of
// /metrics, samples and bytes served, gzip answers, the fewest and most scrapes
// of any target, every target's scrape count (`per_target_scrapes`, in port
// order) and this process' CPU seconds. Samples served = scrapes x M, the same
// count for every scraper.
//
// On start it writes --sd-file (file_sd JSON, written to a temp name and
// renamed) and prints `READY targets=N first_port=P`. It exits after
// --duration seconds, or on SIGTERM/SIGINT.
#include <sys/resource.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  int targets = 1000;
  int series = 1000;
  int variants = 10;
  int port_base = 0;  // 0: any free ports
  int threads = 2;
  int generation_ms = 1000;
  double duration_s = 3600;
  std::string sd_file;
};

[[noreturn]] void usage(const char* msg) {
  if (msg) std::fprintf(stderr, "fake_targets: %s\n", msg);
  std::fprintf(stderr,
               "usage: fake_targets [--targets N=1000] [--series M=1000] [--variants V=10]\n"
               "                    [--port-base P=0 (any free ports)] [--threads T=2]\n"
               "                    [--generation-ms MS=1000] [--duration S=3600] [--sd-file PATH]\n");
  std::exit(2);
}

Options parse_flags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (a == "-h" || a == "--help") usage(nullptr);
    if (auto eq = a.find('='); eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      usage(("missing value for " + a).c_str());
    }
    auto num = [&](long lo, long hi) {
      char* end = nullptr;
      long x = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || x < lo || x > hi) usage(("bad value for " + a + ": " + v).c_str());
      return int(x);
    };
    if (a == "--targets") o.targets = num(1, 20000);
    else if (a == "--series") o.series = num(20, 10000000);
    else if (a == "--variants") o.variants = num(1, 1000);
    else if (a == "--port-base") o.port_base = num(0, 65535);
    else if (a == "--threads") o.threads = num(1, 64);
    else if (a == "--generation-ms") o.generation_ms = num(10, 3600000);
    else if (a == "--duration") {
      o.duration_s = std::strtod(v.c_str(), nullptr);
      if (!(o.duration_s > 0 && o.duration_s <= 7 * 86400)) usage("bad --duration");
    } else if (a == "--sd-file") o.sd_file = v;
    else usage(("unknown flag " + a).c_str());
  }
  if (o.port_base && o.port_base + o.targets - 1 > 65535) usage("--port-base + --targets past 65535");
  if (o.variants > o.targets) o.variants = o.targets;
  return o;
}

uint64_t mix64(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// ---------------------------------------------------------------------------
// The series of one target.

enum class Kind { kCounterInt, kCounterFloat, kGaugeBytes, kGaugeSmall, kGaugeTemp, kBucket, kHistSum, kHistCount };

struct Series {
  std::string prefix;  // `name{labels} `
  Kind kind;
  uint64_t seed;
  double cdf = 1;      // kBucket: share of the observations at or below le
  double scale = 1;    // kHistSum: mean observation
};

struct Family {
  std::string header;  // # HELP and # TYPE lines
  std::vector<Series> series;
};

// Label pairs from a mixed-radix decomposition of `i` over `dims`; past their
// product a `shard` label keeps the sets distinct.
std::string labels_for(uint64_t i, const std::vector<std::pair<const char*, std::vector<std::string>>>& dims) {
  std::string out;
  uint64_t product = 1;
  for (const auto& [name, values] : dims) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    out += values[(i / product) % values.size()];
    out += '"';
    product *= values.size();
  }
  if (i >= product) out += ",shard=\"" + std::to_string(i / product) + "\"";
  return out;
}

std::vector<std::string> numbered(const char* prefix, int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

std::vector<Family> build_families(int m) {
  std::vector<Family> fams;
  uint64_t seed = 1;
  auto family = [&](const std::string& name, const char* type, const char* help) -> Family& {
    fams.push_back({"# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n", {}});
    return fams.back();
  };
  auto add = [&](Family& f, const std::string& name, const std::string& labels, Kind k) -> Series& {
    f.series.push_back({name + (labels.empty() ? "" : "{" + labels + "}") + " ", k, mix64(seed++)});
    return f.series.back();
  };

  // Singletons: 8 series.
  add(family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds."),
      "process_cpu_seconds_total", "", Kind::kCounterFloat);
  add(family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes."),
      "process_resident_memory_bytes", "", Kind::kGaugeBytes);
  add(family("process_open_fds", "gauge", "Number of open file descriptors."), "process_open_fds", "",
      Kind::kGaugeSmall);
  add(family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."),
      "process_virtual_memory_bytes", "", Kind::kGaugeBytes);
  add(family("go_goroutines", "gauge", "Number of goroutines that currently exist."), "go_goroutines", "",
      Kind::kGaugeSmall);
  add(family("go_threads", "gauge", "Number of OS threads created."), "go_threads", "", Kind::kGaugeSmall);
  add(family("go_memstats_alloc_bytes_total", "counter",
             "Total number of bytes allocated, even if freed."),
      "go_memstats_alloc_bytes_total", "", Kind::kCounterInt);
  add(family("go_gc_cycles_automatic_gc_cycles_total", "counter", "Count of completed GC cycles generated by the Go runtime."),
      "go_gc_cycles_automatic_gc_cycles_total", "", Kind::kCounterInt);
  const int singles = 8;

  const int rest = m - singles;
  const int kBuckets = 12;                 // 11 le + +Inf
  const int per_hist = kBuckets + 2;       // + _sum, _count
  const int hists = rest / 5 / per_hist;   // ~20 %
  const int gauges = rest * 3 / 10;        // ~30 %
  const int counters = rest - hists * per_hist - gauges;

  static const std::vector<std::string> kHandlers = {
      "/", "/api/v1/users", "/api/v1/users/:id", "/api/v1/orders", "/api/v1/orders/:id",
      "/api/v1/orders/:id/items", "/api/v1/products", "/api/v1/products/:id", "/api/v1/cart",
      "/api/v1/checkout", "/api/v1/payments", "/api/v1/payments/:id/refund", "/api/v1/search",
      "/api/v1/recommendations", "/api/v1/inventory", "/api/v1/shipping/quote", "/api/v2/users",
      "/api/v2/orders", "/api/v2/products", "/api/v2/search", "/healthz", "/readyz", "/login",
      "/logout", "/static/*filepath"};
  static const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "DELETE"};
  static const std::vector<std::string> kCodes = {"200", "201", "204", "400", "404", "500", "503"};
  static const std::vector<std::string> kGrpcMethods = {
      "GetUser", "ListUsers", "CreateOrder", "GetOrder", "ListOrders", "UpdateInventory",
      "Reserve", "Release", "Quote", "Authorize", "Capture", "Refund"};
  static const std::vector<std::string> kGrpcServices = {
      "shop.v1.UserService", "shop.v1.OrderService", "shop.v1.InventoryService",
      "shop.v1.PaymentService", "shop.v1.ShippingService"};
  static const std::vector<std::string> kGrpcCodes = {"OK", "Canceled", "InvalidArgument", "NotFound",
                                                      "DeadlineExceeded", "Unavailable", "Internal"};
  static const std::vector<std::string> kModes = {"idle", "iowait", "irq", "nice", "softirq", "steal",
                                                  "system", "user"};

  // Counters: 4 families.
  {
    int c[4] = {counters * 4 / 10, counters * 3 / 10, counters / 10, 0};
    c[3] = counters - c[0] - c[1] - c[2];
    Family& f0 = family("http_requests_total", "counter", "Total number of HTTP requests by status code, handler and method.");
    for (int i = 0; i < c[0]; ++i)
      add(f0, "http_requests_total",
          labels_for(i, {{"code", kCodes}, {"handler", kHandlers}, {"method", kMethods}}), Kind::kCounterInt);
    Family& f1 = family("grpc_server_handled_total", "counter",
                        "Total number of RPCs completed on the server, regardless of success or failure.");
    for (int i = 0; i < c[1]; ++i)
      add(f1, "grpc_server_handled_total",
          labels_for(i, {{"grpc_code", kGrpcCodes}, {"grpc_method", kGrpcMethods},
                         {"grpc_service", kGrpcServices}, {"grpc_type", {"unary"}}}),
          Kind::kCounterInt);
    Family& f2 = family("node_network_receive_bytes_total", "counter", "Network device statistic receive_bytes.");
    for (int i = 0; i < c[2]; ++i)
      add(f2, "node_network_receive_bytes_total",
          labels_for(i, {{"device", {"eth0", "eth1", "lo", "docker0", "cni0", "flannel.1", "veth1a2b3c4", "veth5d6e7f8"}}}),
          Kind::kCounterInt);
    Family& f3 = family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (int i = 0; i < c[3]; ++i)
      add(f3, "node_cpu_seconds_total", labels_for(i, {{"mode", kModes}, {"cpu", numbered("", 64)}}),
          Kind::kCounterFloat);
  }
  // Gauges: 3 families.
  {
    int g0 = gauges / 2, g1 = gauges / 4, g2 = gauges - g0 - g1;
    Family& f0 = family("node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes.");
    for (int i = 0; i < g0; ++i) {
      std::string pod = "3f2a" + std::to_string(i) + "c1e-8b7d-4c2e-9a51-0d6e2f4b7c" + std::to_string(10 + i % 90);
      add(f0, "node_filesystem_avail_bytes",
          "device=\"/dev/mapper/vg0-lv" + std::to_string(i % 16) + "\",fstype=\"ext4\",mountpoint=\"/var/lib/kubelet/pods/" +
              pod + "/volumes/kubernetes.io~projected/kube-api-access\"",
          Kind::kGaugeBytes);
    }
    Family& f1 = family("queue_depth", "gauge", "Messages waiting in the queue.");
    for (int i = 0; i < g1; ++i)
      add(f1, "queue_depth",
          labels_for(i, {{"queue", {"orders", "payments", "emails", "webhooks", "invoices", "audit"}},
                         {"partition", numbered("", 32)}}),
          Kind::kGaugeSmall);
    Family& f2 = family("node_hwmon_temp_celsius", "gauge", "Hardware monitor for temperature (input).");
    for (int i = 0; i < g2; ++i)
      add(f2, "node_hwmon_temp_celsius",
          labels_for(i, {{"chip", {"platform_coretemp_0", "platform_coretemp_1", "pci0000:00_0000:00:03_1_0000:09:00_0"}},
                         {"sensor", numbered("temp", 64)}}),
          Kind::kGaugeTemp);
  }
  // Histograms: 2 families.
  {
    static const double kLe[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static const char* kLeText[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
    auto hist = [&](Family& f, const std::string& name, const std::string& labels, uint64_t h) {
      double scale = 0.01 + double(h % 400) / 1000;  // mean latency 10-410 ms
      std::string l = labels.empty() ? "" : labels + ",";
      for (int b = 0; b < kBuckets - 1; ++b) {
        Series& s = add(f, name + "_bucket", l + "le=\"" + kLeText[b] + "\"", Kind::kBucket);
        s.cdf = 1 - std::exp(-kLe[b] / scale);
        s.seed = h;
      }
      add(f, name + "_bucket", l + "le=\"+Inf\"", Kind::kBucket).seed = h;
      Series& sum = add(f, name + "_sum", labels, Kind::kHistSum);
      sum.seed = h;
      sum.scale = scale;
      add(f, name + "_count", labels, Kind::kHistCount).seed = h;
    };
    int h0 = (hists + 1) / 2, h1 = hists - h0;
    Family& f0 = family("http_request_duration_seconds", "histogram", "Latency of HTTP requests.");
    for (int i = 0; i < h0; ++i)
      hist(f0, "http_request_duration_seconds", labels_for(i, {{"handler", kHandlers}, {"method", kMethods}}),
           mix64(seed++));
    Family& f1 = family("grpc_server_handling_seconds", "histogram",
                        "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.");
    for (int i = 0; i < h1; ++i)
      hist(f1, "grpc_server_handling_seconds",
           labels_for(i, {{"grpc_method", kGrpcMethods}, {"grpc_service", kGrpcServices}, {"grpc_type", {"unary"}}}),
           mix64(seed++));
  }
  std::erase_if(fams, [](const Family& f) { return f.series.empty(); });
  return fams;
}

// ---------------------------------------------------------------------------
// Values.

// A non-decreasing count: rate r per generation plus jitter in [0, r), so that
// consecutive generations differ by 1..2r-1.
uint64_t rising(uint64_t seed, uint64_t rate, uint64_t g) {
  return (seed % 1000000) + rate * g + mix64(seed ^ (g * 0x100000001b3ULL)) % rate;
}

void append_double(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string render(const std::vector<Family>& fams, uint64_t variant, uint64_t g) {
  std::string out;
  out.reserve(128 * 1024);
  for (const Family& f : fams) {
    out += f.header;
    for (const Series& s : f.series) {
      out += s.prefix;
      uint64_t seed = mix64(s.seed ^ (variant * 0x9e3779b97f4a7c15ULL));
      uint64_t j = mix64(seed ^ (g * 0x100000001b3ULL));
      switch (s.kind) {
        case Kind::kCounterInt: append_uint(out, rising(seed, 1 + seed % 200, g)); break;
        case Kind::kCounterFloat: append_double(out, double(rising(seed, 1 + seed % 100, g)) / 100); break;
        case Kind::kGaugeBytes:
          append_uint(out, (uint64_t(1) << 20) * (64 + seed % 4000) + (j % (uint64_t(1) << 16)) * 4096);
          break;
        case Kind::kGaugeSmall: append_uint(out, seed % 100 + j % 20); break;
        case Kind::kGaugeTemp: append_double(out, double(30 + seed % 40) + double(j % 16) / 2); break;
        case Kind::kBucket:
        case Kind::kHistCount: {
          uint64_t n = rising(s.seed ^ variant, 1 + s.seed % 50, g);
          append_uint(out, s.kind == Kind::kHistCount ? n : uint64_t(std::floor(double(n) * s.cdf)));
          break;
        }
        case Kind::kHistSum: {
          uint64_t n = rising(s.seed ^ variant, 1 + s.seed % 50, g);
          append_double(out, std::round((double(n) + double(j % 1000) / 1000) * s.scale * 1e6) / 1e6);
          break;
        }
      }
      out += '\n';
    }
  }
  return out;
}

std::string gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Body {
  std::string plain, gz;
};
struct Generation {
  uint64_t number = 0;
  std::vector<Body> variants;
};

// ---------------------------------------------------------------------------
// Serving.

struct Stats {
  std::atomic<uint64_t> requests{0}, scrapes{0}, gzip{0}, bytes{0};
  std::vector<std::atomic<uint64_t>> per_target;
  explicit Stats(int n) : per_target(n) {}
};

class Shared {
 public:
  Shared(const Options& o) : opts(o), stats(o.targets) {}
  std::shared_ptr<const Generation> current() {
    std::lock_guard l(mu_);
    return gen_;
  }
  void set(std::shared_ptr<const Generation> g) {
    std::lock_guard l(mu_);
    gen_ = std::move(g);
  }
  const Options opts;
  Stats stats;
  Clock::time_point start = Clock::now();

 private:
  std::mutex mu_;
  std::shared_ptr<const Generation> gen_;
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, int target, Shared* sh) : stream_(std::move(s)), target_(target), sh_(sh) {}
  void start() { read(); }

 private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(180));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      self->answer();
    });
  }

  void answer() {
    auto& st = sh_->stats;
    st.requests.fetch_add(1, std::memory_order_relaxed);
    const bool keep = req_.keep_alive();
    auto target = std::string_view(req_.target().data(), req_.target().size());
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (req_.method() == http::verb::get && target == "/metrics") {
      gen_ = sh_->current();
      const Body& b = gen_->variants[size_t(target_) % gen_->variants.size()];
      auto ae = req_[http::field::accept_encoding];
      bool gz = ae.find("gzip") != beast::string_view::npos && ae.find("gzip;q=0") == beast::string_view::npos;
      const std::string& body = gz ? b.gz : b.plain;
      auto res = std::make_shared<http::response<http::span_body<const char>>>(http::status::ok, req_.version());
      res->set(http::field::server, "strata-fake-targets");
      res->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      if (gz) res->set(http::field::content_encoding, "gzip");
      res->body() = boost::span<const char>(body.data(), body.size());
      res->keep_alive(keep);
      res->prepare_payload();
      st.scrapes.fetch_add(1, std::memory_order_relaxed);
      st.bytes.fetch_add(body.size(), std::memory_order_relaxed);
      if (gz) st.gzip.fetch_add(1, std::memory_order_relaxed);
      st.per_target[size_t(target_)].fetch_add(1, std::memory_order_relaxed);
      return send(res, keep);
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::server, "strata-fake-targets");
    if (target == "/stats") {
      uint64_t lo = UINT64_MAX, hi = 0;
      std::string per_target;
      per_target.reserve(st.per_target.size() * 6);
      for (auto& c : st.per_target) {
        uint64_t v = c.load(std::memory_order_relaxed);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        if (!per_target.empty()) per_target += ',';
        per_target += std::to_string(v);
      }
      uint64_t scrapes = st.scrapes.load();
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "{\"targets\":%d,\"series_per_target\":%d,\"requests\":%llu,\"scrapes\":%llu,"
                    "\"samples\":%llu,\"gzip\":%llu,\"bytes\":%llu,\"min_target_scrapes\":%llu,"
                    "\"max_target_scrapes\":%llu,\"cpu_seconds\":%.3f,\"uptime_seconds\":%.3f,",
                    sh_->opts.targets, sh_->opts.series, (unsigned long long)st.requests.load(),
                    (unsigned long long)scrapes, (unsigned long long)(scrapes * uint64_t(sh_->opts.series)),
                    (unsigned long long)st.gzip.load(), (unsigned long long)st.bytes.load(),
                    (unsigned long long)lo, (unsigned long long)hi, cpu_seconds(),
                    std::chrono::duration<double>(Clock::now() - sh_->start).count());
      res->set(http::field::content_type, "application/json");
      res->body() = std::string(buf) + "\"per_target_scrapes\":[" + per_target + "]}\n";
    } else {
      res->result(http::status::not_found);
      res->set(http::field::content_type, "text/plain; charset=utf-8");
      res->body() = "404 page not found\n";
    }
    res->keep_alive(keep);
    res->prepare_payload();
    send(res, keep);
  }

  template <class Res>
  void send(std::shared_ptr<Res> res, bool keep) {
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
      self->gen_.reset();
      if (ec || !keep) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::empty_body> req_;
  std::shared_ptr<const Generation> gen_;  // keeps the body being written alive
  int target_;
  Shared* sh_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, int target, int port, Shared* sh) : acc_(ioc), target_(target), sh_(sh) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), uint16_t(port));
    acc_.open(ep.protocol());
    acc_.set_option(asio::socket_base::reuse_address(true));
    acc_.bind(ep);
    acc_.listen(asio::socket_base::max_listen_connections);
  }
  int port() const { return acc_.local_endpoint().port(); }
  void accept() {
    acc_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), self->target_, self->sh_)->start();
      }
      self->accept();
    });
  }
  void stop() {
    beast::error_code ec;
    acc_.close(ec);
  }

 private:
  tcp::acceptor acc_;
  int target_;
  Shared* sh_;
};

std::shared_ptr<const Generation> build_generation(const std::vector<Family>& fams, int variants, uint64_t g) {
  auto gen = std::make_shared<Generation>();
  gen->number = g;
  gen->variants.resize(size_t(variants));
  for (int v = 0; v < variants; ++v) {
    gen->variants[size_t(v)].plain = render(fams, uint64_t(v), g);
    gen->variants[size_t(v)].gz = gzip(gen->variants[size_t(v)].plain);
  }
  return gen;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts = parse_flags(argc, argv);
  Shared sh(opts);
  const std::vector<Family> fams = build_families(opts.series);
  size_t nseries = 0;
  for (const auto& f : fams) nseries += f.series.size();
  if (nseries != size_t(opts.series)) {
    std::fprintf(stderr, "fake_targets: built %zu series, wanted %d\n", nseries, opts.series);
    return 1;
  }
  sh.set(build_generation(fams, opts.variants, 0));

  asio::io_context ioc(opts.threads);
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<int> ports;
  try {
    for (int t = 0; t < opts.targets; ++t) {
      auto l = std::make_shared<Listener>(ioc, t, opts.port_base ? opts.port_base + t : 0, &sh);
      ports.push_back(l->port());
      listeners.push_back(std::move(l));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake_targets: listening on target %zu: %s\n", listeners.size(), e.what());
    return 1;
  }
  for (auto& l : listeners) l->accept();

  if (!opts.sd_file.empty()) {
    std::string tmp = opts.sd_file + ".tmp";
    {
      std::ofstream f(tmp);
      f << "[{\"targets\":[";
      for (size_t i = 0; i < ports.size(); ++i) f << (i ? "," : "") << "\"127.0.0.1:" << ports[i] << "\"";
      f << "],\"labels\":{}}]\n";
      if (!f) {
        std::fprintf(stderr, "fake_targets: cannot write %s\n", tmp.c_str());
        return 1;
      }
    }
    if (std::rename(tmp.c_str(), opts.sd_file.c_str()) != 0) {
      std::perror("fake_targets: rename");
      return 1;
    }
  }
  std::printf("READY targets=%d series=%d first_port=%d payload_bytes=%zu gzip_bytes=%zu\n", opts.targets,
              opts.series, ports.front(), sh.current()->variants[0].plain.size(), sh.current()->variants[0].gz.size());
  std::fflush(stdout);

  // Stop on a signal or after --duration.
  auto stop_all = [&] {
    for (auto& l : listeners) l->stop();
    ioc.stop();
  };
  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](beast::error_code ec, int) {
    if (!ec) stop_all();
  });
  asio::steady_timer deadline(ioc, std::chrono::milliseconds(int64_t(opts.duration_s * 1000)));
  deadline.async_wait([&](beast::error_code ec) {
    if (!ec) stop_all();
  });

  // Builder: one new generation every --generation-ms, until stopped.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread builder([&] {
    for (uint64_t g = 1;; ++g) {
      auto when = sh.start + std::chrono::milliseconds(int64_t(g) * opts.generation_ms);
      std::unique_lock l(mu);
      if (cv.wait_until(l, when, [&] { return stopping; })) return;
      l.unlock();
      sh.set(build_generation(fams, opts.variants, g));
      // Fell behind (a slow build): skip to the current generation.
      uint64_t now_g = uint64_t((Clock::now() - sh.start) / std::chrono::milliseconds(opts.generation_ms));
      if (now_g > g) g = now_g;
    }
  });

  std::vector<std::thread> io;
  for (int i = 0; i < opts.threads; ++i) io.emplace_back([&] { ioc.run(); });
  for (auto& t : io) t.join();
  {
    std::lock_guard l(mu);
    stopping = true;
  }
  cv.notify_all();
  builder.join();
  std::fprintf(stderr, "fake_targets: served %llu scrapes, %.2f CPU seconds\n",
               (unsigned long long)sh.stats.scrapes.load(), cpu_seconds());
  return 0;
}
