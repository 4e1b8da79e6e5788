// An alert as the notifiers see it: what Prometheus posts to Alertmanager's
// /api/v2/alerts. The rule manager produces them (alerting rules, resend
// delay); the Alertmanager notifier (rules/notifier/) and the direct
// notifications (rules/dispatch/) consume them. Value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tsdb/labels/labels.h"

namespace strata::rules {

struct Alert {
  // The rule's output labels (alertname, the series' labels, the rule's
  // labels); the notifier adds external labels and applies
  // alert_relabel_configs before sending.
  tsdb::Labels labels;
  tsdb::Labels annotations;
  int64_t starts_at_ms = 0;  // when the alert became active
  // Always set, as Prometheus does: the resolution time of a resolved alert,
  // otherwise "valid until" (evaluation time + 4 × max(resend delay, group
  // interval)), after which Alertmanager resolves it by itself.
  int64_t ends_at_ms = 0;
  std::string generator_url;  // <external URL>/graph?g0.expr=...&g0.tab=1

  bool resolved_at(int64_t now_ms) const { return ends_at_ms != 0 && ends_at_ms <= now_ms; }
};

// Where the rule manager sends alerts. send() must not block on the
// network: implementations queue and deliver on their own threads.
// Thread-safe.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void send(const std::vector<Alert>& alerts) = 0;
};

}  // namespace strata::rules
