// Dispatcher: lifecycle, the send() queue, ingest and routing into groups.
// Flushing is in dispatcher_flush.cc.
#include <algorithm>
#include <optional>

#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "rules/dispatch/dispatcher_internal.h"
#include "rules/dispatch/payload.h"

namespace strata::rules::dispatch {

Dispatcher::Metrics::Metrics(metrics::Registry* r)
    : notifications(&r->counter_family("strata_notifications_total",
                                       "Notifications attempted, by integration.",
                                       {"integration"})),
      failed(&r->counter_family("strata_notifications_failed_total",
                                "Notifications that failed, by integration.", {"integration"})),
      latency(&r->histogram_family("strata_notification_latency_seconds",
                                   "Latency of notifications, by integration.", {"integration"},
                                   metrics::default_buckets())),
      groups(&r->gauge("strata_dispatcher_aggregation_groups",
                       "Aggregation groups of the built-in notifications.")),
      alerts(&r->gauge("strata_dispatcher_alerts", "Alerts kept by the built-in notifications.")),
      dropped(&r->counter_family("strata_dispatcher_alerts_dropped_total",
                                 "Alerts dropped by the built-in notifications, by reason.",
                                 {"reason"})),
      log_write_failures(&r->counter("strata_notification_log_write_failures_total",
                                     "Failed writes of the notification log.")) {}

Dispatcher::Dispatcher(DispatcherOptions opts) : opts_(std::move(opts)) {
  if (!opts_.fs) opts_.fs = posix_file_system();
  if (!opts_.clock) opts_.clock = [] { return now_ms(); };
  metrics::Registry* reg = opts_.registry;
  if (!reg) {
    own_registry_ = std::make_unique<metrics::Registry>();
    reg = own_registry_.get();
  }
  m_ = std::make_unique<Metrics>(reg);
  io_ = std::make_unique<Io>();
}

absl::StatusOr<std::unique_ptr<Dispatcher>> Dispatcher::create(Config config,
                                                               DispatcherOptions opts) {
  if (opts.data_dir.empty()) return absl::InvalidArgumentError("notifications: no data directory");
  std::unique_ptr<Dispatcher> d(new Dispatcher(std::move(opts)));
  d->io_->thread = std::thread([io = d->io_.get()] { io->ioc.run(); });
  auto log = NotificationLog::open(d->opts_.fs, d->opts_.data_dir);
  if (!log.ok()) return annotate(log.status(), "notifications");
  d->log_ = *std::move(log);
  STRATA_ASSIGN_OR_RETURN(d->state_, d->build(std::move(config)));
  if (d->opts_.run_thread) d->thread_ = std::thread([p = d.get()] { p->run(); });
  return d;
}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    // Integrations (and their clients) go before the io_context stops.
    std::lock_guard<std::mutex> lock(mu_);
    groups_.clear();
    state_.reset();
  }
  io_->guard.reset();
  io_->ioc.stop();
  if (io_->thread.joinable()) io_->thread.join();
}

absl::StatusOr<std::unique_ptr<Dispatcher::State>> Dispatcher::build(Config config) {
  auto st = std::make_unique<State>();
  st->config = std::move(config);
  st->tree = std::make_unique<RoutingTree>(st->config.route);
  IntegrationOptions io{&io_->ioc, opts_.notify_timeout_ms, opts_.user_agent};
  for (const auto& r : st->config.receivers) {
    auto integrations = make_integrations(r, io);
    if (!integrations.ok()) {
      return annotate(integrations.status(), "notifications: receiver " + tsdb::go_quote(r.name));
    }
    st->receivers[r.name].integrations = *std::move(integrations);
  }
  return st;
}

int64_t Dispatcher::now() const { return opts_.clock(); }

void Dispatcher::send(const std::vector<Alert>& alerts) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  size_t room = opts_.max_queue > queue_.size() ? opts_.max_queue - queue_.size() : 0;
  size_t n = std::min(room, alerts.size());
  queue_.insert(queue_.end(), alerts.begin(), alerts.begin() + static_cast<ptrdiff_t>(n));
  if (n < alerts.size())
    m_->dropped->with({"queue_full"}).inc(static_cast<double>(alerts.size() - n));
}

