// Alertmanager discovery against the real Prometheus 2.42 as the oracle: one
// prometheus.yml (static and file SD, path prefixes, relabeling that drops
// and rewrites targets and the alerts path, a group with an invalid address)
// is parsed by server/'s parser and run by the Notifier, and run by
// Prometheus; the active and dropped Alertmanager URLs must be the same as
// Prometheus' /api/v1/alertmanagers lists them (sorted: Prometheus keeps its
// configs in a Go map). Prometheus runs on a free 127.0.0.1 port and is
// stopped by PID; no Alertmanager needs to exist.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rules/notifier/notifier.h"
#include "server/config.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::notifier {
namespace {

std::vector<std::string> urls(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a["url"].get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AlertmanagersOracleTest, SameActiveAndDroppedAsPrometheus) {
  if (!testutil::prometheus_installed()) GTEST_SKIP() << "prometheus missing";
  testutil::TempDir dir("notifier_ams_");
  ASSERT_TRUE(dir.ok());
  std::ofstream(dir.path() + "/ams.json") << R"([
    {"targets": ["am3:9093", "am1:9093"], "labels": {"role": "custom"}},
    {"targets": ["am4:9093", "drop-me-too:1"]},
    {"targets": ["am5:9093", "drop-me-three:1", "bad/host:1"]}
  ])";
  const std::string yaml = R"(global:
  external_labels:
    replica: r1
alerting:
  alertmanagers:
  - path_prefix: /a/
    timeout: 3s
    static_configs:
    - targets: ['am1:9093', 'am2:9093', 'dropme:9093']
      labels:
        team: x
    - targets: ['am1:9093']
    relabel_configs:
    - source_labels: [__address__]
      regex: dropme:.*
      action: drop
    - source_labels: [__address__]
      regex: (am2):(.*)
      target_label: __address__
      replacement: ${1}-renamed:19093
  - scheme: https
    path_prefix: /b
    file_sd_configs:
    - files: [')" + dir.path() +
                           R"(/*.json']
    relabel_configs:
    - source_labels: [role]
      regex: (.+)
      target_label: __alerts_path__
      replacement: /$1/api/v2/alerts
    - source_labels: [__address__]
      regex: drop-me.*
      action: drop
)";
  // Strata's answer.
  auto cfg = server::parse_config(yaml, "prometheus.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  metrics::Registry registry;
  Notifier n(NotifierOptions{}, &registry);
  NotifierConfig nc;
  nc.alertmanagers = cfg->alertmanagers;
  nc.alert_relabel_configs = cfg->alert_relabel_configs;
  std::vector<tsdb::Label> ext;
  for (const auto& [k, v] : cfg->global.external_labels) ext.push_back({k, v});
  nc.external_labels = tsdb::Labels(std::move(ext));
  ASSERT_TRUE(n.apply(nc).ok());
  n.start();
  AlertmanagersSnapshot mine;
  ASSERT_TRUE(testutil::eventually([&] {
    mine = n.alertmanagers();
    return mine.active.size() + mine.dropped.size() == 7;
  }));
  std::sort(mine.active.begin(), mine.active.end());
  std::sort(mine.dropped.begin(), mine.dropped.end());
  n.stop();

  // Prometheus' answer (its discovery reports after a few seconds).
  auto prom = testutil::start_prometheus(yaml);
  ASSERT_TRUE(prom.ok()) << prom.status();
  auto client = (*prom)->client();
  nlohmann::json data;
  ASSERT_TRUE(testutil::eventually(
      [&] {
        auto r = client.get("/api/v1/alertmanagers");
        if (!r.ok() || r->status != 200) return false;
        data = nlohmann::json::parse(r->body)["data"];
        return data["activeAlertmanagers"].size() == mine.active.size() &&
               data["droppedAlertmanagers"].size() == mine.dropped.size();
      },
      std::chrono::seconds(60), std::chrono::milliseconds(250)))
      << data.dump();
  (*prom)->stop();
  EXPECT_EQ(urls(data["activeAlertmanagers"]), mine.active);
  EXPECT_EQ(urls(data["droppedAlertmanagers"]), mine.dropped);
  // What the oracle said, pinned, so a change on both sides is seen too.
  EXPECT_EQ(mine.active, (std::vector<std::string>{
                             "http://am1:9093/a/api/v2/alerts",
                             "http://am2-renamed:19093/a/api/v2/alerts",
                             "https://am1:9093/custom/api/v2/alerts",
                             "https://am3:9093/custom/api/v2/alerts",
                             "https://am4:9093/b/api/v2/alerts",
                         }));
}

}  // namespace
}  // namespace strata::rules::notifier
