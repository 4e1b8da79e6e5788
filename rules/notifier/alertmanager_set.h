// AlertmanagerSet: one entry of alerting.alertmanagers at run time: its
// discovery providers (static_configs, file_sd_configs; scrape/discovery/),
// the Alertmanagers they currently yield (rules/notifier/
// alertmanager_targets.h) and the HTTP client its POSTs go through, built
// from the entry's http settings.
//
// Threads: start(), stop() and the providers' updates run on the
// notifier's io_context thread; active(), dropped(), config() and client()
// may be called from any thread (the lists are copied under a lock). After
// stop() no update follows; the set may then be destroyed on any thread
// once no request of its client is in flight (the notifier keeps a set
// alive while a batch uses it).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "net/client.h"
#include "rules/config.h"
#include "rules/notifier/alertmanager_targets.h"
#include "rules/notifier/notifier_metrics.h"
#include "scrape/discovery/provider.h"

namespace boost::asio {
class io_context;
}

namespace strata::rules::notifier {

class AlertmanagerSet : public std::enable_shared_from_this<AlertmanagerSet> {
 public:
  // Fails for an api_version other than "v2" (v1 is gone in Prometheus 3)
  // and when the client cannot be built (e.g. an unreadable CA file, or
  // oauth2, which net::Client refuses). The io_context, metrics and
  // discovery metrics must outlive the set.
  static absl::StatusOr<std::shared_ptr<AlertmanagerSet>> create(
      AlertmanagerConfig config, boost::asio::io_context& ioc, const std::string& user_agent,
      NotifierMetrics* metrics, scrape::DiscoveryMetrics* sd_metrics);

  // On the io thread. start() runs the providers; stop() ends them and takes
  // the set's Alertmanagers out of the discovered count.
  void start();
  void stop();

  std::vector<AlertmanagerTarget> active() const;
  std::vector<AlertmanagerTarget> dropped() const;
  const AlertmanagerConfig& config() const { return config_; }
  net::Client& client() { return *client_; }

 private:
  AlertmanagerSet(AlertmanagerConfig config, boost::asio::io_context& ioc,
                  std::unique_ptr<net::Client> client, NotifierMetrics* metrics,
                  scrape::DiscoveryMetrics* sd_metrics);
  void on_update(size_t provider, std::vector<scrape::TargetGroup> groups);  // io thread

  const AlertmanagerConfig config_;
  boost::asio::io_context& ioc_;
  std::unique_ptr<net::Client> client_;
  NotifierMetrics* metrics_;
  scrape::DiscoveryMetrics* sd_metrics_;

  // io thread only.
  std::vector<std::shared_ptr<scrape::Provider>> providers_;
  std::vector<std::vector<scrape::TargetGroup>> groups_;  // per provider, by source
  bool stopped_ = false;

  mutable std::mutex mu_;
  std::vector<AlertmanagerTarget> active_ ABSL_GUARDED_BY(mu_);
  std::vector<AlertmanagerTarget> dropped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::rules::notifier
