// The notifier end to end against Beast test servers on 127.0.0.1 standing
// in for Alertmanagers: what it POSTs (path, headers, body), batching,
// relabeling, the queue, errors and timeouts, reloads, discovery, shutdown.
#include "rules/notifier/notifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "rules/notifier/alert_json.h"
#include "tests/net/test_server.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/temp_dir.h"
#include "tests/testutil/relabel_rule.h"

namespace strata::rules::notifier {
namespace {

using net::testing::ServerRequest;
using net::testing::ServerResponse;
using net::testing::TestServer;
using testutil::eventually;
using tsdb::Labels;
namespace relabel = tsdb::relabel;

struct Received {
  std::string method, target, body;
  std::string content_type, user_agent, authorization;
};

// An Alertmanager stand-in: records every request, answers `status` after
// `delay_ms`, or after hold_answers() only once release() is called.
class FakeAlertmanager {
 public:
  FakeAlertmanager()
      : server_([this](const ServerRequest& req, ServerResponse& res) {
          std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
          Received r{std::string(req.method_string()),
                     std::string(req.target()),
                     req.body(),
                     std::string(req[boost::beast::http::field::content_type]),
                     std::string(req[boost::beast::http::field::user_agent]),
                     std::string(req[boost::beast::http::field::authorization])};
          {
            std::unique_lock lock(mu_);
            received_.push_back(std::move(r));
            // Bounded: TestServer wants handlers to return soon after it stops.
            released_.wait_for(lock, std::chrono::seconds(3), [&] { return !hold_; });
          }
          res.result(status.load());
        }) {}
  ~FakeAlertmanager() { release(); }

  // Answers wait for release() from now on.
  void hold_answers() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      hold_ = false;
    }
    released_.notify_all();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  std::string url() const { return "http://" + address() + "/api/v2/alerts"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  size_t alerts_received() const {
    size_t n = 0;
    for (const auto& r : received()) n += nlohmann::json::parse(r.body).size();
    return n;
  }

  std::atomic<int> status{200};
  std::atomic<int> delay_ms{0};

 private:
  mutable std::mutex mu_;
  std::condition_variable released_;
  bool hold_ = false;
  std::vector<Received> received_;
  TestServer server_;
};

AlertmanagerConfig static_config(std::vector<std::string> addresses) {
  AlertmanagerConfig c;
  c.static_configs.push_back({std::move(addresses), {}});
  return c;
}

Alert make_alert(const std::string& name, int i = 0) {
  Alert a;
  a.labels = Labels::from_strings({"alertname", name, "i", std::to_string(i)});
  a.annotations = Labels::from_strings({"summary", "it is " + name});
  a.starts_at_ms = 1714557600000 + i;
  a.ends_at_ms = 1714557900000;
  a.generator_url = "http://strata:9090/graph?g0.expr=up&g0.tab=1";
  return a;
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierOptions options() {
    NotifierOptions o;
    o.user_agent = "Strata/test";
    return o;
  }
  double counter(const std::string& name) { return registry_.counter(name, "").value(); }
  double per_am(const std::string& name, const std::string& url) {
    return registry_.counter_family(name, "", {"alertmanager"}).with({url}).value();
  }
  double gauge(const std::string& name) { return registry_.gauge(name, "").value(); }

  metrics::Registry registry_;
};

TEST_F(NotifierTest, PostsTheAlertsAsAlertmanagerExpects) {
  FakeAlertmanager am;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return n.alertmanagers().active.size() == 1; }));
  n.send({make_alert("A")});
  ASSERT_TRUE(eventually([&] { return am.received().size() == 1; }));
  const Received r = am.received()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v2/alerts");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.user_agent, "Strata/test");
  EXPECT_EQ(r.body, R"([{"annotations":{"summary":"it is A"},"endsAt":"2024-05-01T10:05:00.000Z",)"
                    R"("startsAt":"2024-05-01T10:00:00.000Z",)"
                    R"("generatorURL":"http://strata:9090/graph?g0.expr=up\u0026g0.tab=1",)"
                    R"("labels":{"alertname":"A","i":"0"}}])");
  ASSERT_TRUE(
      eventually([&] { return per_am("prometheus_notifications_sent_total", am.url()) == 1; }));
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", am.url()), 0);
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 0);
  EXPECT_EQ(gauge("prometheus_notifications_alertmanagers_discovered"), 1);
  EXPECT_EQ(gauge("prometheus_notifications_queue_capacity"), 10000);
  const AlertmanagersSnapshot s = n.alertmanagers();
  EXPECT_EQ(s.active, std::vector<std::string>{am.url()});
  EXPECT_TRUE(s.dropped.empty());
  n.stop();
  EXPECT_EQ(gauge("prometheus_notifications_alertmanagers_discovered"), 0);
}

