// Service discovery providers: each turns one *_sd_configs entry (or a job's
// static_configs) into target groups (scrape/discovery/target_group.h) and
// sends them to the scrape manager whenever they change.
//
//   static_configs    one group per entry, sent once at start
//   file_sd_configs   files matched by the globs, re-read when inotify sees a
//                     change in their directories and every refresh_interval
//
// Threads: a provider lives on the scrape manager's io_context. start(),
// stop() and every call of `update` happen on that context's one thread, so
// providers need no locks; blocking work (reading files) is short. After
// stop() returns no `update` follows; handlers still queued hold the
// provider alive (shared_ptr), so the manager may drop it right away.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "base/metrics.h"
#include "scrape/config.h"
#include "scrape/discovery/target_group.h"

namespace boost::asio {
class io_context;
}

namespace strata::scrape {

class Provider {
 public:
  // Every group the provider knows, vanished ones sent once more, empty.
  using Update = std::function<void(std::vector<TargetGroup>)>;
  virtual ~Provider() = default;
  virtual void start(boost::asio::io_context& ioc, Update update) = 0;
  virtual void stop() = 0;
};

// Self-metrics of discovery, shared by all providers of a manager.
struct DiscoveryMetrics {
  explicit DiscoveryMetrics(metrics::Registry* registry);
  metrics::Counter* file_read_errors;  // strata_sd_file_read_errors_total
  metrics::Counter* file_scans;        // strata_sd_file_scans_total
};

std::shared_ptr<Provider> make_static_provider(const std::vector<StaticConfig>& configs);
std::shared_ptr<Provider> make_file_provider(const FileSdConfig& config, DiscoveryMetrics* metrics);

}  // namespace strata::scrape
