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

}  // namespace strata::rules::notifier
