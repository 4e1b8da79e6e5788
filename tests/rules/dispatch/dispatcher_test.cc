// The dispatcher end to end against a Beast test server on 127.0.0.1, time
// driven by an injected clock and explicit tick() calls (no timing in any
// verdict): group_wait, grouping, group_interval, repeat_interval, resolved
// notifications, retries after 500s (none after 400), the webhook and Slack
// payloads, bounds, and no second page after a restart on the same data
// directory.
#include "rules/dispatch/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "tests/net/test_server.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::dispatch {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kSec = 1000, kMin = 60 * kSec;

// Records every request; answers with the queued statuses, then 200.
class Receiver {
 public:
  Receiver()
      : server_([this](const net::testing::ServerRequest& req, net::testing::ServerResponse& res) {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back({std::string(req.target()), req.body()});
          auto& queued = statuses_[std::string(req.target())];
          if (!queued.empty()) {
            res.result(queued.front());
            queued.erase(queued.begin());
          }
        }) {}
  std::string url(const std::string& path) const { return server_.url(path); }
  // The next answers to requests for `path`.
  void fail_next(const std::string& path, std::vector<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_[path] = std::move(statuses);
  }
  // Requests so far to `path`, bodies parsed; clears them.
  std::vector<json> take(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<json> out;
    std::vector<std::pair<std::string, std::string>> rest;
    for (auto& [p, body] : requests_) {
      if (p == path)
        out.push_back(json::parse(body));
      else
        rest.push_back({p, body});
    }
    requests_ = rest;
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> requests_;
  std::map<std::string, std::vector<int>> statuses_;
  net::testing::TestServer server_;
};

Alert alert(std::initializer_list<std::string_view> labels, int64_t starts, int64_t ends,
            std::initializer_list<std::string_view> annotations = {}) {
  Alert a;
  a.labels = tsdb::Labels::from_strings(labels);
  a.annotations = tsdb::Labels::from_strings(annotations);
  a.starts_at_ms = starts;
  a.ends_at_ms = ends;
  a.generator_url = "http://strata:9090/graph?g0.expr=up";
  return a;
}

class DispatcherTest : public ::testing::Test {
 protected:
  std::string config(const std::string& extra_route = "", const std::string& webhook_extra = "") {
    return "route:\n  receiver: team\n  group_by: [alertname]\n  group_wait: 30s\n"
           "  group_interval: 5m\n  repeat_interval: 1h\n" +
           extra_route +
           "receivers:\n- name: team\n  webhook_configs:\n  - url: " + rx_.url("/hook") + "\n" +
           webhook_extra + "  slack_configs:\n  - api_url: " + rx_.url("/slack") +
           "\n    channel: '#ops'\n";
  }

  std::unique_ptr<Dispatcher> make(const std::string& yaml, size_t max_alerts = 100) {
    auto c = parse_config(yaml);
    EXPECT_TRUE(c.ok()) << c.status();
    DispatcherOptions o;
    o.data_dir = dir_.path() + "/data";
    o.external_url = "http://strata:9090";
    o.clock = [this] { return now_.load(); };
    o.registry = &registry_;
    o.run_thread = false;
    o.max_alerts = max_alerts;
    o.notify_timeout_ms = 5'000;
    auto d = Dispatcher::create(*std::move(c), o);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *std::move(d) : nullptr;
  }

  // Sets the clock and runs one tick.
  void at(int64_t t, Dispatcher& d) {
    now_ = t;
    d.tick();
  }

  std::string metrics() {
    std::string out;
    registry_.write_text(&out);
    return out;
  }

