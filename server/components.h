// The components `strata` runs today, in their Lifecycle order (see
// server/lifecycle.h):
//
//   WebListener    binds --web.listen-address first, so /-/healthy answers
//                  and /-/ready says 503 while storage replays its WAL
//   Storage        tsdb::DB: opens (WAL replay) and closes (final flush)
//   RemoteWrite    the remote_write queues (remote/sender.h), reading the
//                  WAL of Storage; started before anything writes, so a new
//                  queue sends every sample of this run; a reload replaces
//                  them (each saves its progress first, so nothing is
//                  skipped); stopped after everything that writes
//   QueryEngine    promql::Engine; a reload changes the default subquery
//                  step (global evaluation_interval)
//   Scraper        scrape::Manager: discovery and scrape loops for
//                  scrape_configs; a reload keeps unchanged jobs running;
//                  on stop no loop appends any more (storage closes next)
//   Notifications  the Alertmanager notifier (alerting.alertmanagers) and,
//                  with --notifications.config.file, the direct
//                  notifications; both keep their queues across reloads and
//                  stop after the rule manager (resolved alerts drain)
//   Rules          rules::Manager: rule groups from rule_files, evaluated
//                  on their own threads; a reload keeps unchanged groups
//                  and the alerts of changed ones
//   Api            the /api/v1 routes over the components above; marks the
//                  server ready; on stop drains the requests in flight
//                  (they use the engine and storage), so it stops first
//   Trimmer        gives idle heap back to the kernel (MemoryTrimmer)
//
// Each component's accessors are valid between its start() and stop().
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "api/api.h"
#include "base/metrics.h"
#include "promql/engine.h"
#include "remote/sender.h"
#include "rules/dispatch/dispatcher.h"
#include "rules/manager.h"
#include "rules/notifier/alert_labels.h"
#include "rules/notifier/notifier.h"
#include "scrape/manager.h"
#include "server/flags.h"
#include "server/http_server.h"
#include "server/lifecycle.h"
#include "server/memory_trimmer.h"
#include "server/web_config_file.h"
#include "server/web_routes.h"
#include "tsdb/db.h"

namespace strata::server {

class WebListener final : public Component {
 public:
  // `web_config`: the loaded --web.config.file, or null; must outlive this.
  WebListener(const Flags& flags, ServerRoutes::Options routes, metrics::Registry* registry,
              WebConfigFile* web_config);
  std::string_view name() const override { return "web listener"; }
  absl::Status start(const Config&) override;
  // Re-reads the --web.config.file (errors are logged; the old one stays).
  absl::Status apply(const Config&) override;
  absl::Status stop() override;  // closes at once; Api::stop() drained it already

  ServerRoutes& routes() { return routes_; }
  // Stops accepting and waits up to `grace` for requests in flight.
  void drain();

