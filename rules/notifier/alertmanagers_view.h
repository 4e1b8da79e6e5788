// What the HTTP API may see of the notifier: the Alertmanagers it sends to
// and those relabeling dropped (/api/v1/alertmanagers:
// {"activeAlertmanagers":[{"url":...}],"droppedAlertmanagers":[{"url":...}]}).
// rules::notifier::Notifier implements it.
//
// Thread-safe: alertmanagers() may be called from any thread and returns a
// copy.
#pragma once

#include <string>
#include <vector>

namespace strata::rules::notifier {

struct AlertmanagersSnapshot {
  // URLs of every alertmanagers config in configuration order, each config's
  // in discovery order (unique within a config, as Prometheus lists them).
  std::vector<std::string> active;
  std::vector<std::string> dropped;
};

class AlertmanagersView {
 public:
  virtual ~AlertmanagersView() = default;
  virtual AlertmanagersSnapshot alertmanagers() const = 0;
};

}  // namespace strata::rules::notifier