TEST_F(NotifierTest, SendsBatchesOfAtMost64) {
  FakeAlertmanager am;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  std::vector<Alert> alerts;
  for (int i = 0; i < 150; ++i) alerts.push_back(make_alert("A", i));
  n.send(alerts);  // queued before start: the batches are cut from a full queue
  EXPECT_EQ(n.queue_length(), 150u);
  EXPECT_EQ(gauge("prometheus_notifications_queue_length"), 150);
  n.start();
  ASSERT_TRUE(eventually([&] { return am.alerts_received() == 150; }));
  const auto got = am.received();
  ASSERT_EQ(got.size(), 3u);
  std::vector<size_t> sizes;
  int next = 0;
  for (const auto& r : got) {
    auto j = nlohmann::json::parse(r.body);
    sizes.push_back(j.size());
    for (const auto& a : j) EXPECT_EQ(a["labels"]["i"], std::to_string(next++));  // in order
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{64, 64, 22}));
  EXPECT_EQ(n.queue_length(), 0u);
}

TEST_F(NotifierTest, AddsExternalLabelsThenRelabels) {
  FakeAlertmanager am;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  cfg.external_labels = Labels::from_strings({"alertname", "ext", "env", "prod", "region", "eu"});
  cfg.alert_relabel_configs = {
      testutil::relabel_rule(relabel::Action::kDrop, {"severity"}, "none"),
      testutil::relabel_rule(relabel::Action::kLabelDrop, {}, "tmp"),
      testutil::relabel_rule(relabel::Action::kReplace, {"env"}, "(.*)", "stage", "${1}-1"),
  };
  ASSERT_TRUE(n.apply(cfg).ok());
  Alert kept = make_alert("Kept");
  kept.labels = Labels::from_strings({"alertname", "Kept", "tmp", "x", "region", "us"});
  Alert dropped = make_alert("Dropped");
  dropped.labels = Labels::from_strings({"alertname", "Dropped", "severity", "none"});
  n.send({kept, dropped});
  EXPECT_EQ(n.queue_length(), 1u);
  n.start();
  ASSERT_TRUE(eventually([&] { return am.received().size() == 1; }));
  auto j = nlohmann::json::parse(am.received()[0].body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["labels"],
            (nlohmann::json{
                {"alertname", "Kept"}, {"env", "prod"}, {"region", "us"}, {"stage", "prod-1"}}));
}

TEST_F(NotifierTest, AlertsWhoseLabelsBecomeEmptyAreDropped) {
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alert_relabel_configs = {testutil::relabel_rule(relabel::Action::kLabelDrop, {}, ".*")};
  ASSERT_TRUE(n.apply(cfg).ok());
  n.send({make_alert("A")});
  EXPECT_EQ(n.queue_length(), 0u);
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"),
            0);  // dropped by config, not counted
}

TEST_F(NotifierTest, PerAlertmanagerAlertRelabelingAppliesToItsSetOnly) {
  FakeAlertmanager all, pages;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({all.address()}));
  AlertmanagerConfig only_a = static_config({pages.address()});
  only_a.alert_relabel_configs = {testutil::relabel_rule(relabel::Action::kKeep, {"alertname"}, "A")};
  cfg.alertmanagers.push_back(only_a);
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return n.alertmanagers().active.size() == 2; }));
  n.send({make_alert("A"), make_alert("B")});
  ASSERT_TRUE(eventually([&] { return all.alerts_received() == 2 && pages.alerts_received() == 1; }));
  EXPECT_EQ(nlohmann::json::parse(pages.received()[0].body)[0]["labels"]["alertname"], "A");
  ASSERT_TRUE(
      eventually([&] { return per_am("prometheus_notifications_sent_total", pages.url()) == 1; }));
  // A batch the set's relabeling drops entirely is not sent to it.
  n.send({make_alert("B", 1)});
  ASSERT_TRUE(eventually([&] { return all.alerts_received() == 3; }));
  EXPECT_EQ(pages.received().size(), 1u);
  n.stop();
}

