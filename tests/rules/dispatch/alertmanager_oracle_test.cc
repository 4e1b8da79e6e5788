// Notifications compared with the real Alertmanager's (Debian's
// prometheus-alertmanager 0.25): the same config and the same alerts go to
// Alertmanager (started on a free 127.0.0.1 port, stopped by PID; alerts
// posted to /api/v2/alerts) and to the dispatcher; both webhooks land on one
// Beast test server and every field but externalURL must be equal
// (groupKey with a nested route, fingerprints, timestamps, common labels),
// firing and then resolved; Slack messages must have the same title, color,
// channel and username, and e-mails (to a local aiosmtpd) the same Subject.
// Waiting for Alertmanager is bounded (30 s) and not part of the verdict.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "net/client.h"
#include "rules/dispatch/dispatcher.h"
#include "rules/dispatch/payload.h"
#include "tests/net/smtp_test_server.h"
#include "tests/net/test_server.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/temp_dir.h"

extern char** environ;

namespace strata::rules::dispatch {
namespace {

using nlohmann::json;
constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

// `side` is "am" or "strata": the paths and the e-mail recipient that tell
// the two apart. No e-mail when `smarthost` is empty.
std::string config(const net::testing::TestServer& rx, const std::string& side,
                   const std::string& smarthost) {
  std::string c =
      "route:\n  receiver: web\n  group_by: [alertname]\n  group_wait: 1s\n"
      "  group_interval: 2s\n"
      "  routes:\n  - matchers: ['service=\"api\"']\n    receiver: web\n"
      "receivers:\n- name: web\n  webhook_configs:\n  - url: '" +
      rx.url("/" + side) + "'\n  slack_configs:\n  - api_url: '" + rx.url("/" + side + "-slack") +
      "'\n    channel: '#ops'\n";
  if (!smarthost.empty()) {
    c += "  email_configs:\n  - to: '" + side + "@example.org'\n    from: 'alerts@example.org'\n" +
         "    smarthost: '" + smarthost + "'\n    require_tls: false\n";
  }
  return c;
}

std::string header(const std::string& mail, const std::string& name) {
  const std::string text = "\r\n" + mail;
  auto at = text.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return text.substr(at, text.find("\r\n", at) - at);
}

class Process {
 public:
  explicit Process(std::vector<std::string> args, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Process() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      usleep(50'000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  bool ok() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

TEST(DispatchAlertmanagerOracleTest, WebhookPayloadMatchesAlertmanager) {
  if (access(kAlertmanager, X_OK) != 0) GTEST_SKIP() << "prometheus-alertmanager not installed";
  std::mutex mu;
  std::map<std::string, json> got;  // by path
  net::testing::TestServer rx(
      [&](const net::testing::ServerRequest& req, net::testing::ServerResponse&) {
        std::lock_guard<std::mutex> lock(mu);
        got[std::string(req.target())] = json::parse(req.body(), nullptr, false);
      });
  std::optional<net::testing::SmtpTestServer> smtp;
  if (net::testing::SmtpTestServer::available()) {
    smtp.emplace(net::testing::SmtpTestServerOptions{.tls = false});
    ASSERT_TRUE(smtp->ok()) << smtp->error();
  }
  const std::string smarthost = smtp ? smtp->smarthost() : "";
  testutil::TempDir dir("dispatch-am-");
  const std::string am_yml = dir.path() + "/am.yml";
  std::ofstream(am_yml) << config(rx, "am", smarthost);
  const int port = testutil::free_port();
  const std::string am = "http://127.0.0.1:" + std::to_string(port);
  Process proc(
      {kAlertmanager, "--config.file=" + am_yml, "--storage.path=" + dir.path() + "/am",
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
      dir.path() + "/am.log");
  ASSERT_TRUE(proc.ok());
  auto client = net::Client::create({});
  ASSERT_TRUE(client.ok()) << client.status();
  auto deadline = [] { return net::Deadline::clock::now() + std::chrono::seconds(5); };
  bool ready = false;
  for (int i = 0; i < 300 && !ready; ++i) {  // up to 30 s
    net::Request r;
    r.url = am + "/-/ready";
    auto res = (*client)->send(r, deadline());
    ready = res.ok() && res->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "Alertmanager did not start, see " << dir.path() << "/am.log";

  // Whole seconds: Alertmanager keeps nanoseconds, we keep milliseconds.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count() *
                         1000;
  std::vector<Alert> alerts;
  for (const char* inst : {"a:1", "b:1"}) {
    Alert a;
    a.labels = tsdb::Labels::from_strings(
        {"alertname", "HighErrorRate", "service", "api", "instance", inst, "severity", "page"});
    a.annotations = tsdb::Labels::from_strings({"summary", "errors", "runbook", inst});
    a.starts_at_ms = now_ms - 60'000;
    a.ends_at_ms = now_ms + 3'600'000;
    a.generator_url = "http://strata:9090/graph?g0.expr=errors";
    alerts.push_back(a);
  }
  auto post_alerts = [&](const std::vector<Alert>& alerts) {
    json body = json::array();
    for (const Alert& a : alerts) {
      json labels = json::object(), annotations = json::object();
      for (const auto& l : a.labels) labels[l.name] = l.value;
      for (const auto& l : a.annotations) annotations[l.name] = l.value;
      body.push_back({{"labels", labels},
                      {"annotations", annotations},
                      {"startsAt", rfc3339(a.starts_at_ms)},
                      {"endsAt", rfc3339(a.ends_at_ms)},
                      {"generatorURL", a.generator_url}});
    }
    const std::string text = body.dump();
    net::Request post;
    post.method = "POST";
    post.url = am + "/api/v2/alerts";
    post.headers = {{"Content-Type", "application/json"}};
    post.body = text;
    auto res = (*client)->send(post, deadline());
    ASSERT_TRUE(res.ok()) << res.status();
    ASSERT_EQ(res->status, 200) << res->body;
  };
  post_alerts(alerts);

  // The dispatcher, same config, same alerts, its clock at the same time.
  auto c = parse_config(config(rx, "strata", smarthost));
  ASSERT_TRUE(c.ok()) << c.status();
  DispatcherOptions o;
  o.data_dir = dir.path() + "/strata";
  std::atomic<int64_t> clock{now_ms};
  o.clock = [&clock] { return clock.load(); };
  o.run_thread = false;
  auto d = Dispatcher::create(*std::move(c), o);
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->send(alerts);
  (*d)->tick();  // the alerts started before group_wait: flushed at once

  // The newest Subject each recipient got (Alertmanager may send more than
  // one e-mail, see below).
  auto last_subjects = [&] {
    std::map<std::string, std::string> subjects;  // by recipient
    for (int i = 1; smtp && i <= smtp->messages(); ++i) {
      auto m = smtp->message(i);
      if (m.has_value() && m->rcpt_to.size() == 1)
        subjects[m->rcpt_to[0]] = header(m->content, "Subject");
    }
    return subjects;
  };
  // Firing: until both sides have notified about both alerts. Alertmanager
  // flushes a group whose first alert started before group_wait at once,
  // and under load that flush can run before the second alert of the same
  // POST has joined the group; the group then changes, and the next flush,
  // a group_interval later, carries both. Its newest notifications are
  // compared.
  auto wait_for = [&](const std::string& status) {
    bool both = false;
    for (int i = 0; i < 300 && !both; ++i) {  // Alertmanager: 1-2 s, or 3-4 s after a split flush
      {
        std::lock_guard<std::mutex> lock(mu);
        auto firing_two = [&](const std::string& side) {
          return got.count("/" + side + "-slack") &&
                 got["/" + side + "-slack"]["attachments"][0].value("title", "").starts_with(
                     "[FIRING:2]") &&
                 (!smtp || last_subjects()[side + "@example.org"].starts_with("[FIRING:2]"));
        };
        both = got.count("/am") && got.count("/strata") && got["/am"].is_object() &&
               got["/am"].value("status", "") == status &&
               got["/strata"].value("status", "") == status &&
               (status != "firing" || (got["/am"]["alerts"].size() == 2 && firing_two("am") &&
                                       firing_two("strata")));
      }
      if (!both) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return both;
  };
  ASSERT_TRUE(wait_for("firing")) << "no webhook from Alertmanager, see " << dir.path()
                                  << "/am.log";
  std::unique_lock<std::mutex> lock(mu);
  json want = got["/am"], have = got["/strata"];
  want.erase("externalURL");
  have.erase("externalURL");
  EXPECT_EQ(have, want) << "Strata:       " << have.dump() << "\nAlertmanager: " << want.dump();
  EXPECT_EQ(have["groupKey"], "{}/{service=\"api\"}:{alertname=\"HighErrorRate\"}");
  EXPECT_EQ(want["alerts"].size(), 2u);
  if (getenv("DISPATCH_ORACLE_PRINT")) std::cerr << want.dump(1) << "\n";
  // Slack: Alertmanager's default title, color, channel and username.
  const json& am_att = got["/am-slack"]["attachments"][0];
  const json& our_att = got["/strata-slack"]["attachments"][0];
  EXPECT_EQ(our_att["title"], am_att["title"]);
  EXPECT_EQ(our_att["title"], "[FIRING:2] HighErrorRate (api page)");
  EXPECT_EQ(our_att["color"], am_att["color"]);
  EXPECT_EQ(got["/strata-slack"]["channel"], got["/am-slack"]["channel"]);
  EXPECT_EQ(got["/strata-slack"]["username"], got["/am-slack"]["username"]);
  // E-mail: the same Subject.
  if (smtp) {
    std::map<std::string, std::string> subjects = last_subjects();
    EXPECT_EQ(subjects["strata@example.org"], subjects["am@example.org"]);
    EXPECT_EQ(subjects["strata@example.org"], "[FIRING:2] HighErrorRate (api page)");
  }
  lock.unlock();

  // Resolved (both have send_resolved: true), at the next group_interval.
  for (auto& a : alerts) a.ends_at_ms = now_ms;
  post_alerts(alerts);
  (*d)->send(alerts);
  clock = now_ms + 2'000;
  (*d)->tick();
  ASSERT_TRUE(wait_for("resolved")) << "no resolved webhook, see " << dir.path() << "/am.log";
  lock.lock();
  want = got["/am"];
  have = got["/strata"];
  want.erase("externalURL");
  have.erase("externalURL");
  EXPECT_EQ(have, want) << "Strata:       " << have.dump() << "\nAlertmanager: " << want.dump();
  EXPECT_EQ(want["alerts"][0]["status"], "resolved");
}

}  // namespace
}  // namespace strata::rules::dispatch
