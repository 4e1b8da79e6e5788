// The remote-write sender (remote_write in strata.yml) against real
// receivers on 127.0.0.1: Prometheus 2.42 (--web.enable-remote-write-receiver)
// and VictoriaMetrics get exactly the samples strata holds; a receiver that
// is down for 30 s, and a strata killed with SIGKILL while it cannot send,
// lose nothing; a scripted receiver's 5xx, 429 and 400 answers are retried
// or dropped as Prometheus does.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <snappy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "remote/remote.pb.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata::integration {
namespace {

using nlohmann::json;
using testutil::RwSeries;
// labels "k=v,..." (sorted, without the external `replica`) -> (t ms, value)
using Samples = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string key_of(const json& metric) {
  std::map<std::string, std::string> m;
  for (auto it = metric.begin(); it != metric.end(); ++it)
    if (it.key() != "replica") m[it.key()] = it.value().get<std::string>();
  std::string k;
  for (const auto& [n, v] : m) k += n + "=" + v + ",";
  return k;
}

// Raw samples of `selector` from two hours ago to a minute ahead (tests
// write a few samples ahead of the clock), from Prometheus or strata.
Samples raw(testutil::ServerProcess& s, const std::string& selector) {
  Samples out;
  auto r = s.client().get("/api/v1/query?" +
                          testutil::form_encode({{"query", selector + "[2h]"},
                                                 {"time", std::to_string(now_ms() / 1000 + 60)}}));
  if (!r.ok() || r->status != 200) return out;
  json body = json::parse(r->body);
  for (const json& series : body["data"]["result"]) {
    auto& v = out[key_of(series["metric"])];
    for (const json& p : series["values"])
      v.push_back({std::llround(p[0].get<double>() * 1000), std::stod(p[1].get<std::string>())});
  }
  return out;
}

// The same from VictoriaMetrics' export API.
Samples raw_vm(testutil::ServerProcess& vm, const std::string& selector) {
  Samples out;
  auto r = vm.client().get("/api/v1/export?" + testutil::form_encode({{"match[]", selector}}));
  if (!r.ok() || r->status != 200) return out;
  std::istringstream lines(r->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    json series = json::parse(line);
    auto& v = out[key_of(series["metric"])];
    for (size_t i = 0; i < series["values"].size(); ++i)
      v.push_back({series["timestamps"][i].get<int64_t>(), series["values"][i].get<double>()});
  }
  for (auto& [k, v] : out) std::sort(v.begin(), v.end());
  return out;
}

size_t count(const Samples& s) {
  size_t n = 0;
  for (const auto& [k, v] : s) n += v.size();
  return n;
}

// `series` series of `n` samples, one a second, the newest at `end_ms`.
std::vector<RwSeries> batch(const std::string& name, int series, int n, int64_t end_ms) {
  std::vector<RwSeries> out;
  for (int s = 0; s < series; ++s) {
    RwSeries rs{{{"__name__", name}, {"job", "load"}, {"i", std::to_string(s)}}, {}};
    for (int i = n - 1; i >= 0; --i) rs.samples.push_back({end_ms - i * 1000, double(s * 1000 + n - i)});
    out.push_back(std::move(rs));
  }
  return out;
}

void push(testutil::ServerProcess& s, const std::vector<RwSeries>& series) {
  auto r = s.client().post("/api/v1/write", testutil::encode_write_request(series),
                           "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 204) << r->body;
}

std::string config(const std::vector<std::string>& urls, const std::string& queue = "") {
  std::string c =
      "global:\n  scrape_interval: 1s\n  external_labels: {replica: s1}\n"
      "remote_write:\n";
  for (const std::string& u : urls)
    c += "- url: " + u + "\n  queue_config: {batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: 1s" +
         queue + "}\n";
  return c;
}

double metric(testutil::ServerProcess& s, const std::string& name) {
  auto r = s.client().get("/metrics");
  if (!r.ok()) return -1;
  std::istringstream lines(r->body);
  double sum = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name, 0) == 0 && (line[name.size()] == '{' || line[name.size()] == ' '))
      sum += std::stod(line.substr(line.rfind(' ') + 1));
  return sum;
}

