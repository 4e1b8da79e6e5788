// The labels an alert is sent with, as Prometheus' notifier makes them when
// an alert is queued: the global external labels where the alert has no
// label of that name, then alerting.alert_relabel_configs. An alert that
// relabeling drops, or whose labels end up empty, is not sent.
//
// alert_labels() is a pure function; thread-safe for distinct builders.
// RelabelingSink gives another sink (the direct notifications) the alerts
// with the labels the notifier would send to Alertmanager, so both group
// and route on the same labels.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "rules/alert.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/relabel.h"

namespace strata::rules::notifier {

// The labels to send, or nullopt when the alert is dropped. `lb` is scratch
// (kept by the caller so its buffers are reused across alerts).
std::optional<tsdb::Labels> alert_labels(const tsdb::Labels& labels,
                                         const tsdb::Labels& external_labels,
                                         std::span<const tsdb::relabel::Config> relabel_configs,
                                         tsdb::relabel::LabelsBuilder& lb);

// `alerts` with alert_labels() applied; dropped ones left out.
std::vector<Alert> relabel_alerts(const std::vector<Alert>& alerts,
                                  const tsdb::Labels& external_labels,
                                  std::span<const tsdb::relabel::Config> relabel_configs);

// Forwards alerts to `next` with alert_labels() applied; dropped alerts are
// not forwarded. set() (a reload) and send() may run on any threads.
class RelabelingSink final : public AlertSink {
 public:
  explicit RelabelingSink(AlertSink* next) : next_(next) {}
  void set(tsdb::Labels external_labels, std::vector<tsdb::relabel::Config> relabel_configs);
  void send(const std::vector<Alert>& alerts) override;

 private:
  struct Settings {
    tsdb::Labels external_labels;
    std::vector<tsdb::relabel::Config> relabel_configs;
  };
  AlertSink* const next_;
  std::mutex mu_;  // guards settings_
  std::shared_ptr<const Settings> settings_ = std::make_shared<Settings>();
};

}  // namespace strata::rules::notifier
