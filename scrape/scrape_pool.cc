#include "scrape/scrape_pool.h"

#include <set>

#include "base/log.h"
#include "fmt/format.h"
#include "scrape/target_labels.h"
#include "tsdb/labels/relabel.h"

namespace strata::scrape {

ScrapePool::ScrapePool(std::shared_ptr<const ScrapeConfig> config, const PoolOptions& opts,
                       const LoopDeps& deps)
    : job_(config->job_name), config_(std::move(config)), opts_(opts), deps_(deps) {}

ScrapePool::~ScrapePool() = default;

absl::StatusOr<LoopSettings> ScrapePool::settings_for(const ScrapeConfig& c) const {
  net::ClientOptions co;
  co.http = c.http;
  co.user_agent = deps_.user_agent;
  co.disable_compression = !c.enable_compression;
  // One connection per target is kept alive between scrapes.
  auto client = net::Client::create(std::move(co), deps_.ioc);
  if (!client.ok()) return client.status();
  LoopSettings s;
  s.client = std::shared_ptr<net::Client>(std::move(*client));
  s.accept = accept_header(c.scrape_protocols, !opts_.prometheus_v2);
  s.fallback = fallback_format(c.fallback_scrape_protocol);
  s.enable_compression = c.enable_compression;
  s.body_size_limit_bytes = c.body_size_limit_bytes;
  return s;
}

AppendOptions ScrapePool::append_options(const Target& t) const {
  AppendOptions o;
  o.config = config_;
  o.target_labels = t.labels();
  o.prometheus_v2 = opts_.prometheus_v2;
  o.extra_metrics = opts_.extra_metrics;
  return o;
}

void ScrapePool::start_loop(std::shared_ptr<Target> t, std::unique_ptr<ScrapeAppender> appender) {
  if (appender) {
    appender->set_options(append_options(*t));
  } else {
    appender = std::make_unique<ScrapeAppender>(append_options(*t));
  }
  auto loop = std::make_shared<ScrapeLoop>(t, settings_, std::move(appender), deps_);
  loops_[t->hash()] = loop;
  loop->start();
}

absl::Status ScrapePool::apply(std::shared_ptr<const ScrapeConfig> config) {
  if (!settings_.client || !(*config == *config_)) {
    auto s = settings_for(*config);
    if (!s.ok()) return s.status();
    if (settings_.client) {
      // Restart every loop with the new settings; each target's cache and
      // staleness state go to its new loop. Targets are re-derived from the
      // last groups once all loops handed over.
      for (auto& [hash, loop] : loops_) {
        ++handovers_pending_;
        loop->stop(ScrapeLoop::StopMode::kHandover,
                   [this, hash = hash](std::unique_ptr<ScrapeAppender> a) {
                     handed_over_[hash] = std::move(a);
                     if (--handovers_pending_ > 0) return;
                     if (stopping_) {
                       handed_over_.clear();
                       maybe_stopped();
                     } else {
                       sync(groups_);
                     }
                   });
      }
      loops_.clear();
    }
    settings_ = std::move(*s);
  }
  config_ = std::move(config);
  return absl::OkStatus();
}

void ScrapePool::sync(const std::vector<TargetGroup>& groups) {
  if (&groups != &groups_) groups_ = groups;
  if (handovers_pending_ > 0) return;  // synced when the last loop handed over
  if (!settings_.client || stopping_) return;  // no HTTP client: apply() failed
  std::map<uint64_t, std::shared_ptr<Target>> next;
  std::vector<DroppedTarget> dropped;
  size_t dropped_total = 0;
  TargetLabelsOptions tlo;
  tlo.prometheus_v2 = opts_.prometheus_v2;
  tsdb::relabel::LabelsBuilder scratch;
  for (const TargetGroup& g : groups_) {
    for (const tsdb::Labels& t : g.targets) {
      TargetLabels r = populate_target_labels(t, g.labels, *config_, tlo, &scratch);
      if (!r.error.ok()) {
        log::error("scrape", "Creating target failed",
                   {{"scrape_pool", config_->job_name}, {"err", std::string(r.error.message())}});
        continue;
      }
      if (r.dropped) {
        ++dropped_total;
        if (config_->keep_dropped_targets == 0 || dropped.size() < config_->keep_dropped_targets)
          dropped.push_back({std::move(r.discovered)});
        continue;
      }
      Target::Spec spec{std::move(r.labels),
                        std::move(r.discovered),
                        r.url(),
                        r.interval_ms,
                        r.timeout_ms,
                        std::string(r.all.get("__scrape_interval__")),
                        std::string(r.all.get("__scrape_timeout__"))};
      auto target = std::make_shared<Target>(std::move(spec));
      next.emplace(target->hash(), std::move(target));  // the first of duplicates wins
    }
  }
  // Targets that went away: end-of-run staleness.
  for (auto it = loops_.begin(); it != loops_.end();) {
    if (next.count(it->first)) {
      ++it;
      continue;
    }
    end_of_run(it->second);
    it = loops_.erase(it);
  }
  for (auto& [hash, target] : next) {
    if (loops_.count(hash)) continue;
    std::unique_ptr<ScrapeAppender> appender;
    if (auto h = handed_over_.find(hash); h != handed_over_.end()) {
      appender = std::move(h->second);
      handed_over_.erase(h);
    }
    start_loop(target, std::move(appender));
  }
  // Handed-over targets the new config no longer has go stale too.
  for (auto& [hash, appender] : handed_over_) {
    // A loop just to write the markers at its next tick.
    auto old = std::make_shared<Target>(Target::Spec{appender->options().target_labels, {}, "",
                                                     config_->scrape_interval_ms, config_->scrape_timeout_ms,
                                                     "", ""});
    auto loop = std::make_shared<ScrapeLoop>(old, settings_, std::move(appender), deps_);
    loop->start();
    end_of_run(loop);
  }
  handed_over_.clear();
  dropped_all_ = std::move(dropped);
  dropped_total_ = dropped_total;
  apply_target_limit();
  publish();
}

void ScrapePool::end_of_run(const std::shared_ptr<ScrapeLoop>& loop) {
  ending_.insert(loop);
  loop->stop(ScrapeLoop::StopMode::kEndOfRun, [this, loop](std::unique_ptr<ScrapeAppender>) {
    ending_.erase(loop);
    maybe_stopped();
  });
}

void ScrapePool::apply_target_limit() {
  absl::Status forced;
  if (config_->target_limit > 0 && loops_.size() > config_->target_limit)
    forced = absl::FailedPreconditionError(fmt::format("target_limit exceeded (number of targets: {}, limit: {})",
                                                       loops_.size(), config_->target_limit));
  for (auto& [hash, loop] : loops_) loop->set_forced_error(forced);
}

void ScrapePool::publish() {
  std::vector<std::shared_ptr<Target>> active;
  active.reserve(loops_.size());
  for (const auto& [hash, loop] : loops_) active.push_back(loop->target());
  std::lock_guard lock(view_mu_);
  active_view_ = std::move(active);
  dropped_view_ = dropped_all_;
  dropped_count_view_ = dropped_total_;
  unsupported_view_ = config_->unsupported_sd_configs;
}

void ScrapePool::stop(ScrapeLoop::StopMode mode, std::function<void()> done) {
  stop_done_ = std::move(done);
  stopping_ = true;
  for (auto& entry : loops_) {
    // A copy, not a structured binding: clang 14 (the fuzz build) cannot
    // capture those.
    auto loop = entry.second;
    ending_.insert(loop);
    loop->stop(mode, [this, loop](std::unique_ptr<ScrapeAppender>) {
      ending_.erase(loop);
      maybe_stopped();
    });
  }
  loops_.clear();
  // On shutdown, loops still waiting to write end-of-run markers give up.
  if (mode == ScrapeLoop::StopMode::kShutdown) {
    std::vector<std::shared_ptr<ScrapeLoop>> waiting(ending_.begin(), ending_.end());
    for (auto& l : waiting) l->abandon();
  }
  maybe_stopped();
}

void ScrapePool::maybe_stopped() {
  if (stopping_ && ending_.empty() && handovers_pending_ == 0 && stop_done_) {
    auto done = std::move(stop_done_);
    stop_done_ = nullptr;
    done();
  }
}

std::vector<std::shared_ptr<Target>> ScrapePool::active_targets() const {
  std::lock_guard lock(view_mu_);
  return active_view_;
}

std::vector<DroppedTarget> ScrapePool::dropped_targets() const {
  std::lock_guard lock(view_mu_);
  return dropped_view_;
}

std::vector<std::string> ScrapePool::unsupported_sd_configs() const {
  std::lock_guard lock(view_mu_);
  return unsupported_view_;
}

size_t ScrapePool::dropped_count() const {
  std::lock_guard lock(view_mu_);
  return dropped_count_view_;
}

}  // namespace strata::scrape