bool have_prometheus() { return testutil::prometheus_installed(); }

TEST(RemoteWriteSenderTest, PrometheusAndVictoriaMetricsReceiveWhatStrataHolds) {
  if (!have_prometheus() || !testutil::victoriametrics_installed())
    GTEST_SKIP() << "needs the Debian packages prometheus and victoria-metrics";
  auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\n", 0, {"--web.enable-remote-write-receiver"});
  ASSERT_TRUE(p.ok()) << p.status();
  auto vm = testutil::start_victoriametrics();
  ASSERT_TRUE(vm.ok()) << vm.status();
  // Strata scrapes itself too, so scraped samples travel as well.
  const int port = testutil::free_port();
  std::string c = config({(*p)->base_url() + "/api/v1/write", (*vm)->base_url() + "/api/v1/write"}) +
                  "scrape_configs:\n- job_name: self\n  static_configs:\n  - targets: ['127.0.0.1:" +
                  std::to_string(port) + "']\n";
  auto s = testutil::start_strata({"--web.listen-address=127.0.0.1:" + std::to_string(port)}, c);
  ASSERT_TRUE(s.ok()) << s.status();
  auto& strata = **s;

  const int64_t end = now_ms() / 1000 * 1000 - 1000;
  push(strata, batch("rw_pushed", 5, 60, end));
  Samples want = raw(strata, "rw_pushed");
  ASSERT_EQ(count(want), 300u);
  Samples at_prom, at_vm;
  EXPECT_TRUE(testutil::eventually(
      [&] {
        at_prom = raw(**p, "rw_pushed");
        at_vm = raw_vm(**vm, "rw_pushed");
        return count(at_prom) >= 300 && count(at_vm) >= 300;
      },
      std::chrono::seconds(30)))
      << count(at_prom) << " at Prometheus, " << count(at_vm) << " at VictoriaMetrics\n" << strata.log();
  EXPECT_EQ(at_prom, want);
  EXPECT_EQ(at_vm, want);
  // The external label is on every series sent.
  auto r = (*p)->client().get("/api/v1/query?query=count(rw_pushed%7Breplica%3D%22s1%22%7D)");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("\"5\""), std::string::npos) << r->body;

  // Scraped samples: what Prometheus has is what strata has, up to the
  // newest sample sent.
  Samples up_prom;
  ASSERT_TRUE(testutil::eventually([&] { return count(up_prom = raw(**p, "up")) >= 3; },
                                   std::chrono::seconds(30)));
  Samples up_strata = raw(strata, "up");
  ASSERT_EQ(up_prom.size(), 1u);
  const auto& [k, sent] = *up_prom.begin();
  std::vector<std::pair<int64_t, double>> held;
  for (const auto& x : up_strata[k])
    if (x.first <= sent.back().first) held.push_back(x);
  EXPECT_EQ(sent, held) << k;
  EXPECT_GE(metric(strata, "prometheus_remote_storage_samples_total"), 600);
  EXPECT_EQ(metric(strata, "prometheus_remote_storage_samples_failed_total"), 0);
}

TEST(RemoteWriteSenderTest, AReceiverDownFor30SecondsLosesNothing) {
  if (!have_prometheus()) GTEST_SKIP() << "needs the Debian package prometheus";
  const int port = testutil::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  auto s = testutil::start_strata({}, config({url}));
  ASSERT_TRUE(s.ok()) << s.status();
  auto& strata = **s;
  const int64_t t0 = now_ms() / 1000 * 1000;
  push(strata, batch("rw_outage", 3, 30, t0 - 1000));
  // Nobody listens for 30 s; strata keeps retrying.
  std::this_thread::sleep_for(std::chrono::seconds(15));
  push(strata, batch("rw_outage", 3, 15, t0 + 14000));
  std::this_thread::sleep_for(std::chrono::seconds(15));
  EXPECT_GT(metric(strata, "prometheus_remote_storage_samples_retried_total"), 0);
  auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\n", port, {"--web.enable-remote-write-receiver"});
  ASSERT_TRUE(p.ok()) << p.status();
  push(strata, batch("rw_outage", 3, 5, t0 + 35000));
  Samples want = raw(strata, "rw_outage"), got;
  ASSERT_EQ(count(want), 150u);
  EXPECT_TRUE(testutil::eventually([&] { return count(got = raw(**p, "rw_outage")) >= 150; },
                                   std::chrono::seconds(30)))
      << count(got) << " arrived\n" << strata.log();
  EXPECT_EQ(got, want);
}

