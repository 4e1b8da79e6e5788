// The labels an alert is sent with, as Prometheus' notifier makes them when
// an alert is queued: the global external labels where the alert has no
// label of that name, then alerting.alert_relabel_configs. An alert that
// relabeling drops, or whose labels end up empty, is not sent.
//
// Pure function; thread-safe for distinct builders.
#pragma once

#include <optional>
#include <span>

#include "tsdb/labels/labels.h"
#include "tsdb/labels/relabel.h"

namespace strata::rules::notifier {

// The labels to send, or nullopt when the alert is dropped. `lb` is scratch
// (kept by the caller so its buffers are reused across alerts).
std::optional<tsdb::Labels> alert_labels(const tsdb::Labels& labels,
                                         const tsdb::Labels& external_labels,
                                         std::span<const tsdb::relabel::Config> relabel_configs,
                                         tsdb::relabel::LabelsBuilder& lb);

}  // namespace strata::rules::notifier
