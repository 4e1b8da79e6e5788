#include "server/options.h"

#include <unistd.h>

#include <cstdio>

#include "server/build_info.h"

#include "base/duration.h"

namespace strata::server {
namespace {

int64_t effective_retention_ms(const Flags& f) {
  return f.retention_time_set || f.retention_bytes == 0 ? f.retention_ms : 0;
}

}  // namespace

tsdb::DBOptions db_options(const Flags& f) {
  tsdb::DBOptions o;
  o.dir = f.storage_path;
  o.wal_sync = f.wal_sync;
  o.retention_ms = effective_retention_ms(f);
  o.retention_bytes = f.retention_bytes;
  o.out_of_order_window_ms = f.ooo_window_ms;
  o.too_far_in_future_window_ms = f.too_far_in_future_window_ms;
  o.maintenance_interval_ms = f.maintenance_interval_ms;
  o.max_exemplars = f.exemplars_limit;
  o.max_series = f.max_series;
  o.head_snapshot_on_shutdown = f.head_snapshot_on_shutdown;
  o.prometheus_tsdb_dir = f.prometheus_tsdb_path;
  return o;
}

promql::EngineOptions engine_options(const Flags& f, const Config& config) {
  promql::EngineOptions o;
  o.lookback_delta_ms = f.lookback_delta_ms;
  o.max_samples = f.query_max_samples;
  o.timeout_s = double(f.query_timeout_ms) / 1000;
  o.max_concurrency = f.query_max_concurrency;
  o.compat = f.query_compat == "v2" ? promql::Compat::kV2 : promql::Compat::kV3;
  o.experimental_functions = f.has_feature("promql-experimental-functions");
  o.delayed_name_removal = f.has_feature("promql-delayed-name-removal");
  o.default_subquery_step_ms = config.global.evaluation_interval_ms;
  return o;
}

HttpServerOptions http_options(const Flags& f, WebConfigFile* web_config) {
  HttpServerOptions o;
  o.web_config = web_config;
  o.address = f.listen_address;
  o.read_timeout_ms = f.read_timeout_ms;
  o.max_connections = f.max_connections;
  o.max_inflight_body_bytes = uint64_t(f.max_inflight_body_bytes);
  return o;
}

std::string storage_retention(const Flags& f) {
  std::string out;
  if (int64_t ms = effective_retention_ms(f); ms > 0) out = format_duration(ms);
  if (f.retention_bytes > 0) out += (out.empty() ? "" : " or ") + format_bytes(f.retention_bytes);
  return out;
}

scrape::ManagerOptions scrape_options(const Flags& f) {
  scrape::ManagerOptions o;
  o.prometheus_v2 = f.query_compat == "v2";
  o.extra_metrics = f.has_feature("extra-scrape-metrics");
  o.user_agent = "Strata/" + build_info().version;
  return o;
}

namespace {

// "host:port" -> ("host", "port"); IPv6 hosts keep their brackets.
std::pair<std::string, std::string> split_listen_address(const std::string& a) {
  size_t colon = a.rfind(':');
  if (colon == std::string::npos) return {a, ""};
  return {a.substr(0, colon), a.substr(colon + 1)};
}

}  // namespace

std::string self_scrape_address(const Flags& f) {
  auto [host, port] = split_listen_address(f.listen_address);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "localhost";
  return host + ":" + port;
}

namespace {

std::string external_url_text(const Flags& f) {
  if (!f.external_url.empty()) return f.external_url;
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) std::snprintf(name, sizeof name, "localhost");
  return std::string("http://") + name + ":" + split_listen_address(f.listen_address).second + "/";
}

}  // namespace

std::string external_url(const Flags& f) {
  std::string url = external_url_text(f);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

tsdb::Labels external_labels(const Config& config) {
  std::vector<tsdb::Label> ext;
  for (const auto& [k, v] : config.global.external_labels) ext.push_back({k, v});
  return tsdb::Labels(std::move(ext));
}

rules::RulesConfig rules_config(const Config& config, const Flags& flags) {
  rules::RulesConfig r;
  r.rule_files = config.rule_files;
  r.evaluation_interval_ms = config.global.evaluation_interval_ms;
  r.query_offset_ms = config.global.rule_query_offset_ms;
  r.external_labels = external_labels(config);
  r.external_url = external_url(flags);
  return r;
}

api::GlobalUrlOptions global_url_options(const Flags& f) {
  api::GlobalUrlOptions o;
  o.listen_port = split_listen_address(f.listen_address).second;
  std::string url = external_url_text(f);
  size_t sep = url.find("://");
  if (sep != std::string::npos) {
    o.scheme = url.substr(0, sep);
    url = url.substr(sep + 3);
  }
  o.host_port = url.substr(0, url.find('/'));
  return o;
}

}  // namespace strata::server
