// ScrapePool: the targets of one scrape job and their loops. It turns the
// job's target groups into targets (scrape/target_labels.h: defaults,
// relabel_configs, dropped targets), starts a loop for each new target,
// keeps the loops of targets that are still there (their series continue),
// and stops the loops of targets that went away with end-of-run staleness.
// A changed job config restarts every loop with the new settings, handing
// each target's cache and staleness state to its new loop.
//
// target_limit: when a job has more targets than the limit, every one of its
// scrapes fails with Prometheus' "target_limit exceeded" error (up = 0).
// keep_dropped_targets bounds how many dropped targets the API can list.
//
// Threads: sync(), apply() and stop() run on the manager's io thread; the
// snapshot accessors may be called from any thread (guarded by view_mu_).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "scrape/config.h"
#include "scrape/discovery/target_group.h"
#include "scrape/scrape_loop.h"
#include "scrape/targets_view.h"

namespace strata::scrape {

struct PoolOptions {
  bool prometheus_v2 = false;  // see ManagerOptions
  bool extra_metrics = false;
};

class ScrapePool {
 public:
  ScrapePool(std::shared_ptr<const ScrapeConfig> config, const PoolOptions& opts, const LoopDeps& deps);
  ~ScrapePool();

  // Any thread: the job name never changes for a pool.
  const std::string& job() const { return job_; }
  // The io thread only (apply() replaces it).
  const ScrapeConfig& config() const { return *config_; }

  // A new config for this job (same job_name). Fails when the HTTP client
  // cannot be built (e.g. an unreadable CA file); the pool keeps running
  // with the old config then.
  absl::Status apply(std::shared_ptr<const ScrapeConfig> config);
  // Every target group of the job, as discovery has them now.
  void sync(const std::vector<TargetGroup>& groups);
  // Stops every loop; `done` runs once all have stopped.
  void stop(ScrapeLoop::StopMode mode, std::function<void()> done);

  std::vector<std::shared_ptr<Target>> active_targets() const;
  std::vector<std::string> unsupported_sd_configs() const;
  std::vector<DroppedTarget> dropped_targets() const;
  size_t dropped_count() const;

 private:
  absl::StatusOr<LoopSettings> settings_for(const ScrapeConfig& c) const;
  AppendOptions append_options(const Target& t) const;
  void start_loop(std::shared_ptr<Target> t, std::unique_ptr<ScrapeAppender> appender);
  void publish();
  void apply_target_limit();
  // Stops a loop whose target went away, with end-of-run staleness.
  void end_of_run(const std::shared_ptr<ScrapeLoop>& loop);
  // Runs stop()'s `done` once nothing is left running.
  void maybe_stopped();

  const std::string job_;
  std::shared_ptr<const ScrapeConfig> config_;
  const PoolOptions opts_;
  const LoopDeps deps_;
  LoopSettings settings_;
  std::map<uint64_t, std::shared_ptr<ScrapeLoop>> loops_;  // by target hash
  std::vector<DroppedTarget> dropped_all_;
  size_t dropped_total_ = 0;
  std::vector<TargetGroup> groups_;  // the last sync's, re-used after a reload
  // A reload's handover: loops still finishing their scrape, and the
  // appenders of those that finished, by target hash.
  int handovers_pending_ = 0;
  std::map<uint64_t, std::unique_ptr<ScrapeAppender>> handed_over_;
  // Stopped loops that have not finished yet (end-of-run markers pending).
  std::set<std::shared_ptr<ScrapeLoop>> ending_;
  bool stopping_ = false;
  std::function<void()> stop_done_;

  mutable std::mutex view_mu_;
  std::vector<std::shared_ptr<Target>> active_view_ ABSL_GUARDED_BY(view_mu_);
  std::vector<DroppedTarget> dropped_view_ ABSL_GUARDED_BY(view_mu_);
  size_t dropped_count_view_ ABSL_GUARDED_BY(view_mu_) = 0;
  std::vector<std::string> unsupported_view_ ABSL_GUARDED_BY(view_mu_);
};

}  // namespace strata::scrape
