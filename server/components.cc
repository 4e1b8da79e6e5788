#include "server/components.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "fmt/format.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "server/build_info.h"
#include "server/options.h"

namespace strata::server {
namespace {

// How long a graceful stop waits for requests in flight (Prometheus' web
// handler is not bounded at all; 30 s covers any query under the default
// 2 m timeout that is close to done, and keeps restarts prompt).
constexpr auto kGracePeriod = std::chrono::seconds(30);

std::string seconds_text(double s) { return fmt::format("{:.3f}s", s); }

}  // namespace

WebListener::WebListener(const Flags& flags, ServerRoutes::Options routes,
                         metrics::Registry* registry, WebConfigFile* web_config)
    : flags_(flags),
      web_config_(web_config),
      routes_(std::move(routes), registry),
      http_(
          [&] {
            HttpServerOptions o = http_options(flags, web_config);
            o.route_body_limit = [this](std::string_view method, std::string_view path) {
              return routes_.body_limit(method, path);
            };
            return o;
          }(),
          [this](const api::HttpRequest& req, api::HttpResponse& resp) {
              return routes_.route(req, resp);
            },
            registry) {}

absl::Status WebListener::start(const Config&) {
  log::info("web", "Start listening for connections", {{"address", flags_.listen_address}});
  if (absl::Status s = http_.start(); !s.ok()) return s;
  const bool tls = web_config_ != nullptr && web_config_->tls();
  log::info("web", "Listening on",
            {{"address", http_.bound_address()}, {"tls", tls ? "true" : "false"}});
  return absl::OkStatus();
}

absl::Status WebListener::apply(const Config&) {
  // A broken web config must not fail the reload of prometheus.yml: it is
  // logged and the previous one stays (as when it is re-read on a change).
  if (web_config_ != nullptr) (void)web_config_->reload();
  return absl::OkStatus();
}

void WebListener::drain() {
  log::info("web", "Stopping web listener...");
  http_.stop(kGracePeriod);
}

absl::Status WebListener::stop() {
  http_.stop(std::chrono::milliseconds(0));
  return absl::OkStatus();
}

absl::Status Storage::start(const Config&) {
  log::info("main", "Starting TSDB ...");
  double t0 = monotonic_seconds();
  auto db = tsdb::DB::open(db_options(flags_), registry_);
  if (!db.ok()) return db.status();
  db_ = std::move(*db);
  log::info("main", "TSDB started",
            {{"path", flags_.storage_path}, {"duration", seconds_text(monotonic_seconds() - t0)}});
  return absl::OkStatus();
}

absl::Status Storage::stop() {
  log::info("main", "Stopping storage...");
  return db_->close();
}

absl::Status QueryEngine::start(const Config& config) {
  engine_ = std::make_unique<promql::Engine>(engine_options(flags_, config), registry_);
  return absl::OkStatus();
}

absl::Status QueryEngine::apply(const Config& config) {
  engine_->set_default_subquery_step_ms(config.global.evaluation_interval_ms);
  return absl::OkStatus();
}

absl::Status Scraper::start(const Config& config) {
  manager_ = std::make_unique<scrape::Manager>(storage_->db(), registry_, scrape_options(flags_));
  return manager_->apply(config.scrape_configs);
}

absl::Status Scraper::apply(const Config& config) { return manager_->apply(config.scrape_configs); }

absl::Status Scraper::stop() {
  manager_->stop();
  return absl::OkStatus();
}

namespace {

rules::notifier::NotifierConfig notifier_config(const Config& c) {
  rules::notifier::NotifierConfig n;
  n.alertmanagers = c.alertmanagers;
  n.alert_relabel_configs = c.alert_relabel_configs;
  n.external_labels = external_labels(c);
  return n;
}

}  // namespace

absl::Status Notifications::start(const Config& config) {
  rules::notifier::NotifierOptions o;
  o.queue_capacity = size_t(flags_.notification_queue_capacity);
  o.drain_on_shutdown = flags_.drain_notification_queue;
  o.user_agent = "Strata/" + build_info().version;
  notifier_ = std::make_unique<rules::notifier::Notifier>(o, registry_);
  STRATA_RETURN_IF_ERROR(notifier_->apply(notifier_config(config)));
  notifier_->start();
  if (!flags_.notifications_config_file.empty()) {
    auto cfg = rules::dispatch::load_config_file(flags_.notifications_config_file);
    if (!cfg.ok())
      return absl::InvalidArgumentError("loading --notifications.config.file: " +
                                        std::string(cfg.status().message()));
    rules::dispatch::DispatcherOptions d;
    d.data_dir = flags_.storage_path + "/notifications";
    d.external_url = external_url(flags_);
    d.registry = registry_;
    d.user_agent = o.user_agent;
    auto dispatcher = rules::dispatch::Dispatcher::create(std::move(*cfg), std::move(d));
    if (!dispatcher.ok()) return dispatcher.status();
    dispatcher_ = std::move(*dispatcher);
    relabel_ = std::make_unique<rules::notifier::RelabelingSink>(dispatcher_.get());
    const auto n = notifier_config(config);
    relabel_->set(n.external_labels, n.alert_relabel_configs);
  }
  return absl::OkStatus();
}

absl::Status Notifications::apply(const Config& config) {
  const auto n = notifier_config(config);
  STRATA_RETURN_IF_ERROR(notifier_->apply(n));
  if (dispatcher_) {
    auto cfg = rules::dispatch::load_config_file(flags_.notifications_config_file);
    if (!cfg.ok())
      return absl::InvalidArgumentError("loading --notifications.config.file: " +
                                        std::string(cfg.status().message()));
    STRATA_RETURN_IF_ERROR(dispatcher_->apply_config(std::move(*cfg)));
    relabel_->set(n.external_labels, n.alert_relabel_configs);
  }
  return absl::OkStatus();
}

absl::Status Notifications::stop() {
  notifier_->stop();
  relabel_.reset();
  dispatcher_.reset();  // joins its thread; its log is on disk
  return absl::OkStatus();
}

std::vector<rules::AlertSink*> Notifications::sinks() {
  std::vector<rules::AlertSink*> out = {notifier_.get()};
  if (relabel_) out.push_back(relabel_.get());
  return out;
}

absl::Status Rules::start(const Config& config) {
  rules::GroupEnv env;
  env.engine = &engine_->engine();
  env.queryable = &storage_->db();
  env.appendable = &storage_->db();
  env.resend_delay_ms = flags_.resend_delay_ms;
  env.outage_tolerance_ms = flags_.for_outage_tolerance_ms;
  env.grace_period_ms = flags_.for_grace_period_ms;
  env.utf8_names = env.engine->options().compat == promql::Compat::kV3;
  env.sinks = notifications_->sinks();
  env.now_ms = [] { return now_ms(); };
  manager_ = std::make_unique<rules::Manager>(std::move(env), registry_);
  return manager_->apply(rules_config(config, flags_));
}

absl::Status Rules::apply(const Config& config) { return manager_->apply(rules_config(config, flags_)); }

absl::Status Rules::stop() {
  manager_->stop();
  return absl::OkStatus();
}

Dashboards::Dashboards(const Flags& flags)
    : store_(api::DashboardStoreOptions{.dir = flags.dashboards_dir}) {}

absl::Status Dashboards::start(const Config&) {
  if (absl::Status s = store_.load(); !s.ok())
    return absl::InvalidArgumentError("--web.dashboards.dir: " + std::string(s.message()));
  auto set = store_.snapshot();
  if (!store_.options().dir.empty())
    log::info("main", "Loaded dashboards",
              {{"dir", store_.options().dir},
               {"dashboards", std::to_string(set->dashboards.size())},
               {"problems", std::to_string(set->problems.size())}});
  for (const auto& p : set->problems)
    log::warn("main", "Dashboard file not loaded", {{"file", p.file}, {"err", p.message}});
  return absl::OkStatus();
}

// A directory that went away keeps the dashboards last read: the rest of the
// reload (scrape jobs, rules) should not fail because of the UI's files.
absl::Status Dashboards::apply(const Config&) {
  if (absl::Status s = store_.load(); !s.ok()) {
    log::error("main", "Error reloading dashboards", {{"err", std::string(s.message())}});
    return absl::OkStatus();
  }
  for (const auto& p : store_.snapshot()->problems)
    log::warn("main", "Dashboard file not loaded", {{"file", p.file}, {"err", p.message}});
  return absl::OkStatus();
}

absl::Status RemoteWrite::apply(const Config& config) {
  if (!sender_) {
    if (config.remote_write.empty()) return absl::OkStatus();
    remote::SenderOptions o;
    o.wal_dir = join_path(flags_.storage_path, "wal");
    o.state_dir = join_path(flags_.storage_path, "remote_write");
    o.user_agent = "Strata/" + build_info().version;
    sender_ = std::make_unique<remote::RemoteWriteSender>(o, posix_file_system(), *registry_);
  }
  return sender_->apply(config.remote_write, external_labels(config));
}

absl::Status RemoteWrite::stop() {
  if (sender_) sender_->stop();
  return absl::OkStatus();
}

Api::Api(const Flags& flags, api::StatusInfo status, metrics::Registry* registry,
         WebListener* web, Storage* storage, QueryEngine* engine, Scraper* scraper,
         Notifications* notifications, Rules* rules, Dashboards* dashboards)
    : flags_(flags),
      registry_(registry),
      web_(web),
      storage_(storage),
      engine_(engine),
      scraper_(scraper),
      notifications_(notifications),
      rules_(rules),
      dashboards_(dashboards) {
  ctx_.status = std::move(status);
}

absl::Status Api::start(const Config& config) {
  external_labels_.set(external_labels(config));
  ctx_.external_labels = &external_labels_;
  otlp_config_.set(config.otlp);
  ctx_.otlp_config = &otlp_config_;
  ctx_.enable_otlp_receiver = flags_.enable_otlp_receiver;
  tsdb::DB& db = storage_->db();
  ctx_.queryable = &db;
  ctx_.appendable = &db;
  ctx_.metadata = &db;
  ctx_.exemplars = &db;
  ctx_.stats = &db;
  ctx_.admin = &db;
  ctx_.engine = &engine_->engine();
  ctx_.targets = scraper_->targets();
  ctx_.rules = rules_->view();
  ctx_.alertmanagers = notifications_->alertmanagers();
  ctx_.global_url = global_url_options(flags_);
  ctx_.registry = registry_;
  ctx_.enable_admin_api = flags_.enable_admin_api;
  ctx_.cors_origin = flags_.cors_origin;
  ctx_.dashboards = dashboards_->store();
  ctx_.remote_read_sample_limit = flags_.remote_read_sample_limit;
  ctx_.remote_read_concurrent_limit = flags_.remote_read_concurrent_limit;
  ctx_.remote_read_max_bytes_in_frame = flags_.remote_read_max_bytes_in_frame;
  api::register_api_routes(router_, ctx_);
  web_->routes().set_ready(&router_);
  return absl::OkStatus();
}

absl::Status Api::apply(const Config& config) {
  external_labels_.set(external_labels(config));
  otlp_config_.set(config.otlp);
  return absl::OkStatus();
}

// Requests in flight use the engine, these routes and storage: the listener
// stops (and waits for them) before any of those goes away.
absl::Status Api::stop() {
  web_->drain();
  return absl::OkStatus();
}

Trimmer::Trimmer(QueryEngine* engine, metrics::Registry* registry)
    : trimmer_([engine] { return engine->engine().running() == 0; }, registry) {}

absl::Status Trimmer::start(const Config&) {
  trimmer_.start();
  return absl::OkStatus();
}

}  // namespace strata::server
