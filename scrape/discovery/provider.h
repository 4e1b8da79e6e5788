// Service discovery providers: each turns one *_sd_configs entry (or a job's
// static_configs) into target groups (scrape/discovery/target_group.h) and
// sends them to the scrape manager whenever they change.
//
//   static_configs    one group per entry, sent once at start
//   file_sd_configs   files matched by the globs, re-read when inotify sees a
//                     change in their directories and every refresh_interval
//   http_sd_configs   a GET of the URL at start and every refresh_interval
//                     (scrape/discovery/http_sd.cc)
//   dns_sd_configs    every name looked up at start and every
//                     refresh_interval (scrape/discovery/dns_sd.cc)
// A refresh that fails keeps the groups the provider last sent, logs the
// error and counts it, as Prometheus does.
//
// Threads: a provider lives on the scrape manager's io_context. start(),
// stop() and every call of `update` happen on that context's one thread, so
// providers need no locks; blocking work (reading files) is short, network
// I/O (HTTP, DNS) is asynchronous on the same context. After stop() returns
// no `update` follows and requests in flight are cancelled; handlers still
// queued hold the provider alive (shared_ptr), so the manager may drop it
// right away.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
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
  metrics::Counter* file_read_errors;     // strata_sd_file_read_errors_total
  metrics::Counter* file_scans;           // strata_sd_file_scans_total
  metrics::Counter* http_failures;        // strata_sd_http_failures_total
  metrics::Counter* dns_lookups;          // strata_sd_dns_lookups_total
  metrics::Counter* dns_lookup_failures;  // strata_sd_dns_lookup_failures_total
};

// Where dns_sd_configs' queries go: the system's resolver configuration,
// read again at every refresh (nameservers, search/domain, options ndots).
// prometheus.yml has no such setting; tests point it at their own server.
struct DnsResolverOptions {
  std::string resolv_conf = "/etc/resolv.conf";
  uint16_t port = 53;  // of every nameserver; resolv.conf cannot name one
  // One query to one server: sending, and the answer arriving (UDP), or
  // connecting, sending and the answer arriving (TCP, after a truncated UDP
  // answer). 2 s, as the timeouts of the DNS client Prometheus uses.
  int64_t timeout_ms = 2000;
};

std::shared_ptr<Provider> make_static_provider(const std::vector<StaticConfig>& configs);
std::shared_ptr<Provider> make_file_provider(const FileSdConfig& config, DiscoveryMetrics* metrics);
// Requests carry `user_agent`. A client that cannot be built from the
// config (e.g. an unreadable CA file) is logged once; the provider then
// sends nothing.
std::shared_ptr<Provider> make_http_provider(const HttpSdConfig& config, DiscoveryMetrics* metrics,
                                             std::string user_agent);
std::shared_ptr<Provider> make_dns_provider(const DnsSdConfig& config, DiscoveryMetrics* metrics,
                                            DnsResolverOptions resolver = {});

}  // namespace strata::scrape