 private:
  const Flags& flags_;
  WebConfigFile* web_config_;
  ServerRoutes routes_;
  HttpServer http_;
};

class Storage final : public Component {
 public:
  Storage(const Flags& flags, metrics::Registry* registry) : flags_(flags), registry_(registry) {}
  std::string_view name() const override { return "storage"; }
  absl::Status start(const Config&) override;
  absl::Status stop() override;
  tsdb::DB& db() { return *db_; }

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  std::unique_ptr<tsdb::DB> db_;
};

class QueryEngine final : public Component {
 public:
  QueryEngine(const Flags& flags, metrics::Registry* registry) : flags_(flags), registry_(registry) {}
  std::string_view name() const override { return "query engine"; }
  absl::Status start(const Config& config) override;
  absl::Status apply(const Config& config) override;
  absl::Status stop() override { return absl::OkStatus(); }
  promql::Engine& engine() { return *engine_; }

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  std::unique_ptr<promql::Engine> engine_;
};

class Scraper final : public Component {
 public:
  Scraper(const Flags& flags, metrics::Registry* registry, Storage* storage)
      : flags_(flags), registry_(registry), storage_(storage) {}
  std::string_view name() const override { return "scrape manager"; }
  absl::Status start(const Config& config) override;
  absl::Status apply(const Config& config) override;
  absl::Status stop() override;
  const scrape::TargetsView* targets() const { return manager_.get(); }

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  Storage* storage_;
  std::unique_ptr<scrape::Manager> manager_;
};

class Notifications final : public Component {
 public:
  Notifications(const Flags& flags, metrics::Registry* registry) : flags_(flags), registry_(registry) {}
  std::string_view name() const override { return "notifier"; }
  absl::Status start(const Config& config) override;
  absl::Status apply(const Config& config) override;
  absl::Status stop() override;
  // Where the rule manager sends alerts.
  std::vector<rules::AlertSink*> sinks();
  const rules::notifier::AlertmanagersView* alertmanagers() const { return notifier_.get(); }

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  std::unique_ptr<rules::notifier::Notifier> notifier_;
  std::unique_ptr<rules::dispatch::Dispatcher> dispatcher_;  // null without the flag
  // The dispatcher sees the labels the notifier sends (external labels,
  // alert_relabel_configs).
  std::unique_ptr<rules::notifier::RelabelingSink> relabel_;
};

class Rules final : public Component {
 public:
  Rules(const Flags& flags, metrics::Registry* registry, Storage* storage, QueryEngine* engine,
        Notifications* notifications)
      : flags_(flags),
        registry_(registry),
        storage_(storage),
        engine_(engine),
        notifications_(notifications) {}
  std::string_view name() const override { return "rule manager"; }
  absl::Status start(const Config& config) override;
  absl::Status apply(const Config& config) override;
  absl::Status stop() override;
  const rules::RulesView* view() const { return manager_.get(); }

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  Storage* storage_;
  QueryEngine* engine_;
  Notifications* notifications_;
  std::unique_ptr<rules::Manager> manager_;
};

class RemoteWrite final : public Component {
 public:
  RemoteWrite(const Flags& flags, metrics::Registry* registry) : flags_(flags), registry_(registry) {}
  std::string_view name() const override { return "remote write"; }
  absl::Status start(const Config& config) override { return apply(config); }
  absl::Status apply(const Config& config) override;
  absl::Status stop() override;

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  std::unique_ptr<remote::RemoteWriteSender> sender_;
};

// --web.dashboards.dir: the dashboards the UI lists; re-read on every reload.
class Dashboards final : public Component {
 public:
  explicit Dashboards(const Flags& flags);
  std::string_view name() const override { return "dashboards"; }
  absl::Status start(const Config&) override;
  absl::Status apply(const Config&) override;
  absl::Status stop() override { return absl::OkStatus(); }
  const api::DashboardStore* store() const { return &store_; }

 private:
  api::DashboardStore store_;
};

class Api final : public Component {
 public:
  Api(const Flags& flags, api::StatusInfo status, metrics::Registry* registry, WebListener* web,
      Storage* storage, QueryEngine* engine, Scraper* scraper, Notifications* notifications,
      Rules* rules, Dashboards* dashboards);
  std::string_view name() const override { return "api"; }
  absl::Status start(const Config& config) override;
  absl::Status apply(const Config& config) override;  // external labels, otlp
  absl::Status stop() override;

 private:
  const Flags& flags_;
  metrics::Registry* registry_;
  WebListener* web_;
  Storage* storage_;
  QueryEngine* engine_;
  Scraper* scraper_;
  Notifications* notifications_;
  Rules* rules_;
  Dashboards* dashboards_;
  api::ExternalLabels external_labels_;
  remote::OtlpConfigSource otlp_config_;
  api::ApiContext ctx_;
  api::Router router_;
};

class Trimmer final : public Component {
 public:
  Trimmer(QueryEngine* engine, metrics::Registry* registry);
  std::string_view name() const override { return "memory trimmer"; }
  absl::Status start(const Config&) override;
  absl::Status stop() override {
    trimmer_.stop();
    return absl::OkStatus();
  }

 private:
  MemoryTrimmer trimmer_;
};

}  // namespace strata::server
