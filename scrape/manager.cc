#include "scrape/manager.h"

#include <boost/asio/post.hpp>
#include <future>

#include "base/log.h"
#include "fmt/format.h"

namespace strata::scrape {

Manager::Manager(tsdb::Appendable& db, metrics::Registry* registry, ManagerOptions opts)
    : db_(db),
      opts_(std::move(opts)),
      metrics_(registry),
      sd_metrics_(registry),
      work_(boost::asio::make_work_guard(ioc_)),
      workers_(opts_.workers ? opts_.workers : std::max(1u, std::thread::hardware_concurrency())) {
  deps_.ioc = &ioc_;
  deps_.workers = &workers_;
  deps_.db = &db_;
  deps_.metrics = &metrics_;
  deps_.user_agent = opts_.user_agent;
  registry->gauge_func("strata_target_scrape_pools_total", "Current number of scrape pools.", [this] {
    std::lock_guard lock(view_mu_);
    return double(view_.size());
  });
  io_thread_ = std::thread([this] { ioc_.run(); });
}

Manager::~Manager() { stop(); }

void Manager::run_on_loop(std::function<void()> f) {
  std::promise<void> done;
  boost::asio::post(ioc_, [&] {
    f();
    done.set_value();
  });
  done.get_future().wait();
}

absl::Status Manager::apply(const std::vector<ScrapeConfig>& jobs) {
  if (stopped_) return absl::UnavailableError("scrape manager stopped");
  absl::Status st;
  run_on_loop([&] { st = apply_on_loop(jobs); });
  return st;
}

absl::Status Manager::apply_on_loop(const std::vector<ScrapeConfig>& configs) {
  absl::Status first;
  std::map<std::string, Job> next;
  std::vector<std::string> order;
  std::vector<std::string> restart;  // jobs whose discovery starts (over)
  PoolOptions po{opts_.prometheus_v2, opts_.extra_metrics};
  for (const ScrapeConfig& c : configs) {
    auto it = jobs_.find(c.job_name);
    if (it != jobs_.end() && *it->second.config == c) {
      next.emplace(c.job_name, std::move(it->second));  // unchanged: untouched
      jobs_.erase(it);
      order.push_back(c.job_name);
      continue;
    }
    auto config = std::make_shared<const ScrapeConfig>(c);
    Job job;
    job.config = config;
    if (it != jobs_.end()) {
      // Changed: the pool restarts its loops; discovery starts over.
      job.pool = std::move(it->second.pool);
      for (auto& p : it->second.providers) p->stop();
      jobs_.erase(it);
    } else {
      job.pool = std::make_shared<ScrapePool>(config, po, deps_);
    }
    if (absl::Status s = job.pool->apply(config); !s.ok()) {
      s = absl::Status(s.code(), fmt::format("error creating HTTP client for scrape pool \"{}\": {}", c.job_name,
                                             std::string(s.message())));
      log::error("scrape", "Error reloading scrape pool", {{"scrape_pool", c.job_name}, {"err", std::string(s.message())}});
      if (first.ok()) first = s;
    }
    order.push_back(c.job_name);
    next.emplace(c.job_name, std::move(job));
    restart.push_back(c.job_name);
  }
  // Jobs gone from the configuration stop without stale markers, as in
  // Prometheus (its pool's context is cancelled, which skips end-of-run
  // staleness): their series fade out with the lookback delta.
  for (auto& [name, job] : jobs_) {
    for (auto& p : job.providers) p->stop();
    std::shared_ptr<ScrapePool> pool = job.pool;
    metrics_.pool_targets->with({name}).set(0);
    retired_.push_back(pool);
    pool->stop(ScrapeLoop::StopMode::kShutdown, [this, pool] {
      std::erase(retired_, pool);
    });
  }
  jobs_ = std::move(next);
  order_ = std::move(order);
  for (const auto& name : restart) start_discovery(name, jobs_.at(name));
  std::vector<std::shared_ptr<const ScrapePool>> view;
  for (const auto& name : order_) view.push_back(jobs_.at(name).pool);
  std::lock_guard lock(view_mu_);
  view_ = std::move(view);
  return first;
}

void Manager::start_discovery(const std::string& name, Job& job) {
  const ScrapeConfig& c = *job.config;
  job.providers.clear();
  job.generation = ++generation_;
  if (!c.static_configs.empty()) job.providers.push_back(make_static_provider(c.static_configs));
  for (const auto& f : c.file_sd_configs) job.providers.push_back(make_file_provider(f, &sd_metrics_));
  for (const auto& h : c.http_sd_configs) job.providers.push_back(make_http_provider(h, &sd_metrics_, opts_.user_agent));
  for (const auto& d : c.dns_sd_configs) job.providers.push_back(make_dns_provider(d, &sd_metrics_));
  job.groups.assign(job.providers.size(), {});
  if (job.providers.empty()) job.pool->sync({});
  for (size_t i = 0; i < job.providers.size(); ++i) {
    job.providers[i]->start(ioc_, [this, name, gen = job.generation, i](std::vector<TargetGroup> groups) {
      on_update(name, gen, i, std::move(groups));
    });
  }
}

Manager::Job* Manager::find_job(const std::string& name, uint64_t generation) {
  auto it = jobs_.find(name);
  return it != jobs_.end() && it->second.generation == generation ? &it->second : nullptr;
}

void Manager::on_update(const std::string& name, uint64_t generation, size_t provider,
                        std::vector<TargetGroup> groups) {
  Job* job = find_job(name, generation);
  if (!job) return;  // a provider of a job reloaded or removed meanwhile
  auto& mine = job->groups[provider];
  for (auto& g : groups) {
    if (g.targets.empty()) {
      mine.erase(g.source);
    } else {
      mine[g.source] = std::move(g);
    }
  }
  // Coalesce the updates of one round of the loop into one sync.
  if (job->sync_queued) return;
  job->sync_queued = true;
  boost::asio::post(ioc_, [this, name, generation] {
    Job* job = find_job(name, generation);
    if (!job) return;
    job->sync_queued = false;
    std::vector<TargetGroup> all;
    for (const auto& per : job->groups)
      for (const auto& [source, g] : per) all.push_back(g);
    job->pool->sync(all);
    metrics_.pool_targets->with({name}).set(double(job->pool->active_targets().size()));
  });
}

void Manager::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::promise<void> done;
  boost::asio::post(ioc_, [&] { stop_on_loop([&] { done.set_value(); }); });
  // Loops finish the scrape they are in (its request is cancelled); bounded
  // by the longest scrape timeout, so this wait ends.
  done.get_future().wait();
  work_.reset();
  ioc_.stop();
  io_thread_.join();
  workers_.join();
  std::lock_guard lock(view_mu_);
  view_.clear();
}

void Manager::stop_on_loop(std::function<void()> done) {
  auto remaining = std::make_shared<size_t>(jobs_.size() + retired_.size() + 1);
  auto one_done = [remaining, done] {
    if (--*remaining == 0) done();
  };
  for (auto& [name, job] : jobs_) {
    for (auto& p : job.providers) p->stop();
    job.pool->stop(ScrapeLoop::StopMode::kShutdown, one_done);
  }
  for (auto& pool : std::vector<std::shared_ptr<ScrapePool>>(retired_))
    pool->stop(ScrapeLoop::StopMode::kShutdown, one_done);
  one_done();
}

std::vector<PoolSnapshot> Manager::pools() const {
  std::vector<std::shared_ptr<const ScrapePool>> view;
  {
    std::lock_guard lock(view_mu_);
    view = view_;
  }
  std::vector<PoolSnapshot> out;
  for (const auto& p : view)
    out.push_back({p->job(), p->active_targets(), p->dropped_targets(), p->dropped_count(),
                   p->unsupported_sd_configs()});
  return out;
}

}  // namespace strata::scrape
