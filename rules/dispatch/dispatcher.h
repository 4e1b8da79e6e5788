// Dispatcher: Strata's built-in notifications, for users who want a Slack
// message, an e-mail or a webhook when an alert fires and no Alertmanager
// to run. It is the rule manager's AlertSink (rules/alert.h) and behaves as
// Alertmanager does with the same alertmanager.yml subset (config.h):
//
//  * Alerts are deduplicated by label set (fingerprint); a re-sent alert
//    replaces the previous one, keeping the earliest startsAt while it has
//    not ended. An alert without ends_at gets now + resolve_timeout.
//  * Each alert goes through the routing tree (route.h) to one or more
//    routes, and into the aggregation group of (route, group_by labels).
//  * A group is flushed first group_wait after it was created — at once if
//    its alert started more than group_wait ago (e.g. after a restart) —
//    then every group_interval. At each flush, each integration of the
//    receiver is notified when, compared with the notification log
//    (notification_log.h): an alert fires that was not notified firing; all
//    alerts resolved after some were notified firing; with send_resolved, an
//    alert resolved that was not notified resolved; or repeat_interval has
//    passed since the last notification (checked at flushes, so repeats
//    come at the first flush at or after it). Resolved alerts are sent only
//    to integrations with send_resolved, and leave the group once every
//    integration was notified. Empty groups are deleted.
//  * inhibit_rules mute alerts at flush time (inhibit.h): muted alerts are
//    left out of notifications and of the log's sets; a group whose alerts
//    are all muted notifies nobody.
//  * A failed notification is retried with exponential backoff (1 s, 2 s,
//    4 s, ... at most 1 min apart, at most kMaxAttempts in all per flush);
//    4xx answers and config errors are not retried. Since the log is only
//    written on success, the next flush tries again anyway.
//  * The notification log is persisted under `data_dir`, so a new
//    Dispatcher on the same directory (a restart) does not page twice.
//
// Bounds: alerts kept (max_alerts), groups (max_groups), the send() queue
// (max_queue) — beyond them alerts are dropped and counted in
// strata_dispatcher_alerts_dropped_total{reason}; payload sizes (payload.h);
// attempts and timeouts per notification.
//
// Threads: send() only queues (never blocks on the network) and may be
// called from any thread. tick() does the work: it drains the queue, flushes
// due groups and performs notifications synchronously on its caller's
// thread — the dispatcher's own thread (run_thread), or a test driving an
// injected clock. apply_config() and tick() serialise on one mutex, so a
// reload waits for notifications in progress (bounded by their timeouts).
// HTTP runs on the dispatcher's own io_context thread.
//
// Self-metrics:
//   strata_notifications_total{integration}         notifications attempted
//   strata_notifications_failed_total{integration}  of which failed
//   strata_notification_latency_seconds{integration}
//   strata_dispatcher_aggregation_groups            groups now
//   strata_dispatcher_alerts                        alerts kept now
//   strata_dispatcher_alerts_dropped_total{reason}  queue_full, too_many_alerts,
//                                                   too_many_groups, invalid
//   strata_notification_log_write_failures_total
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "rules/alert.h"
#include "rules/dispatch/config.h"
#include "rules/dispatch/inhibit.h"
#include "rules/dispatch/integration.h"
#include "rules/dispatch/notification_log.h"
#include "rules/dispatch/route.h"

namespace strata::rules::dispatch {

struct DispatcherOptions {
  std::string data_dir;      // the notification log lives here (required)
  FileSystem* fs = nullptr;  // default: posix_file_system()
  std::string external_url;  // Strata's --web.external-url (externalURL in payloads)
  // Wall-clock milliseconds; tests inject their own and call tick().
  std::function<int64_t()> clock;
  metrics::Registry* registry = nullptr;  // null: metrics kept privately
  bool run_thread = true;                 // false: the caller calls tick()
  int64_t tick_interval_ms = 1'000;       // flush time granularity
  size_t max_alerts = 10'000;
  size_t max_groups = 1'000;
  size_t max_queue = 10'000;
  int64_t notify_timeout_ms = 10'000;  // per attempt
  int64_t initial_backoff_ms = 1'000;
  int64_t max_backoff_ms = 60'000;
  std::string user_agent = "Strata";
};

class Dispatcher final : public AlertSink {
 public:
  static constexpr int kMaxAttempts = 8;

  // Opens the notification log and builds the integrations.
  static absl::StatusOr<std::unique_ptr<Dispatcher>> create(Config config, DispatcherOptions opts);
  ~Dispatcher() override;  // stops the threads; queued alerts are dropped

  void send(const std::vector<Alert>& alerts) override;

  // A reloaded config: new routes and integrations; groups are rebuilt from
  // the alerts kept, and the log keeps anybody from being paged twice. On
  // error the old config stays.
  absl::Status apply_config(Config config);

  // Drains the queue, flushes due groups, retries due notifications.
  void tick();

  size_t num_groups() const;
  size_t num_alerts() const;

 private:
  struct Group;
  struct Receiver {
    std::vector<std::unique_ptr<Integration>> integrations;
  };
  struct State;

  Dispatcher(DispatcherOptions opts);
  absl::StatusOr<std::unique_ptr<State>> build(Config config);
  int64_t now() const;
  void ingest(const Alert& a, int64_t now);
  void route_alert(uint64_t fp, const Alert& a, int64_t now);
  void flush(Group& g, int64_t now, bool retries_only, const Inhibitor* inhibitor);
  void run();

  DispatcherOptions opts_;
  struct Metrics;
  std::unique_ptr<metrics::Registry> own_registry_;
  std::unique_ptr<Metrics> m_;
  struct Io;
  std::unique_ptr<Io> io_;

  std::mutex queue_mu_;
  std::vector<Alert> queue_;  // guarded by queue_mu_

  mutable std::mutex mu_;  // guards everything below
  std::unique_ptr<State> state_;
  std::unique_ptr<NotificationLog> log_;
  std::map<uint64_t, Alert> alerts_;  // by fingerprint
  std::map<std::string, std::unique_ptr<Group>> groups_;
  int64_t last_gc_ms_ = 0;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace strata::rules::dispatch
