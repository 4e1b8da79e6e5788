// External labels and alert relabeling (rules/notifier/alert_labels.h).
#include "rules/notifier/alert_labels.h"

namespace strata::rules::notifier {

std::optional<tsdb::Labels> alert_labels(const tsdb::Labels& labels,
                                         const tsdb::Labels& external_labels,
                                         std::span<const tsdb::relabel::Config> relabel_configs,
                                         tsdb::relabel::LabelsBuilder& lb) {
  lb.reset(labels);
  for (const auto& l : external_labels)
    if (labels.get(l.name).empty()) lb.set(l.name, l.value);
  if (!tsdb::relabel::process(lb, relabel_configs) || lb.empty()) return std::nullopt;
  return lb.labels();
}

void RelabelingSink::set(tsdb::Labels external_labels,
                         std::vector<tsdb::relabel::Config> relabel_configs) {
  auto s = std::make_shared<Settings>(Settings{std::move(external_labels), std::move(relabel_configs)});
  std::lock_guard lock(mu_);
  settings_ = std::move(s);
}

std::vector<Alert> relabel_alerts(const std::vector<Alert>& alerts,
                                  const tsdb::Labels& external_labels,
                                  std::span<const tsdb::relabel::Config> relabel_configs) {
  std::vector<Alert> out;
  out.reserve(alerts.size());
  tsdb::relabel::LabelsBuilder lb;
  for (const Alert& a : alerts) {
    auto labels = alert_labels(a.labels, external_labels, relabel_configs, lb);
    if (!labels) continue;
    out.push_back(a);
    out.back().labels = std::move(*labels);
  }
  return out;
}

void RelabelingSink::send(const std::vector<Alert>& alerts) {
  std::shared_ptr<const Settings> s;
  {
    std::lock_guard lock(mu_);
    s = settings_;
  }
  std::vector<Alert> out = relabel_alerts(alerts, s->external_labels, s->relabel_configs);
  if (!out.empty()) next_->send(out);
}

}  // namespace strata::rules::notifier