TEST_F(NotifierTest, FullQueueDropsTheOldest) {
  FakeAlertmanager am;
  NotifierOptions o = options();
  o.queue_capacity = 5;
  Notifier n(o, &registry_);
  EXPECT_EQ(gauge("prometheus_notifications_queue_capacity"), 5);
  std::vector<Alert> first;
  for (int i = 0; i < 3; ++i) first.push_back(make_alert("A", i));
  n.send(first);
  std::vector<Alert> second;
  for (int i = 3; i < 11; ++i) second.push_back(make_alert("A", i));
  n.send(second);  // 8 > capacity: 3 of them go at once, then the 3 queued
  EXPECT_EQ(n.queue_length(), 5u);
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 6);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return am.alerts_received() == 5; }));
  auto j = nlohmann::json::parse(am.received()[0].body);
  ASSERT_EQ(j.size(), 5u);
  EXPECT_EQ(j[0]["labels"]["i"], "6");
  EXPECT_EQ(j[4]["labels"]["i"], "10");
}

TEST_F(NotifierTest, SendsAuthorizationFromTheHttpConfig) {
  FakeAlertmanager basic, bearer;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  AlertmanagerConfig b = static_config({basic.address()});
  b.http.basic_auth = net::BasicAuth{"user", "", "pass", ""};
  AlertmanagerConfig t = static_config({bearer.address()});
  t.http.authorization = net::Authorization{"Bearer", "tok3n", ""};
  cfg.alertmanagers = {b, t};
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return n.alertmanagers().active.size() == 2; }));
  n.send({make_alert("A")});
  ASSERT_TRUE(
      eventually([&] { return basic.received().size() == 1 && bearer.received().size() == 1; }));
  EXPECT_EQ(basic.received()[0].authorization, "Basic dXNlcjpwYXNz");
  EXPECT_EQ(bearer.received()[0].authorization, "Bearer tok3n");
}

TEST_F(NotifierTest, SendsOverTlsWithTheConfiguredCaAndPathPrefix) {
  testutil::TempDir dir("notifier_tls_");
  ASSERT_TRUE(dir.ok());
  // A CA and a server certificate for 127.0.0.1 from the openssl CLI (EC
  // keys: quick); its output goes to a log.
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string script =
      "cd " + dir.path() + " && exec >openssl.log 2>&1 && set -e\n" + "openssl req -x509 " + key +
      " -keyout ca.key -out ca.pem -days 2 -subj /CN=notifier-test-ca\n" + "openssl req " + key +
      " -keyout server.key -out server.csr -subj /CN=localhost\n" +
      "printf \"subjectAltName=IP:127.0.0.1\\n\" > san.cnf\n" +
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
      " -days 2 -extfile san.cnf\n";
  const std::string script_file = dir.path() + "/certs.sh";
  std::ofstream(script_file) << script;
  ASSERT_EQ(std::system(("sh " + script_file).c_str()), 0) << "see " << dir.path();
  std::mutex mu;
  std::string target;
  net::testing::TestServerOptions tls;
  tls.cert_pem_file = dir.path() + "/server.pem";
  tls.key_pem_file = dir.path() + "/server.key";
  TestServer server(
      [&](const ServerRequest& req, ServerResponse& res) {
        std::lock_guard lock(mu);
        target = std::string(req.target());
        res.result(200);
      },
      tls);
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  AlertmanagerConfig c = static_config({"127.0.0.1:" + std::to_string(server.port())});
  c.scheme = "https";
  c.path_prefix = "/am/";
  c.http.tls_config.ca_file = dir.path() + "/ca.pem";
  cfg.alertmanagers.push_back(c);
  ASSERT_TRUE(n.apply(cfg).ok());
  n.send({make_alert("A")});
  n.start();
  const std::string url =
      "https://127.0.0.1:" + std::to_string(server.port()) + "/am/api/v2/alerts";
  ASSERT_TRUE(eventually([&] { return per_am("prometheus_notifications_sent_total", url) == 1; }));
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", url), 0);
  std::lock_guard lock(mu);
  EXPECT_EQ(target, "/am/api/v2/alerts");
}

