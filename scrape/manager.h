// Manager: everything scraping runs. It owns
//   - one io_context thread for timers, discovery and every scrape's HTTP
//     exchange (net::Client is asynchronous, so one thread drives thousands
//     of targets),
//   - a small worker pool that parses bodies and appends to storage,
//   - per job: its discovery providers and its ScrapePool.
// apply() takes the scrape_configs of a (re)loaded configuration: jobs that
// are unchanged keep running untouched (their series continue), changed
// jobs restart their loops handing over each target's state, new jobs
// start, removed jobs stop without stale markers (as in Prometheus; targets
// that leave a job that stays get end-of-run markers). Discovery updates a
// job's groups; its pool then syncs. stop() ends every loop without stale
// markers (as Prometheus on shutdown) and joins the threads; nothing is
// appended after it returns, so storage may close next.
//
// Self-metrics (strata_ for Prometheus' prometheus_ prefix):
//   strata_target_scrape_pools_total, strata_target_scrape_pool_targets{scrape_job},
//   strata_target_scrapes_sample_out_of_order_total, ..._duplicate_timestamp_total,
//   ..._out_of_bounds_total, strata_target_scrapes_exceeded_sample_limit_total,
//   strata_target_scrape_pool_exceeded_label_limits_total,
//   strata_target_scrapes_failed_total, strata_sd_file_*.
//
// Thread-safe: apply() and stop() from one control thread (the Lifecycle);
// the read accessors from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/metrics.h"
#include "scrape/config.h"
#include "scrape/discovery/provider.h"
#include "scrape/scrape_pool.h"
#include "scrape/targets_view.h"

namespace strata::scrape {

struct ManagerOptions {
  // Prometheus 2.x instead of 3 (--query.compat=v2): legacy name
  // validation, le/quantile kept as written, 2.x target labels.
  bool prometheus_v2 = false;
  bool extra_metrics = false;  // --enable-feature=extra-scrape-metrics
  std::string user_agent = "Strata";
  // Parsing and appending threads; 0 = one per core.
  size_t workers = 0;
};

class Manager final : public TargetsView {
 public:
  Manager(tsdb::Appendable& db, metrics::Registry* registry, ManagerOptions opts);
  ~Manager() override;
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Applies the scrape jobs of a configuration. Errors (a job's HTTP client
  // cannot be built) name the job; the other jobs are applied anyway.
  absl::Status apply(const std::vector<ScrapeConfig>& jobs);
  void stop();

  std::vector<PoolSnapshot> pools() const override;

 private:
  struct Job {
    std::shared_ptr<const ScrapeConfig> config;
    std::shared_ptr<ScrapePool> pool;
    std::vector<std::shared_ptr<Provider>> providers;
    // provider index -> source -> group
    std::vector<std::map<std::string, TargetGroup>> groups;
    uint64_t generation = 0;  // of its discovery; stale callbacks are ignored
    bool sync_queued = false;
  };

  // On the io thread.
  absl::Status apply_on_loop(const std::vector<ScrapeConfig>& jobs);
  void start_discovery(const std::string& name, Job& job);
  void on_update(const std::string& name, uint64_t generation, size_t provider,
                 std::vector<TargetGroup> groups);
  Job* find_job(const std::string& name, uint64_t generation);
  void stop_on_loop(std::function<void()> done);
  // Runs `f` on the io thread and waits for it.
  void run_on_loop(std::function<void()> f);

  tsdb::Appendable& db_;
  const ManagerOptions opts_;
  ScrapeMetrics metrics_;
  DiscoveryMetrics sd_metrics_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::thread_pool workers_;
  std::thread io_thread_;
  LoopDeps deps_;
  // Owned and changed on the io thread only.
  std::map<std::string, Job> jobs_;
  std::vector<std::string> order_;  // job names in configuration order
  uint64_t generation_ = 0;
  // Jobs removed by a reload, still ending their targets.
  std::vector<std::shared_ptr<ScrapePool>> retired_;

  mutable std::mutex view_mu_;
  std::vector<std::shared_ptr<const ScrapePool>> view_ ABSL_GUARDED_BY(view_mu_);
  bool stopped_ = false;
};

}  // namespace strata::scrape
