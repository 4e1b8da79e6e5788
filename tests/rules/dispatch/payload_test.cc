// Payload pieces: timestamps as Go prints them, Alertmanager's fingerprint
// (the value below is the one the real Alertmanager sent in the oracle
// test), the default subject, Slack's JSON and the e-mail body bounds.
#include "rules/dispatch/payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace strata::rules::dispatch {
namespace {

TEST(PayloadTest, Rfc3339) {
  EXPECT_EQ(rfc3339(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1'700'000'000'000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(rfc3339(1'700'000'000'120), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(rfc3339(1'700'000'000'001), "2023-11-14T22:13:20.001Z");
  EXPECT_EQ(rfc3339(951'782'400'000), "2000-02-29T00:00:00Z");
}

TEST(PayloadTest, FingerprintIsAlertmanagers) {
  auto l = tsdb::Labels::from_strings(
      {"alertname", "HighErrorRate", "instance", "a:1", "service", "api", "severity", "page"});
  EXPECT_EQ(fingerprint_hex(fingerprint(l)), "8cf6e7ab75e39ff4");
}

Alert alert(std::initializer_list<std::string_view> labels, int64_t ends) {
  Alert a;
  a.labels = tsdb::Labels::from_strings(labels);
  a.starts_at_ms = 1;
  a.ends_at_ms = ends;
  return a;
}

TEST(PayloadTest, Subject) {
  const int64_t now = 1000;
  struct Case {
    const char* name;
    std::vector<Alert> alerts;
    tsdb::Labels group;
    std::string want;
  };
  auto g = tsdb::Labels::from_strings({"alertname", "HighErrorRate"});
  const std::vector<Case> table = {
      {"two firing, extra common label",
       {alert({"alertname", "HighErrorRate", "service", "api", "i", "1"}, 2000),
        alert({"alertname", "HighErrorRate", "service", "api", "i", "2"}, 2000)},
       g,
       "[FIRING:2] HighErrorRate (api)"},
      {"one firing of two",
       {alert({"alertname", "HighErrorRate", "i", "1"}, 2000),
        alert({"alertname", "HighErrorRate", "i", "2"}, 500)},
       g,
       "[FIRING:1] HighErrorRate"},
      {"all resolved", {alert({"alertname", "HighErrorRate"}, 500)}, g, "[RESOLVED] HighErrorRate"},
      {"no group labels", {alert({"alertname", "A", "b", "c"}, 2000)}, {}, "[FIRING:1]  (A c)"},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    auto d = make_data("r", "k", "", c.group, c.alerts, now);
    EXPECT_EQ(subject(d), c.want);
  }
}

TEST(PayloadTest, SlackResolvedIsGoodAndTextIsBounded) {
  std::vector<Alert> alerts;
  for (int i = 0; i < 3000; ++i) {
    Alert a = alert({"alertname", "A", "i", std::to_string(i)}, 500);
    a.annotations = tsdb::Labels::from_strings({"summary", "a <b> & c"});
    alerts.push_back(a);
  }
  SlackConfig c;
  c.channel = "#x";
  auto d =
      make_data("r", "k", "http://s", tsdb::Labels::from_strings({"alertname", "A"}), alerts, 1000);
  auto j = nlohmann::json::parse(slack_json(d, c));
  const auto& att = j["attachments"][0];
  EXPECT_EQ(att["color"], "good");
  EXPECT_EQ(att["title"], "[RESOLVED] A");
  EXPECT_EQ(att["title_link"], "http://s/alerts");
  const std::string text = att["text"];
  EXPECT_LE(text.size(), kMaxSlackTextBytes + 8);
  EXPECT_NE(text.find("*A* (resolved) a &lt;b&gt; &amp; c"), std::string::npos)
      << text.substr(0, 200);
  EXPECT_LE(email_body(d).size(), kMaxEmailBodyBytes + 100);
  EXPECT_NE(email_body(d).find("more alerts not shown"), std::string::npos);
}

TEST(PayloadTest, FiringAlertsHaveZeroEndsAtAndComeFirst) {
  auto d = make_data("r", "k", "", {},
                     {alert({"alertname", "B"}, 500), alert({"alertname", "A"}, 5000)}, 1000);
  ASSERT_EQ(d.alerts.size(), 2u);
  EXPECT_EQ(d.alerts[0].labels.get("alertname"), "A");
  EXPECT_EQ(d.alerts[0].ends_at_ms, 0);
  EXPECT_EQ(d.alerts[1].ends_at_ms, 500);
  auto j = nlohmann::json::parse(webhook_json(d, 0));
  EXPECT_EQ(j["status"], "firing");
  EXPECT_EQ(j["alerts"][1]["status"], "resolved");
}

}  // namespace
}  // namespace strata::rules::dispatch
