// Self-metrics of the notifier, with the names of Prometheus 3's notifier so
// dashboards and alerts written for Prometheus work unchanged. Differences:
// prometheus_notifications_latency_seconds is a histogram (base/metrics.h
// has no summaries; its _sum and _count match Prometheus' summary), and
// prometheus_notifications_latency_histogram_seconds, a native histogram in
// Prometheus, is a classic one here.
//
// The metrics live in the registry; this struct only points at them. Any
// thread may update them.
#pragma once

#include "base/metrics.h"

namespace strata::rules::notifier {

struct NotifierMetrics {
  explicit NotifierMetrics(metrics::Registry* registry);
  // Seconds per POST, by alertmanager URL.
  metrics::Family<metrics::Histogram>* latency;
  metrics::Family<metrics::Histogram>* latency_histogram;
  // Alerts in failed POSTs / in every POST, by alertmanager URL (Prometheus
  // counts alerts, not requests, in both).
  metrics::Family<metrics::Counter>* errors;
  metrics::Family<metrics::Counter>* sent;
  // Alerts dropped: queue overflow, batches no Alertmanager took, and what a
  // bounded shutdown drain left behind.
  metrics::Counter* dropped;
  metrics::Gauge* queue_length;
  metrics::Gauge* queue_capacity;
  metrics::Gauge* alertmanagers_discovered;
};

}  // namespace strata::rules::notifier
