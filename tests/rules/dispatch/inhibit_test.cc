// Inhibition: a table of alert sets and which alerts are muted, including
// absent `equal` labels (equal as empty), resolved sources (never mute) and
// alerts matching both sides of a rule (not muted by each other).
#include "rules/dispatch/inhibit.h"

#include <gtest/gtest.h>

#include "rules/dispatch/payload.h"

namespace strata::rules::dispatch {
namespace {

Alert alert(std::initializer_list<std::string_view> labels, int64_t ends = 10'000) {
  Alert a;
  a.labels = tsdb::Labels::from_strings(labels);
  a.starts_at_ms = 1;
  a.ends_at_ms = ends;
  return a;
}

TEST(InhibitTest, Table) {
  auto c = parse_config(
      "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules:\n"
      "- source_matchers: ['severity=\"critical\"']\n  target_matchers: "
      "['severity=~\"warning|critical\"']\n"
      "  equal: [cluster]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  struct Case {
    const char* name;
    std::vector<Alert> alerts;
    tsdb::Labels target;
    bool want;
  };
  auto warn_a = tsdb::Labels::from_strings({"severity", "warning", "cluster", "a"});
  const std::vector<Case> table = {
      {"same cluster", {alert({"severity", "critical", "cluster", "a"})}, warn_a, true},
      {"other cluster", {alert({"severity", "critical", "cluster", "b"})}, warn_a, false},
      {"resolved source", {alert({"severity", "critical", "cluster", "a"}, 500)}, warn_a, false},
      {"both absent",
       {alert({"severity", "critical"})},
       tsdb::Labels::from_strings({"severity", "warning"}),
       true},
      {"one absent", {alert({"severity", "critical"})}, warn_a, false},
      {"target side does not match",
       {alert({"severity", "critical", "cluster", "a"})},
       tsdb::Labels::from_strings({"severity", "info", "cluster", "a"}),
       false},
      {"both sides: not by itself or its peers",
       {alert({"severity", "critical", "cluster", "a"}),
        alert({"severity", "critical", "cluster", "a", "x", "y"})},
       tsdb::Labels::from_strings({"severity", "critical", "cluster", "a"}),
       false},
  };
  for (const auto& tc : table) {
    SCOPED_TRACE(tc.name);
    std::map<uint64_t, Alert> alerts;
    for (const auto& a : tc.alerts) alerts[fingerprint(a.labels)] = a;
    Inhibitor inh(c->inhibit_rules, alerts, 1000);
    EXPECT_EQ(inh.muted(tc.target), tc.want);
  }
}

}  // namespace
}  // namespace strata::rules::dispatch