TEST(RemoteWriteSenderTest, AStrataKilledWhileItCannotSendLosesNothing) {
  if (!have_prometheus()) GTEST_SKIP() << "needs the Debian package prometheus";
  testutil::TempDir data("strata-rw-kill");
  const int port = testutil::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  const std::vector<std::string> flags = {"--storage.tsdb.path=" + data.path()};
  const int64_t t0 = now_ms() / 1000 * 1000;
  {
    auto s = testutil::start_strata(flags, config({url}));
    ASSERT_TRUE(s.ok()) << s.status();
    push(**s, batch("rw_killed", 4, 20, t0 - 1000));
    std::this_thread::sleep_for(std::chrono::seconds(2));  // retrying
    ASSERT_TRUE((*s)->signal(SIGKILL).ok());
    (*s)->wait(std::chrono::seconds(10));
  }
  auto s = testutil::start_strata(flags, config({url}));
  ASSERT_TRUE(s.ok()) << s.status();
  push(**s, batch("rw_killed", 4, 5, t0 + 5000));
  auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\n", port, {"--web.enable-remote-write-receiver"});
  ASSERT_TRUE(p.ok()) << p.status();
  Samples want = raw(**s, "rw_killed"), got;
  ASSERT_EQ(count(want), 100u);
  EXPECT_TRUE(testutil::eventually([&] { return count(got = raw(**p, "rw_killed")) >= 100; },
                                   std::chrono::seconds(30)))
      << count(got) << " arrived\n" << (*s)->log();
  EXPECT_EQ(got, want);
}

TEST(RemoteWriteSenderTest, AReloadWhileTheReceiverIsDownLosesNothing) {
  if (!have_prometheus()) GTEST_SKIP() << "needs the Debian package prometheus";
  const int port = testutil::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  auto s = testutil::start_strata({"--web.enable-lifecycle"}, config({url}));
  ASSERT_TRUE(s.ok()) << s.status();
  const int64_t t0 = now_ms() / 1000 * 1000;
  push(**s, batch("rw_reload", 2, 10, t0 - 1000));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // A changed queue_config replaces the queue; the new one resumes where the
  // old one stopped.
  {
    std::ofstream f((*s)->work_dir() + "/strata.yml");
    f << config({url}, ", max_samples_per_send: 7");
  }
  auto r = (*s)->client().post("/-/reload", "", "text/plain");
  ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  push(**s, batch("rw_reload", 2, 5, t0 + 5000));
  auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\n", port, {"--web.enable-remote-write-receiver"});
  ASSERT_TRUE(p.ok()) << p.status();
  Samples want = raw(**s, "rw_reload"), got;
  ASSERT_EQ(count(want), 30u);
  EXPECT_TRUE(testutil::eventually([&] { return count(got = raw(**p, "rw_reload")) >= 30; },
                                   std::chrono::seconds(30)))
      << count(got) << " arrived\n" << (*s)->log();
  EXPECT_EQ(got, want);
}

