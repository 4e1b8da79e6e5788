// The Prometheus HTTP API (/api/v1/*), /federate, and the remote-write,
// remote-read and OTLP metrics endpoints, as routes on an api::Router. Handlers are free functions over ApiContext; the
// server owns every object the context points to and outlives the routes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/dashboards/dashboard_store.h"
#include "api/http.h"
#include "base/metrics.h"
#include "promql/engine.h"
#include "remote/otlp_config.h"
#include "rules/notifier/alertmanagers_view.h"
#include "rules/rules_view.h"
#include "scrape/targets_view.h"
#include "tsdb/db.h"

namespace strata::api {

// Facts for the /api/v1/status/* endpoints, filled in by the server.
struct StatusInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string compiler;
  std::map<std::string, std::string> flags;  // flag name (no dashes) -> value
  std::function<std::string()> config_yaml;  // current config as YAML
  double start_time_s = 0;
  std::string cwd;
  std::string storage_retention;  // e.g. "15d"
  std::function<bool()> reload_config_success;
  std::function<double()> last_config_time_s;
};

// How /api/v1/targets shows targets on this machine's loopback (globalUrl):
// under the external URL's host, and for this server itself its scheme too.
struct GlobalUrlOptions {
  std::string scheme = "http";
  std::string host_port;    // of --web.external-url, e.g. "myhost:9090"
  std::string listen_port;  // of --web.listen-address
};

// global.external_labels of the current configuration, which /federate and
// remote read add to what they return. The server sets it at start and on
// every reload; thread-safe.
class ExternalLabels {
 public:
  void set(tsdb::Labels labels) {
    auto p = std::make_shared<const tsdb::Labels>(std::move(labels));
    std::lock_guard<std::mutex> lock(mu_);
    labels_ = std::move(p);
  }
  std::shared_ptr<const tsdb::Labels> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return labels_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const tsdb::Labels> labels_ = std::make_shared<const tsdb::Labels>();
};

// What the handlers use, as narrow views of storage (a tsdb::DB provides
// them all; tests may pass fakes).
struct ApiContext {
  tsdb::Queryable* queryable = nullptr;
  tsdb::Appendable* appendable = nullptr;
  tsdb::MetadataReader* metadata = nullptr;
  tsdb::ExemplarQueryable* exemplars = nullptr;
  tsdb::StatsReader* stats = nullptr;
  tsdb::StorageAdmin* admin = nullptr;
  const scrape::TargetsView* targets = nullptr;  // null: no scraping
  const rules::RulesView* rules = nullptr;        // null: no rules
  const rules::notifier::AlertmanagersView* alertmanagers = nullptr;  // null: none
  GlobalUrlOptions global_url;
  promql::Engine* engine = nullptr;
  metrics::Registry* registry = nullptr;
  StatusInfo status;
  bool enable_admin_api = false;
  // --web.cors.origin: browsers from matching origins may call the API.
  std::string cors_origin = ".*";
  // --web.dashboards.dir, for the UI's dashboards page; null: none.
  const DashboardStore* dashboards = nullptr;
  const ExternalLabels* external_labels = nullptr;  // null: none
  // --storage.remote.read-*: bounds of /api/v1/read.
  int64_t remote_read_sample_limit = 50'000'000;
  int remote_read_concurrent_limit = 10;
  int64_t remote_read_max_bytes_in_frame = 1 << 20;
  // --web.enable-otlp-receiver: serve POST /api/v1/otlp/v1/metrics.
  bool enable_otlp_receiver = false;
  // The `otlp:` section in force (kept current by the server); null: defaults.
  const strata::remote::OtlpConfigSource* otlp_config = nullptr;
};

// Registers /api/v1/* routes (query, series, labels, metadata, status,
// write, ...) on `router`. `ctx` must outlive the router.
void register_api_routes(Router& router, ApiContext& ctx);

}  // namespace strata::api