absl::Status Dispatcher::apply_config(Config config) {
  // Built outside the lock: creating clients loads TLS files.
  STRATA_ASSIGN_OR_RETURN(auto st, build(std::move(config)));
  std::unique_ptr<State> old;
  std::lock_guard<std::mutex> lock(mu_);
  old = std::move(state_);
  state_ = std::move(st);
  groups_.clear();
  const int64_t t = now();
  for (const auto& [fp, a] : alerts_) route_alert(fp, a, t);
  m_->groups->set(static_cast<double>(groups_.size()));
  return absl::OkStatus();
}

void Dispatcher::ingest(const Alert& in, int64_t t) {
  if (in.labels.empty()) {
    m_->dropped->with({"invalid"}).inc();
    return;
  }
  Alert a = in;
  if (a.ends_at_ms == 0) a.ends_at_ms = t + state_->config.global.resolve_timeout_ms;
  if (a.starts_at_ms == 0) a.starts_at_ms = t;
  const uint64_t fp = fingerprint(a.labels);
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) {
    if (alerts_.size() >= opts_.max_alerts) {
      m_->dropped->with({"too_many_alerts"}).inc();
      return;
    }
  } else if (it->second.ends_at_ms >= a.starts_at_ms) {
    // The same occurrence re-sent (its intervals overlap): keep its start.
    a.starts_at_ms = std::min(a.starts_at_ms, it->second.starts_at_ms);
  }
  alerts_[fp] = a;
  route_alert(fp, a, t);
}

void Dispatcher::route_alert(uint64_t fp, const Alert& a, int64_t t) {
  for (const RouteNode* route : state_->tree->match(a.labels)) {
    tsdb::Labels gl = route->group_labels(a.labels);
    std::string key = group_key(*route, gl);
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (groups_.size() >= opts_.max_groups) {
        m_->dropped->with({"too_many_groups"}).inc();
        continue;
      }
      auto g = std::make_unique<Group>();
      g->key = key;
      g->route = route;
      g->labels = std::move(gl);
      g->next_flush_ms = t + route->config->group_wait_ms;
      it = groups_.emplace(key, std::move(g)).first;
    }
    Group& g = *it->second;
    g.alerts[fp] = a;
    // An alert older than group_wait (a restart, a reload) need not wait.
    if (!g.has_flushed && a.starts_at_ms + route->config->group_wait_ms <= t) {
      g.next_flush_ms = std::min(g.next_flush_ms, t);
    }
  }
}

void Dispatcher::tick() {
  std::vector<Alert> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    batch.swap(queue_);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t t = now();
  for (const Alert& a : batch) ingest(a, t);
  std::optional<Inhibitor> inhibitor;
  if (!state_->config.inhibit_rules.empty()) {
    inhibitor.emplace(state_->config.inhibit_rules, alerts_, t);
  }
  const Inhibitor* inh = inhibitor ? &*inhibitor : nullptr;
  for (auto& [key, g] : groups_) {
    if (g->next_flush_ms <= t) {
      g->next_flush_ms = t + g->route->config->group_interval_ms;
      g->has_flushed = true;
      flush(*g, t, /*retries_only=*/false, inh);
    } else if (!g->retries.empty()) {
      flush(*g, t, /*retries_only=*/true, inh);
    }
  }
  std::erase_if(groups_, [](const auto& kv) { return kv.second->alerts.empty(); });
  // Resolved alerts are kept 15 min for re-sends that overlap them; groups
  // have their own copies until they were notified.
  constexpr int64_t kKeepResolvedMs = 15 * 60'000;
  std::erase_if(alerts_,
                [&](const auto& kv) { return kv.second.ends_at_ms + kKeepResolvedMs < t; });
  if (t - last_gc_ms_ >= 60'000) {
    last_gc_ms_ = t;
    if (!log_->gc(t).ok()) m_->log_write_failures->inc();
  }
  m_->groups->set(static_cast<double>(groups_.size()));
  m_->alerts->set(static_cast<double>(alerts_.size()));
}

size_t Dispatcher::num_groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_.size();
}

size_t Dispatcher::num_alerts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return alerts_.size();
}

void Dispatcher::run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(stop_mu_);
      if (stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.tick_interval_ms),
                            [&] { return stopping_; })) {
        return;
      }
    }
    tick();
  }
}

}  // namespace strata::rules::dispatch