TEST(RemoteWriteSenderTest, RemoteWrite2FromOneStrataToAnother) {
  auto receiver = testutil::start_strata({});
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  std::string c = "global:\n  external_labels: {replica: s1}\nremote_write:\n- url: " +
                  (*receiver)->base_url() +
                  "/api/v1/write\n  protobuf_message: io.prometheus.write.v2.Request\n"
                  "  queue_config: {batch_send_deadline: 200ms}\n";
  auto s = testutil::start_strata({}, c);
  ASSERT_TRUE(s.ok()) << s.status();
  auto r = (*s)->client().post(
      "/api/v1/write",
      testutil::encode_write_request(batch("rw_v2_total", 3, 20, now_ms() / 1000 * 1000),
                                     {{testutil::RwMetricType::kCounter, "rw_v2_total", "Sent as 2.0.", ""}}),
      "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(r.ok() && r->status == 204);
  Samples want = raw(**s, "rw_v2_total"), got;
  ASSERT_EQ(count(want), 60u);
  EXPECT_TRUE(testutil::eventually([&] { return count(got = raw(**receiver, "rw_v2_total")) >= 60; },
                                   std::chrono::seconds(20)))
      << (*s)->log() << (*receiver)->log();
  EXPECT_EQ(got, want);
  // The metadata travels with the series.
  auto md = (*receiver)->client().get("/api/v1/metadata?metric=rw_v2_total");
  ASSERT_TRUE(md.ok());
  EXPECT_NE(md->body.find("Sent as 2.0."), std::string::npos) << md->body;
  EXPECT_GE(metric(**receiver, "strata_remote_write_samples_written_total"), 60);
}

// A receiver on 127.0.0.1 that answers each request with the next status of
// its script (204 once the script is used up) and records what it accepted.
class ScriptedReceiver {
 public:
  explicit ScriptedReceiver(std::vector<int> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedReceiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (auto& t : conns_) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/receive"; }
  // Samples of requests answered 2xx, and every request's status.
  size_t accepted() {
    std::lock_guard<std::mutex> l(mu_);
    return accepted_;
  }
  std::vector<int> answered() {
    std::lock_guard<std::mutex> l(mu_);
    return answered_;
  }
  // Metadata received: family -> "type help unit".
  std::map<std::string, std::string> metadata() {
    std::lock_guard<std::mutex> l(mu_);
    return metadata_;
  }
  // The labels of the last series received, "k=v,..." in wire order.
  std::string last_labels() {
    std::lock_guard<std::mutex> l(mu_);
    return last_labels_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      conns_.emplace_back([this, c] { connection(c); });
    }
  }
  void connection(int c) {
    std::string in;
    char buf[65536];
    while (!stop_) {
      size_t head = in.find("\r\n\r\n");
      if (head == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, size_t(n));
        continue;
      }
      size_t cl = in.find("Content-Length: ");
      size_t len = cl < head ? std::stoul(in.substr(cl + 16)) : 0;
      while (in.size() < head + 4 + len) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) return (void)::close(c);
        in.append(buf, size_t(n));
      }
      std::string body = in.substr(head + 4, len);
      in.erase(0, head + 4 + len);
      int status = 204;
      size_t samples = 0;
      std::string raw;
      prometheus::WriteRequest req;
      std::string labels;
      if (snappy::Uncompress(body.data(), body.size(), &raw) && req.ParseFromString(raw)) {
        std::lock_guard<std::mutex> l(mu_);
        for (const auto& md : req.metadata())
          metadata_[md.metric_family_name()] = std::to_string(int(md.type())) + " " + md.help() + " " + md.unit();
        for (const auto& ts : req.timeseries()) {
          samples += size_t(ts.samples_size());
          labels.clear();
          for (const auto& l : ts.labels()) labels += l.name() + "=" + l.value() + ",";
        }
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        if (next_ < script_.size()) status = script_[next_++];
        answered_.push_back(status);
        if (status / 100 == 2) accepted_ += samples;
        if (!labels.empty()) last_labels_ = labels;
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
    }
    ::close(c);
  }

  std::vector<int> script_;
  size_t next_ = 0;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> conns_;
  std::mutex mu_;
  size_t accepted_ = 0;
  std::vector<int> answered_;
  std::string last_labels_;
  std::map<std::string, std::string> metadata_;
};