TEST_F(NotifierTest, CountsErrorsAndDropsUndeliveredBatches) {
  FakeAlertmanager ok, failing, slow;
  failing.status = 500;
  slow.delay_ms = 800;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  // Config 0: one of two Alertmanagers accepts -> delivered for this config.
  cfg.alertmanagers.push_back(static_config({ok.address(), failing.address()}));
  // Config 1: its only Alertmanager times out -> the batch is not delivered.
  AlertmanagerConfig s = static_config({slow.address()});
  s.timeout_ms = 100;
  cfg.alertmanagers.push_back(s);
  ASSERT_TRUE(n.apply(cfg).ok());
  n.send({make_alert("A", 1), make_alert("A", 2)});
  n.start();
  ASSERT_TRUE(eventually([&] { return counter("prometheus_notifications_dropped_total") == 2; }));
  EXPECT_EQ(per_am("prometheus_notifications_sent_total", ok.url()), 2);
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", ok.url()), 0);
  EXPECT_EQ(per_am("prometheus_notifications_sent_total", failing.url()), 2);
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", failing.url()), 2);
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", slow.url()), 2);
  uint64_t observed = 0;
  for (auto c :
       registry_
           .histogram_family("prometheus_notifications_latency_seconds", "", {"alertmanager"}, {})
           .with({ok.url()})
           .counts())
    observed += c;
  EXPECT_EQ(observed, 1u);
  n.stop();
}

TEST_F(NotifierTest, OneAcceptingAlertmanagerPerConfigDelivers) {
  FakeAlertmanager a, b;
  b.status = 503;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({a.address(), b.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  n.send({make_alert("A")});
  n.start();
  ASSERT_TRUE(
      eventually([&] { return per_am("prometheus_notifications_errors_total", b.url()) == 1; }));
  ASSERT_TRUE(
      eventually([&] { return per_am("prometheus_notifications_sent_total", a.url()) == 1; }));
  n.stop();
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 0);
}

TEST_F(NotifierTest, WithoutAlertmanagersBatchesAreDiscardedUncounted) {
  Notifier n(options(), &registry_);
  ASSERT_TRUE(n.apply({}).ok());
  n.start();
  n.send({make_alert("A"), make_alert("B")});
  ASSERT_TRUE(eventually([&] { return n.queue_length() == 0; }));
  n.stop();
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 0);  // as Prometheus 3
}

