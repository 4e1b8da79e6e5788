// The request body against the real Prometheus 2.42 (/usr/bin/prometheus)
// as the oracle: Prometheus evaluates an alerting rule whose labels and
// annotations need JSON escaping (quotes, backslashes, newlines, tabs, '<'
// '>' '&', UTF-8, U+2028) and posts it to a Beast test server on 127.0.0.1
// standing in for Alertmanager. The alerts read back from its body, encoded
// again by encode_alerts(), must give the same bytes. Prometheus runs on a
// free port and is stopped by PID.
#include <gtest/gtest.h>
#include <time.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "rules/notifier/alert_json.h"
#include "tests/net/test_server.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::notifier {
namespace {

// "2024-05-01T10:00:00.123Z" -> Unix ms (0 for Go's zero time).
int64_t parse_time(const std::string& s) {
  if (s.rfind("0001-01-01T00:00:00", 0) == 0) return 0;
  struct tm tm = {};
  int ms = 0;
  if (sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t(timegm(&tm)) * 1000 + ms;
}

tsdb::Labels labels_of(const nlohmann::json& o) {
  std::vector<tsdb::Label> v;
  for (const auto& [k, val] : o.items()) v.push_back({k, val.get<std::string>()});
  return tsdb::Labels::from_unsorted(std::move(v));
}

TEST(PrometheusOracleTest, BodyMatchesPrometheusByteForByte) {
  if (!testutil::prometheus_installed()) GTEST_SKIP() << "prometheus missing";
  std::mutex mu;
  std::vector<std::string> bodies;
  std::string content_type;
  net::testing::TestServer am(
      [&](const net::testing::ServerRequest& req, net::testing::ServerResponse& res) {
        std::lock_guard lock(mu);
        if (req.target() == "/prefix/api/v2/alerts") {
          bodies.push_back(req.body());
          content_type = std::string(req[boost::beast::http::field::content_type]);
        }
        res.result(200);
      });
  testutil::TempDir dir("notifier_prom_");
  ASSERT_TRUE(dir.ok());
  const std::string rules = dir.path() + "/rules.yml";
  std::ofstream(rules) << R"(groups:
- name: oracle
  interval: 1s
  rules:
  - alert: OracleAlert
    expr: vector(1)
    labels:
      severity: "page <&>"
      utf8: "h\u00e9 \u20ac \U0001F600 \u2028 \u2029"
      quote: "a\"b\\c"
    annotations:
      summary: "line one\nline two\ttabbed\r"
      html: "<b>&amp;</b> x"
)";
  const std::string config =
      "global:\n  evaluation_interval: 1s\n  external_labels:\n    replica: r1\n"
      "rule_files: ['" +
      rules +
      "']\n"
      "alerting:\n  alertmanagers:\n  - path_prefix: /prefix/\n"
      "    static_configs:\n    - targets: ['127.0.0.1:" +
      std::to_string(am.port()) + "']\n";
  // A resend every second: Prometheus may drop its first batch when it comes
  // before Alertmanager discovery has run.
  auto prom = testutil::start_prometheus(config, 0, {"--rules.alert.resend-delay=1s"});
  ASSERT_TRUE(prom.ok()) << prom.status();
  ASSERT_TRUE(testutil::eventually(
      [&] {
        std::lock_guard lock(mu);
        return !bodies.empty();
      },
      std::chrono::seconds(60)))
      << (*prom)->log();
  std::string body;
  {
    std::lock_guard lock(mu);
    body = bodies[0];
  }
  (*prom)->stop();
  EXPECT_EQ(content_type, "application/json");
  auto j = nlohmann::json::parse(body);
  ASSERT_EQ(j.size(), 1u) << body;
  std::vector<Alert> alerts;
  for (const auto& o : j) {
    Alert a;
    a.labels = labels_of(o["labels"]);
    if (o.contains("annotations")) a.annotations = labels_of(o["annotations"]);
    a.starts_at_ms = parse_time(o["startsAt"].get<std::string>());
    a.ends_at_ms = parse_time(o["endsAt"].get<std::string>());
    if (o.contains("generatorURL")) a.generator_url = o["generatorURL"].get<std::string>();
    alerts.push_back(std::move(a));
  }
  EXPECT_EQ(alerts[0].labels.get("replica"), "r1");
  EXPECT_EQ(alerts[0].labels.get("quote"), "a\"b\\c");
  // The escapes under test are really in Prometheus' body.
  for (const char* e : {R"(\u2028)", R"(\u003c)", R"(\u0026)", R"(\r)", R"(\t)", R"(\")"})
    EXPECT_NE(body.find(e), std::string::npos) << e;
  EXPECT_EQ(encode_alerts(alerts), body);
}

}  // namespace
}  // namespace strata::rules::notifier