TEST(RemoteWriteSenderTest, ServerErrorsAreRetriedClientErrorsDropped) {
  struct Case {
    const char* name;
    std::vector<int> script;
    std::string queue;  // extra queue_config
    std::vector<int> answered;
    size_t first;     // answers to the first batch
    size_t accepted;  // of the 2 batches of 10 samples
    double failed;
  };
  const std::vector<Case> cases = {
      {"5xx retried", {500, 503}, "", {500, 503, 204, 204}, 3, 20, 0},
      {"429 dropped by default", {429}, "", {429, 204}, 1, 10, 10},
      {"429 retried when asked", {429}, ", retry_on_http_429: true", {429, 204, 204}, 2, 20, 0},
      {"400 dropped", {400}, "", {400, 204}, 1, 10, 10},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedReceiver rcv(c.script);
    auto s = testutil::start_strata({}, config({rcv.url()}, c.queue));
    ASSERT_TRUE(s.ok()) << s.status();
    const int64_t t0 = now_ms() / 1000 * 1000;
    // Two requests, far enough apart to be two batches.
    push(**s, batch("rw_scripted", 1, 10, t0 - 20000));
    ASSERT_TRUE(testutil::eventually([&] { return rcv.answered().size() >= c.first; },
                                     std::chrono::seconds(20)))
        << (*s)->log();
    push(**s, batch("rw_scripted", 1, 10, t0));
    EXPECT_TRUE(testutil::eventually([&] { return rcv.answered().size() >= c.answered.size(); },
                                     std::chrono::seconds(20)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more comes
    EXPECT_EQ(rcv.answered(), c.answered);
    EXPECT_EQ(rcv.accepted(), c.accepted);
    EXPECT_EQ(metric(**s, "prometheus_remote_storage_samples_failed_total"), c.failed);
  }
}

TEST(RemoteWriteSenderTest, WriteRelabelingAndExternalLabelsShapeWhatIsSent) {
  ScriptedReceiver rcv({});
  std::string c = "global:\n  external_labels: {replica: s1, job: overridden}\nremote_write:\n- url: " +
                  rcv.url() +
                  "\n  queue_config: {batch_send_deadline: 200ms}\n"
                  "  write_relabel_configs:\n  - source_labels: [i]\n    regex: '1'\n    action: keep\n";
  auto s = testutil::start_strata({}, c);
  ASSERT_TRUE(s.ok()) << s.status();
  push(**s, batch("rw_relabel", 2, 10, now_ms() / 1000 * 1000));
  EXPECT_TRUE(testutil::eventually([&] { return rcv.accepted() >= 10; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(rcv.accepted(), 10u);
  EXPECT_EQ(metric(**s, "prometheus_remote_storage_samples_dropped_total"), 10);
  // The series' own job wins over the external label; replica is added.
  EXPECT_EQ(rcv.last_labels(), "__name__=rw_relabel,i=1,job=load,replica=s1,");
}

TEST(RemoteWriteSenderTest, MetadataFromTheWalIsSentEverySendInterval) {
  ScriptedReceiver rcv({});
  std::string c = "global:\n  scrape_interval: 1s\nremote_write:\n- url: " + rcv.url() +
                  "\n  metadata_config: {send_interval: 1s}\n";
  auto s = testutil::start_strata({}, c);
  ASSERT_TRUE(s.ok()) << s.status();
  auto r = (*s)->client().post(
      "/api/v1/write",
      testutil::encode_write_request(batch("rw_meta_total", 1, 1, now_ms()),
                                     {{testutil::RwMetricType::kCounter, "rw_meta_total", "Requests served.", ""},
                                      {testutil::RwMetricType::kGauge, "rw_temp", "Temperature.", "celsius"}}),
      "application/x-protobuf", testutil::remote_write_headers());
  ASSERT_TRUE(r.ok() && r->status == 204);
  std::map<std::string, std::string> want = {{"rw_meta_total", "1 Requests served. "},
                                             {"rw_temp", "2 Temperature. celsius"}};
  EXPECT_TRUE(testutil::eventually([&] { return rcv.metadata() == want; }, std::chrono::seconds(20)))
      << ::testing::PrintToString(rcv.metadata());
  EXPECT_GE(metric(**s, "prometheus_remote_storage_metadata_total"), 2);
}

}  // namespace
}  // namespace strata::integration
