// Notifier: delivers alerts to Alertmanagers as Prometheus' notifier does.
//
//   send(alerts)   (rule manager, any thread) each alert's labels get the
//                  external labels and alert_relabel_configs
//                  (rules/notifier/alert_labels.h); the survivors join a
//                  bounded queue. When it is full the oldest alerts are
//                  dropped and counted (prometheus_notifications_dropped_total).
//   sender thread  takes batches of at most max_batch_size (64, Prometheus'
//                  maxBatchSize) and POSTs each, as one JSON body
//                  (rules/notifier/alert_json.h), to every discovered
//                  Alertmanager of every alertmanagers config at once, each
//                  bounded by its config's timeout. It waits for all answers
//                  before the next batch. A batch is delivered when, in every
//                  config that has Alertmanagers, at least one answered 2xx;
//                  otherwise its alerts are counted as dropped. With no
//                  Alertmanager at all the batch is discarded uncounted. Both
//                  as Prometheus 3 (2.42 wanted one 2xx anywhere, and counted
//                  the no-Alertmanager case as dropped). There is no retry:
//                  the rule manager re-sends active alerts anyway.
//   io thread      runs discovery (static and file SD, through scrape/'s
//                  providers) and every HTTP exchange (net::Client).
//
// apply() swaps the alertmanagers configs, the alert relabeling and the
// external labels (a reload); the queue is kept, its alerts with the labels
// they were queued with. The new configs' discovery starts before they
// replace the old ones, so no batch meets a config that has not discovered
// yet. A config whose HTTP client cannot be built fails apply() and nothing
// changes.
//
// Not supported (rules::AlertmanagerConfig has no field for them): Prometheus
// 3's per-alertmanager alert_relabel_configs, sigv4, and discovery other than
// static_configs and file_sd_configs.
//
// Shutdown: stop() with drain_on_shutdown (Prometheus 3's
// --alertmanager.drain-notification-queue-on-shutdown, default true) keeps
// sending until the queue is empty or drain_timeout_ms has passed (then
// requests in flight are cancelled); what is left is counted as dropped.
// Without drain, requests in flight are cancelled and the queue is dropped.
//
// Alerts sent after stop() are counted as dropped.
//
// Threads: send(), alertmanagers() and queue_length() from any thread;
// apply(), start() and stop() from one control thread (the Lifecycle).
// apply() may come before start() (the usual order at startup) and again
// after it. stop() is idempotent; the destructor calls it. The registry must
// outlive the Notifier.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/metrics.h"
#include "rules/alert.h"
#include "rules/config.h"
#include "rules/notifier/alertmanager_set.h"
#include "rules/notifier/alertmanagers_view.h"
#include "rules/notifier/notifier_metrics.h"
#include "scrape/discovery/provider.h"
#include "tsdb/labels/relabel.h"

namespace strata::rules::notifier {

struct NotifierOptions {
  // --alertmanager.notification-queue-capacity.
  size_t queue_capacity = 10000;
  // Prometheus' maxBatchSize: alerts per POST.
  size_t max_batch_size = 64;
  // --alertmanager.drain-notification-queue-on-shutdown.
  bool drain_on_shutdown = true;
  // Bound of the drain: three default timeouts (10 s each), so one batch
  // that times out does not end the drain by itself.
  int64_t drain_timeout_ms = 30'000;
  // "Strata/<version>" from the server's build info.
  std::string user_agent = "Strata";
};

// What prometheus.yml says about alerting, as the notifier runs it.
struct NotifierConfig {
  std::vector<AlertmanagerConfig> alertmanagers;
  std::vector<tsdb::relabel::Config> alert_relabel_configs;  // alerting.alert_relabel_configs
  tsdb::Labels external_labels;                              // global.external_labels
};

class Notifier final : public AlertSink, public AlertmanagersView {
 public:
  Notifier(NotifierOptions opts, metrics::Registry* registry);
  ~Notifier() override;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  absl::Status apply(const NotifierConfig& config);
  // Starts the io and sender threads. Alerts sent before are kept queued.
  void start();
  void stop();

  void send(const std::vector<Alert>& alerts) override;
  AlertmanagersSnapshot alertmanagers() const override;
  size_t queue_length() const;

 private:
  void run_sender();
  // POSTs `batch` to every Alertmanager of `sets`; true when delivered (see
  // the header comment). Sender thread.
  bool send_batch(const std::vector<Alert>& batch,
                  const std::vector<std::shared_ptr<AlertmanagerSet>>& sets,
                  std::optional<net::Deadline> cap);
  // Runs `f` on the io thread; waits for it only when the thread runs.
  template <typename F>
  void on_io(F f);

  const NotifierOptions opts_;
  NotifierMetrics metrics_;
  scrape::DiscoveryMetrics sd_metrics_;

  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  // Ends a drain on time (io thread only).
  std::optional<boost::asio::steady_timer> drain_timer_;
  std::thread io_thread_;
  std::thread sender_;
  // Cancels requests in flight when stopping without a drain.
  std::stop_source cancel_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Alert> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<AlertmanagerSet>> sets_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const NotifierConfig> config_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;  // stop() is done: send() drops
  bool stopped_ = false;  // control thread only
  net::Deadline drain_deadline_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace strata::rules::notifier
