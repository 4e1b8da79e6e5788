// The notifier against the real Alertmanager (Debian's
// prometheus-alertmanager, /usr/bin/prometheus-alertmanager): it is started
// on a free 127.0.0.1 port with its own --storage.path in a temporary
// directory, clustering off (--cluster.listen-address=) and a config with
// one null receiver, and stopped by PID. Alertmanager is the oracle: what it
// lists on GET /api/v2/alerts must be what the notifier meant to send
// (labels with the external labels, annotations, startsAt, endsAt,
// generatorURL, label values that need escaping), and a resolved alert must
// leave the active list.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "rules/notifier/alert_json.h"
#include "rules/notifier/notifier.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::notifier {
namespace {

constexpr char kAlertmanagerBinary[] = "/usr/bin/prometheus-alertmanager";

// One Alertmanager process; the destructor stops it (SIGTERM, then SIGKILL
// after 10 s) and reaps it.
class AlertmanagerProcess {
 public:
  ~AlertmanagerProcess() { stop(); }

  // Starts it and waits (at most 30 s) for /-/ready.
  absl::Status start(const std::string& dir) {
    const std::string config = dir + "/alertmanager.yml";
    std::ofstream(config) << "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n";
    port_ = testutil::free_port();
    log_ = dir + "/alertmanager.log";
    std::vector<std::string> args = {kAlertmanagerBinary,
                                     "--config.file=" + config,
                                     "--storage.path=" + dir + "/data",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--cluster.listen-address=",
                                     "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return absl::InternalError("fork failed");
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    testutil::HttpClient c("127.0.0.1", port_, std::chrono::seconds(5));
    const bool ready = testutil::eventually(
        [&] {
          if (!running()) return true;
          auto r = c.get("/-/ready");
          return r.ok() && r->status == 200;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(100));
    if (!ready || !running()) return absl::UnavailableError("alertmanager not ready: " + log());
    return absl::OkStatus();
  }

  bool running() {
    if (pid_ <= 0) return false;
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }

  void stop() {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {  // 10 s
      if (!running()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

std::string rfc3339(int64_t t_ms) {
  std::string s;
  append_json_time(&s, t_ms);
  return s.substr(1, s.size() - 2);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The alerts Alertmanager lists (active ones only with `active_only`),
// keyed by alertname.
std::map<std::string, nlohmann::json> listed(testutil::HttpClient& c, bool active_only) {
  std::map<std::string, nlohmann::json> out;
  auto r = c.get(active_only ? "/api/v2/alerts?active=true&silenced=false&inhibited=false"
                             : "/api/v2/alerts");
  if (!r.ok() || r->status != 200) return out;
  for (const auto& a : nlohmann::json::parse(r->body))
    out[a["labels"]["alertname"].get<std::string>()] = a;
  return out;
}

TEST(AlertmanagerIntegrationTest, FiringThenResolved) {
  if (::access(kAlertmanagerBinary, X_OK) != 0) GTEST_SKIP() << kAlertmanagerBinary << " missing";
  testutil::TempDir dir("notifier_am_");
  ASSERT_TRUE(dir.ok());
  AlertmanagerProcess am;
  ASSERT_TRUE(am.start(dir.path()).ok()) << am.log();
  testutil::HttpClient http("127.0.0.1", am.port(), std::chrono::seconds(10));

  metrics::Registry registry;
  NotifierOptions opts;
  opts.user_agent = "Strata/test";
  Notifier n(opts, &registry);
  NotifierConfig cfg;
  AlertmanagerConfig c;
  c.static_configs.push_back({{"127.0.0.1:" + std::to_string(am.port())}, {}});
  cfg.alertmanagers.push_back(c);
  cfg.external_labels = tsdb::Labels::from_strings({"cluster", "test", "severity", "ignored"});
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();

  // Whole seconds would hide a millisecond bug; use an odd millisecond.
  const int64_t starts = (now_ms() / 1000 - 60) * 1000 + 123;
  Alert firing;
  firing.labels = tsdb::Labels::from_strings(
      {"alertname", "StrataTestAlert", "severity", "page", "instance", "a:9100"});
  firing.annotations = tsdb::Labels::from_strings(
      {"summary", "Instance a:9100 is down", "description", "multi\nline <b>&\"quoted\"</b>"});
  firing.starts_at_ms = starts;
  firing.ends_at_ms = (now_ms() / 1000 + 600) * 1000 + 456;
  firing.generator_url = "http://strata:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1";
  // Label values that need escaping in JSON, and UTF-8.
  Alert tricky;
  tricky.labels = tsdb::Labels::from_strings(
      {"alertname", "StrataTricky", "quote", "a\"b\\c", "ctrl", "tab\there\x01", "html", "<&>",
       "utf8", "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8"});
  tricky.starts_at_ms = starts;
  tricky.ends_at_ms = firing.ends_at_ms;
  n.send({firing, tricky});

  std::map<std::string, nlohmann::json> got;
  ASSERT_TRUE(testutil::eventually([&] {
    got = listed(http, true);
    return got.size() == 2;
  })) << am.log();
  const nlohmann::json& a = got["StrataTestAlert"];
  EXPECT_EQ(a["labels"], (nlohmann::json{{"alertname", "StrataTestAlert"},
                                         {"cluster", "test"},
                                         {"instance", "a:9100"},
                                         {"severity", "page"}}));
  EXPECT_EQ(a["annotations"], (nlohmann::json{{"summary", "Instance a:9100 is down"},
                                              {"description", "multi\nline <b>&\"quoted\"</b>"}}));
  EXPECT_EQ(a["startsAt"], rfc3339(firing.starts_at_ms));
  EXPECT_EQ(a["endsAt"], rfc3339(firing.ends_at_ms));
  EXPECT_EQ(a["generatorURL"], firing.generator_url);
  EXPECT_EQ(a["status"]["state"], "active");
  const nlohmann::json& t = got["StrataTricky"];
  for (const auto& l : tricky.labels) EXPECT_EQ(t["labels"][l.name], l.value) << l.name;
  EXPECT_EQ(t["labels"]["cluster"], "test");

  // Resolved: endsAt in the past. Alertmanager no longer lists it as active.
  Alert resolved = firing;
  resolved.ends_at_ms = now_ms() - 1000;
  n.send({resolved});
  ASSERT_TRUE(testutil::eventually([&] {
    auto now = listed(http, true);
    return now.count("StrataTestAlert") == 0 && now.count("StrataTricky") == 1;
  })) << am.log();
  EXPECT_EQ(listed(http, false).count("StrataTestAlert"), 0u);

  const std::string url = "http://127.0.0.1:" + std::to_string(am.port()) + "/api/v2/alerts";
  EXPECT_EQ(registry.counter_family("prometheus_notifications_errors_total", "", {"alertmanager"})
                .with({url})
                .value(),
            0);
  EXPECT_EQ(registry.counter_family("prometheus_notifications_sent_total", "", {"alertmanager"})
                .with({url})
                .value(),
            3);
  n.stop();
  am.stop();
}

}  // namespace
}  // namespace strata::rules::notifier
