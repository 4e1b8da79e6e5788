// ConfigManager: owns the server's current configuration. It loads the
// config file (or the embedded default) at start and again on reload —
// SIGHUP or POST /-/reload — keeping the previous configuration when a
// reload fails, and reports each attempt as Prometheus does: log lines
// ("Loading configuration file", "Completed loading of configuration file",
// "Error reloading config") and the gauges
//   strata_config_last_reload_successful
//   strata_config_last_reload_success_timestamp_seconds
// Components that follow the configuration (scraping, rules, remote write)
// register an applier with on_reload(); each successful parse is handed to
// every applier in order.
//
// Thread-safe: reloads are serialized; current() and yaml() may be called
// from any thread at any time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/metrics.h"
#include "server/config.h"

namespace strata::server {

class ConfigManager {
 public:
  using Applier = std::function<absl::Status(const Config&)>;

  // `path` "" means the embedded default configuration, `default_yaml`.
  ConfigManager(std::string path, std::string default_yaml, metrics::Registry* registry);

  // Loads (or reloads) the configuration and applies it. On a parse error
  // the current configuration stays; errors read
  //   couldn't load configuration (--config.file="x.yml"): parsing YAML file x.yml: ...
  // If an applier fails the reload counts as failed, but the new
  // configuration stays in place (what was applied cannot be taken back),
  // as in Prometheus.
  absl::Status reload();

  // Adds a component to call on every successful load (not retroactively).
  void on_reload(Applier apply);

  // The current configuration; null before the first successful load.
  std::shared_ptr<const Config> current() const;
  // The current configuration as /api/v1/status/config shows it.
  std::string yaml() const;
  bool last_reload_successful() const;
  double last_success_time_s() const;  // Unix seconds; 0 = never
  // The file name for messages: the path, or "<embedded default>".
  std::string display_name() const;

 private:
  const std::string path_;
  const std::string default_yaml_;
  std::mutex reload_mu_;  // serializes reload()
  std::vector<Applier> appliers_ ABSL_GUARDED_BY(reload_mu_);
  mutable std::mutex mu_;  // guards the published state below
  std::shared_ptr<const Config> config_ ABSL_GUARDED_BY(mu_);
  std::string yaml_ ABSL_GUARDED_BY(mu_);
  bool ok_ ABSL_GUARDED_BY(mu_) = false;
  double success_time_s_ ABSL_GUARDED_BY(mu_) = 0;
  metrics::Gauge* success_;
  metrics::Gauge* success_time_;
};

}  // namespace strata::server