TEST_F(NotifierTest, ReloadKeepsTheQueueAndSwapsAlertmanagers) {
  FakeAlertmanager old_am, new_am;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({old_am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  n.send({make_alert("A", 1), make_alert("A", 2), make_alert("A", 3)});
  cfg.alertmanagers = {static_config({new_am.address()})};
  cfg.external_labels = Labels::from_strings({"replica", "b"});
  ASSERT_TRUE(n.apply(cfg).ok());
  EXPECT_EQ(n.queue_length(), 3u);
  n.start();
  ASSERT_TRUE(eventually([&] { return new_am.alerts_received() == 3; }));
  EXPECT_TRUE(old_am.received().empty());
  // Alerts queued before the reload keep the labels they were queued with;
  // those sent after get the new external labels.
  n.send({make_alert("A", 4)});
  ASSERT_TRUE(eventually([&] { return new_am.alerts_received() == 4; }));
  auto j = nlohmann::json::parse(new_am.received().back().body);
  EXPECT_EQ(j[0]["labels"]["replica"], "b");
  EXPECT_EQ(n.alertmanagers().active, std::vector<std::string>{new_am.url()});
  // A config whose client cannot be built changes nothing.
  NotifierConfig bad = cfg;
  bad.alertmanagers[0].http.tls_config.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(n.apply(bad).ok());
  bad = cfg;
  bad.alertmanagers[0].api_version = "v1";
  auto st = n.apply(bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      st.message(),
      "alertmanagers config 0: expected Alertmanager api version to be one of [v2] but got v1");
  EXPECT_EQ(n.alertmanagers().active, std::vector<std::string>{new_am.url()});
}

TEST_F(NotifierTest, DiscoversAlertmanagersFromStaticAndFileConfigs) {
  FakeAlertmanager am;
  testutil::TempDir dir("notifier_sd_");
  ASSERT_TRUE(dir.ok());
  const std::string file = dir.path() + "/ams.json";
  {
    std::ofstream(file) << R"([{"targets":[")" << am.address()
                        << R"(","dropme:9093"],"labels":{"team":"a"}}])";
  }
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  AlertmanagerConfig c = static_config({"static-am:9093"});
  c.path_prefix = "/am";
  scrape::FileSdConfig f;
  f.files = {dir.path() + "/*.json"};
  c.file_sd_configs.push_back(f);
  c.relabel_configs = {
      testutil::relabel_rule(relabel::Action::kDrop, {"__address__"}, "dropme:.*"),
      // The file's targets keep their path prefix; a label moves the static one.
      testutil::relabel_rule(relabel::Action::kReplace, {"__meta_filepath"}, ".+", "__alerts_path__",
           "/api/v2/alerts"),
  };
  cfg.alertmanagers.push_back(c);
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return n.alertmanagers().active.size() == 2; }));
  AlertmanagersSnapshot s = n.alertmanagers();
  std::sort(s.active.begin(), s.active.end());
  EXPECT_EQ(s.active,
            (std::vector<std::string>{am.url(), "http://static-am:9093/am/api/v2/alerts"}));
  EXPECT_EQ(s.dropped, std::vector<std::string>{"http://dropme:9093/am/api/v2/alerts"});
  EXPECT_EQ(gauge("prometheus_notifications_alertmanagers_discovered"), 2);
  // The file changes: its Alertmanager goes away.
  { std::ofstream(file) << R"([{"targets":["other:9093"]}])"; }
  ASSERT_TRUE(eventually([&] {
    auto a = n.alertmanagers().active;
    return std::find(a.begin(), a.end(), "http://other:9093/api/v2/alerts") != a.end() &&
           std::find(a.begin(), a.end(), am.url()) == a.end();
  }));
  EXPECT_TRUE(n.alertmanagers().dropped.empty());
  n.stop();
}

TEST_F(NotifierTest, StopDrainsTheQueue) {
  FakeAlertmanager am;
  am.delay_ms = 50;
  Notifier n(options(), &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  n.start();
  ASSERT_TRUE(eventually([&] { return n.alertmanagers().active.size() == 1; }));
  std::vector<Alert> alerts;
  for (int i = 0; i < 200; ++i) alerts.push_back(make_alert("A", i));
  n.send(alerts);
  n.stop();
  EXPECT_EQ(am.alerts_received(), 200u);
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 0);
  EXPECT_EQ(n.queue_length(), 0u);
}

TEST_F(NotifierTest, DrainEndsAtItsBound) {
  FakeAlertmanager am;
  am.hold_answers();  // no answer until released: the drain cannot finish
  NotifierOptions o = options();
  o.drain_timeout_ms = 100;
  Notifier n(o, &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  std::vector<Alert> alerts;
  for (int i = 0; i < 200; ++i) alerts.push_back(make_alert("A", i));
  n.send(alerts);
  n.start();
  ASSERT_TRUE(eventually([&] { return am.received().size() == 1; }));
  n.stop();  // the first batch is cancelled at the drain's end, the rest left
  am.release();
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 200);
  EXPECT_EQ(per_am("prometheus_notifications_errors_total", am.url()), 64);
  EXPECT_EQ(am.received().size(), 1u);
}

TEST_F(NotifierTest, StopWithoutDrainDropsTheQueue) {
  FakeAlertmanager am;
  NotifierOptions o = options();
  o.drain_on_shutdown = false;
  Notifier n(o, &registry_);
  NotifierConfig cfg;
  cfg.alertmanagers.push_back(static_config({am.address()}));
  ASSERT_TRUE(n.apply(cfg).ok());
  std::vector<Alert> alerts;
  for (int i = 0; i < 10; ++i) alerts.push_back(make_alert("A", i));
  n.send(alerts);
  n.stop();  // never started: nothing was sent
  EXPECT_TRUE(am.received().empty());
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 10);
  EXPECT_FALSE(n.apply(cfg).ok());
  n.send({make_alert("late")});
  EXPECT_EQ(n.queue_length(), 0u);
  EXPECT_EQ(counter("prometheus_notifications_dropped_total"), 11);
}

}  // namespace
}  // namespace strata::rules::notifier
