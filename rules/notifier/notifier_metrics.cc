// Notifier self-metrics (rules/notifier/notifier_metrics.h).
#include "rules/notifier/notifier_metrics.h"

namespace strata::rules::notifier {

NotifierMetrics::NotifierMetrics(metrics::Registry* r)
    : latency(&r->histogram_family("prometheus_notifications_latency_seconds",
                                   "Latency quantiles for sending alert notifications.",
                                   {"alertmanager"}, metrics::default_buckets())),
      latency_histogram(&r->histogram_family("prometheus_notifications_latency_histogram_seconds",
                                             "Latency histogram for sending alert notifications.",
                                             {"alertmanager"}, metrics::default_buckets())),
      errors(&r->counter_family("prometheus_notifications_errors_total",
                                "Total number of sent alerts affected by errors.",
                                {"alertmanager"})),
      sent(&r->counter_family("prometheus_notifications_sent_total", "Total number of alerts sent.",
                              {"alertmanager"})),
      dropped(&r->counter("prometheus_notifications_dropped_total",
                          "Total number of alerts dropped due to errors when sending to "
                          "Alertmanager.")),
      queue_length(&r->gauge("prometheus_notifications_queue_length",
                             "The number of alert notifications in the queue.")),
      queue_capacity(&r->gauge("prometheus_notifications_queue_capacity",
                               "The capacity of the alert notifications queue.")),
      alertmanagers_discovered(&r->gauge("prometheus_notifications_alertmanagers_discovered",
                                         "The number of alertmanagers discovered and active.")) {}

}  // namespace strata::rules::notifier