  testutil::TempDir dir_{"dispatch-"};
  Receiver rx_;
  std::atomic<int64_t> now_{kT0};
  metrics::Registry registry_;
};

TEST_F(DispatcherTest, FirstNotificationAfterGroupWaitWithWebhookPayload) {
  auto d = make(config());
  d->send({alert({"alertname", "HighErrorRate", "service", "api", "instance", "a:1"}, kT0,
                 kT0 + 4 * kMin, {"summary", "errors up"}),
           alert({"alertname", "HighErrorRate", "service", "api", "instance", "b:1"}, kT0,
                 kT0 + 4 * kMin, {"summary", "errors up"})});
  at(kT0, *d);
  at(kT0 + 29 * kSec, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
  at(kT0 + 30 * kSec, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);
  const json& h = hooks[0];
  EXPECT_EQ(h["version"], "4");
  EXPECT_EQ(h["groupKey"], "{}:{alertname=\"HighErrorRate\"}");
  EXPECT_EQ(h["truncatedAlerts"], 0);
  EXPECT_EQ(h["status"], "firing");
  EXPECT_EQ(h["receiver"], "team");
  EXPECT_EQ(h["groupLabels"], json({{"alertname", "HighErrorRate"}}));
  EXPECT_EQ(h["commonLabels"], json({{"alertname", "HighErrorRate"}, {"service", "api"}}));
  EXPECT_EQ(h["commonAnnotations"], json({{"summary", "errors up"}}));
  EXPECT_EQ(h["externalURL"], "http://strata:9090");
  ASSERT_EQ(h["alerts"].size(), 2u);
  const json& a = h["alerts"][0];
  EXPECT_EQ(a["status"], "firing");
  EXPECT_EQ(a["labels"]["instance"], "a:1");
  EXPECT_EQ(a["startsAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(a["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(a["generatorURL"], "http://strata:9090/graph?g0.expr=up");
  EXPECT_EQ(a["fingerprint"].get<std::string>().size(), 16u);

  auto slack = rx_.take("/slack");
  ASSERT_EQ(slack.size(), 1u);
  EXPECT_EQ(slack[0]["channel"], "#ops");
  EXPECT_EQ(slack[0]["username"], "Alertmanager");
  const json& att = slack[0]["attachments"][0];
  EXPECT_EQ(att["title"], "[FIRING:2] HighErrorRate (api)");
  EXPECT_EQ(att["fallback"], "[FIRING:2] HighErrorRate (api)");
  EXPECT_EQ(att["color"], "danger");
  EXPECT_NE(att["text"].get<std::string>().find("*HighErrorRate* errors up"), std::string::npos);
  EXPECT_NE(metrics().find("strata_notifications_total{integration=\"webhook\"} 1"),
            std::string::npos);
}

TEST_F(DispatcherTest, GroupsByLabelsAndNotifiesChangesAtGroupInterval) {
  auto d = make(config());
  auto valid = kT0 + 60 * kMin;
  d->send({alert({"alertname", "A", "i", "1"}, kT0, valid), alert({"alertname", "B"}, kT0, valid)});
  at(kT0 + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 2u);  // one per group
  EXPECT_EQ(d->num_groups(), 2u);
  // A new alert in group A waits for group_interval.
  d->send({alert({"alertname", "A", "i", "2"}, kT0 + kMin, valid)});
  at(kT0 + kMin, *d);
  at(kT0 + 5 * kMin, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
  at(kT0 + 30 * kSec + 5 * kMin, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);  // group B unchanged: nothing
  EXPECT_EQ(hooks[0]["groupLabels"]["alertname"], "A");
  EXPECT_EQ(hooks[0]["alerts"].size(), 2u);
}

TEST_F(DispatcherTest, UnchangedGroupRepeatsAfterRepeatInterval) {
  auto d = make(config());
  int64_t t = kT0 + 30 * kSec;
  d->send({alert({"alertname", "A"}, kT0, kT0 + 100 * kMin)});
  at(t, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  int notified = 0;
  for (int i = 1; i <= 12; ++i) {  // flushes every 5 min for 1 h
    at(t + i * 5 * kMin, *d);
    notified += static_cast<int>(rx_.take("/hook").size());
    if (i < 12) EXPECT_EQ(notified, 0) << "flush " << i;
  }
  EXPECT_EQ(notified, 1);  // at repeat_interval (1h)
}

TEST_F(DispatcherTest, ResolvedGoesToSendResolvedIntegrationsOnly) {
  auto d = make(config());
  d->send({alert({"alertname", "A"}, kT0, kT0 + 4 * kMin)});
  at(kT0 + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  EXPECT_EQ(rx_.take("/slack").size(), 1u);
  // Resolved at T0+2m, re-sent as resolved.
  d->send({alert({"alertname", "A"}, kT0, kT0 + 2 * kMin)});
  at(kT0 + 2 * kMin, *d);
  at(kT0 + 30 * kSec + 5 * kMin, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["status"], "resolved");
  EXPECT_EQ(hooks[0]["alerts"][0]["status"], "resolved");
  EXPECT_EQ(hooks[0]["alerts"][0]["endsAt"], "2023-11-14T22:15:20Z");
  EXPECT_TRUE(rx_.take("/slack").empty());  // Slack's send_resolved is false
  EXPECT_EQ(d->num_groups(), 0u);           // notified everywhere: the group goes
}

TEST_F(DispatcherTest, AlertResolvesWhenNotResentPastEndsAt) {
  auto d = make(config());
  d->send({alert({"alertname", "A"}, kT0, kT0 + 3 * kMin)});  // valid until T0+3m
  at(kT0 + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  at(kT0 + 30 * kSec + 5 * kMin, *d);  // never re-sent
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["status"], "resolved");
}

TEST_F(DispatcherTest, RetriesAfter500WithBackoffButNotAfter400) {
  auto d = make(config());
  rx_.fail_next("/hook", {500, 500});
  d->send({alert({"alertname", "A"}, kT0, kT0 + 60 * kMin)});
  at(kT0 + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);  // failed
  rx_.take("/slack");
  at(kT0 + 30 * kSec + 500, *d);  // backoff 1 s not over
  EXPECT_EQ(rx_.take("/hook").size(), 0u);
  at(kT0 + 31 * kSec, *d);  // second attempt fails, then 2 s
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  at(kT0 + 32 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 0u);
  at(kT0 + 33 * kSec, *d);  // third succeeds
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  EXPECT_TRUE(rx_.take("/slack").empty());  // Slack succeeded at once: not re-sent
  at(kT0 + 40 * kSec, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
  EXPECT_NE(metrics().find("strata_notifications_failed_total{integration=\"webhook\"} 2"),
            std::string::npos);

  // A 400 is not retried until the next change or flush.
  d->send({alert({"alertname", "B"}, kT0 + kMin, kT0 + 60 * kMin)});
  rx_.fail_next("/hook", {400});
  at(kT0 + kMin + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  for (int s = 1; s <= 60; ++s) at(kT0 + kMin + 30 * kSec + s * kSec, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
  at(kT0 + 6 * kMin + 30 * kSec, *d);  // next flush: the log says not notified yet
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
}

TEST_F(DispatcherTest, NoDuplicatePageAfterRestart) {
  auto firing = alert({"alertname", "A"}, kT0, kT0 + 60 * kMin);
  {
    auto d = make(config());
    d->send({firing});
    at(kT0 + 30 * kSec, *d);
    EXPECT_EQ(rx_.take("/hook").size(), 1u);
    EXPECT_EQ(rx_.take("/slack").size(), 1u);
  }
  // A new dispatcher on the same data directory; the rule manager re-sends
  // the still-firing alert (same start).
  auto d = make(config());
  d->send({firing});
  at(kT0 + 2 * kMin, *d);  // started long ago: flushed at once
  at(kT0 + 10 * kMin, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
  EXPECT_TRUE(rx_.take("/slack").empty());
  // Its resolution still reaches the webhook.
  d->send({alert({"alertname", "A"}, kT0, kT0 + 11 * kMin)});
  at(kT0 + 11 * kMin, *d);
  at(kT0 + 15 * kMin, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["status"], "resolved");
  // And a restart after that does not announce it again.
  d.reset();
  d = make(config());
  d->send({alert({"alertname", "A"}, kT0, kT0 + 11 * kMin)});
  at(kT0 + 16 * kMin, *d);
  at(kT0 + 25 * kMin, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
}

TEST_F(DispatcherTest, MaxAlertsTruncatesThePayload) {
  auto d = make(config("", "    max_alerts: 2\n"));
  std::vector<Alert> alerts;
  for (int i = 0; i < 5; ++i) {
    alerts.push_back(alert({"alertname", "A", "i", std::to_string(i)}, kT0, kT0 + 60 * kMin));
  }
  d->send(alerts);
  at(kT0 + 30 * kSec, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["alerts"].size(), 2u);
  EXPECT_EQ(hooks[0]["truncatedAlerts"], 3);
}

TEST_F(DispatcherTest, AlertsBeyondTheLimitAreDroppedAndCounted) {
  auto d = make(config(), /*max_alerts=*/3);
  std::vector<Alert> alerts;
  for (int i = 0; i < 5; ++i) {
    alerts.push_back(alert({"alertname", "A", "i", std::to_string(i)}, kT0, kT0 + 60 * kMin));
  }
  d->send(alerts);
  at(kT0, *d);
  EXPECT_EQ(d->num_alerts(), 3u);
  EXPECT_NE(metrics().find("strata_dispatcher_alerts_dropped_total{reason=\"too_many_alerts\"} 2"),
            std::string::npos);
}

TEST_F(DispatcherTest, ReloadKeepsAlertsAndDoesNotRepage) {
  auto d = make(config());
  d->send({alert({"alertname", "A"}, kT0, kT0 + 60 * kMin)});
  at(kT0 + 30 * kSec, *d);
  EXPECT_EQ(rx_.take("/hook").size(), 1u);
  auto c = parse_config(config());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(d->apply_config(*std::move(c)).ok());
  EXPECT_EQ(d->num_groups(), 1u);
  at(kT0 + kMin, *d);
  at(kT0 + 10 * kMin, *d);
  EXPECT_TRUE(rx_.take("/hook").empty());
}

TEST_F(DispatcherTest, InhibitRulesMuteTargetsWhileTheSourceFires) {
  auto d = make(config() +
                "inhibit_rules:\n- source_matchers: ['severity=\"critical\"']\n"
                "  target_matchers: ['severity=\"warning\"']\n  equal: [cluster]\n");
  const int64_t valid = kT0 + 60 * kMin;
  d->send({alert({"alertname", "Disk", "severity", "critical", "cluster", "a"}, kT0, valid),
           alert({"alertname", "Latency", "severity", "warning", "cluster", "a"}, kT0, valid),
           alert({"alertname", "Latency", "severity", "warning", "cluster", "b"}, kT0, valid)});
  at(kT0 + 30 * kSec, *d);
  auto hooks = rx_.take("/hook");
  ASSERT_EQ(hooks.size(), 2u);
  for (const auto& h : hooks) {
    if (h["groupLabels"]["alertname"] != "Latency") continue;
    ASSERT_EQ(h["alerts"].size(), 1u);  // cluster a is muted
    EXPECT_EQ(h["alerts"][0]["labels"]["cluster"], "b");
  }
  // The source resolves: the muted alert is notified at the next flush.
  d->send({alert({"alertname", "Disk", "severity", "critical", "cluster", "a"}, kT0, kT0 + kMin)});
  at(kT0 + 2 * kMin, *d);
  at(kT0 + 30 * kSec + 5 * kMin, *d);
  hooks = rx_.take("/hook");
  bool latency_a = false;
  for (const auto& h : hooks) {
    for (const auto& a : h["alerts"]) {
      latency_a |= a["labels"]["alertname"] == "Latency" && a["labels"]["cluster"] == "a";
    }
  }
  EXPECT_TRUE(latency_a);
}

// With its own thread and the real clock (the server's mode): the alert
// arrives; waiting is bounded and not part of the verdict.
TEST_F(DispatcherTest, OwnThreadDeliversAndStops) {
  auto c = parse_config(
      "route: {receiver: r, group_wait: 0s}\nreceivers:\n- name: r\n"
      "  webhook_configs: [{url: '" +
      rx_.url("/thread") + "'}]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  DispatcherOptions o;
  o.data_dir = dir_.path() + "/thread";
  o.tick_interval_ms = 50;
  auto d = Dispatcher::create(*std::move(c), o);
  ASSERT_TRUE(d.ok()) << d.status();
  const int64_t t = now_ms();
  (*d)->send({alert({"alertname", "T"}, t, t + 10 * kMin)});
  std::vector<json> got;
  for (int i = 0; i < 200 && got.empty(); ++i) {  // up to 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    got = rx_.take("/thread");
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["groupLabels"], json::object());
  d->reset();
}

TEST_F(DispatcherTest, CorruptLogIsSetAside) {
  std::string data = dir_.path() + "/data";
  ASSERT_EQ(system(("mkdir -p " + data).c_str()), 0);
  std::ofstream(data + "/notifications.json") << "{not json";
  auto d = make(config());
  ASSERT_NE(d, nullptr);
  std::ifstream corrupt(data + "/notifications.json.corrupt");
  EXPECT_TRUE(corrupt.good());
}

}  // namespace
}  // namespace strata::rules::dispatch
