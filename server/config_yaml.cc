// Config::to_yaml(): the loaded configuration with defaults filled in, in
// the field order and style in which Prometheus (Go structs through yaml.v2)
// shows it on /api/v1/status/config. Secrets print as <secret>.
#include "base/duration.h"
#include "server/config.h"
#include "server/flags.h"
#include "server/yaml_writer.h"

namespace strata::server {
namespace {

constexpr const char* kSecret = "<secret>";

YamlNode dur(int64_t ms) { return YamlNode::raw(format_duration(ms)); }

YamlNode tls(const net::TlsConfig& t) {
  YamlNode n = YamlNode::map();
  if (!t.ca.empty()) n.set("ca", YamlNode::str(t.ca));
  if (!t.cert.empty()) n.set("cert", YamlNode::str(t.cert));
  if (!t.key.empty()) n.set("key", YamlNode::str(kSecret));
  if (!t.ca_file.empty()) n.set("ca_file", YamlNode::str(t.ca_file));
  if (!t.cert_file.empty()) n.set("cert_file", YamlNode::str(t.cert_file));
  if (!t.key_file.empty()) n.set("key_file", YamlNode::str(t.key_file));
  if (!t.server_name.empty()) n.set("server_name", YamlNode::str(t.server_name));
  n.set("insecure_skip_verify", YamlNode::boolean(t.insecure_skip_verify));
  if (!t.min_version.empty()) n.set("min_version", YamlNode::str(t.min_version));
  if (!t.max_version.empty()) n.set("max_version", YamlNode::str(t.max_version));
  return n;
}

// HTTPClientConfig's fields, inlined into `n`.
void http_client(YamlNode& n, const net::HttpClientConfig& h) {
  if (h.basic_auth) {
    YamlNode b = YamlNode::map();
    b.set("username", YamlNode::str(h.basic_auth->username));
    if (!h.basic_auth->username_file.empty())
      b.set("username_file", YamlNode::str(h.basic_auth->username_file));
    if (!h.basic_auth->password.empty()) b.set("password", YamlNode::str(kSecret));
    if (!h.basic_auth->password_file.empty())
      b.set("password_file", YamlNode::str(h.basic_auth->password_file));
    n.set("basic_auth", std::move(b));
  }
  if (h.authorization) {
    YamlNode a = YamlNode::map();
    a.set("type", YamlNode::str(h.authorization->type));
    if (!h.authorization->credentials.empty()) a.set("credentials", YamlNode::str(kSecret));
    if (!h.authorization->credentials_file.empty())
      a.set("credentials_file", YamlNode::str(h.authorization->credentials_file));
    n.set("authorization", std::move(a));
  }
  if (h.oauth2) {
    const net::OAuth2& o = *h.oauth2;
    YamlNode m = YamlNode::map();
    m.set("client_id", YamlNode::str(o.client_id));
    if (!o.client_secret.empty()) m.set("client_secret", YamlNode::str(kSecret));
    if (!o.client_secret_file.empty()) m.set("client_secret_file", YamlNode::str(o.client_secret_file));
    if (!o.scopes.empty()) m.set("scopes", YamlNode::strings(o.scopes));
    m.set("token_url", YamlNode::str(o.token_url));
    if (!o.endpoint_params.empty()) m.set("endpoint_params", YamlNode::string_map(o.endpoint_params));
    if (!o.tls_config.empty()) m.set("tls_config", tls(o.tls_config));
    if (!o.proxy_url.empty()) m.set("proxy_url", YamlNode::str(o.proxy_url));
    n.set("oauth2", std::move(m));
  }
  if (!h.tls_config.empty()) n.set("tls_config", tls(h.tls_config));
  n.set("follow_redirects", YamlNode::boolean(h.follow_redirects));
  n.set("enable_http2", YamlNode::boolean(h.enable_http2));
  if (!h.proxy_url.empty()) n.set("proxy_url", YamlNode::str(h.proxy_url));
}

YamlNode relabels(const std::vector<RelabelConfig>& rs) {
  YamlNode seq = YamlNode::seq();
  for (const auto& r : rs) {
    YamlNode n = YamlNode::map();
    if (!r.source_labels.empty()) n.set("source_labels", YamlNode::flow(r.source_labels));
    n.set("separator", YamlNode::str(r.separator));
    n.set("regex", YamlNode::str(r.regex_text));
    if (r.modulus) n.set("modulus", YamlNode::integer(int64_t(r.modulus)));
    if (!r.target_label.empty()) n.set("target_label", YamlNode::str(r.target_label));
    n.set("replacement", YamlNode::str(r.replacement));
    n.set("action", YamlNode::str(tsdb::relabel::action_name(r.action)));
    seq.push(std::move(n));
  }
  return seq;
}

// Service discovery goes last: Prometheus appends the *_sd_configs fields
// after the struct's own, sorted by key (dns_sd, file_sd, http_sd, static).
struct Discovery {
  const std::vector<scrape::DnsSdConfig>* dns = nullptr;
  const std::vector<FileSdConfig>* files = nullptr;
  const std::vector<scrape::HttpSdConfig>* http = nullptr;
  const std::vector<StaticConfig>* statics = nullptr;
};

void discovery(YamlNode& n, const Discovery& d) {
  if (d.dns && !d.dns->empty()) {
    YamlNode seq = YamlNode::seq();
    for (const auto& c : *d.dns) {
      YamlNode m = YamlNode::map();
      m.set("names", YamlNode::strings(c.names));
      m.set("refresh_interval", dur(c.refresh_interval_ms));
      m.set("type", YamlNode::str(c.type));
      m.set("port", YamlNode::integer(c.port));
      seq.push(std::move(m));
    }
    n.set("dns_sd_configs", std::move(seq));
  }
  if (d.files && !d.files->empty()) {
    YamlNode seq = YamlNode::seq();
    for (const auto& f : *d.files) {
      YamlNode m = YamlNode::map();
      m.set("files", YamlNode::strings(f.files));
      m.set("refresh_interval", dur(f.refresh_interval_ms));
      seq.push(std::move(m));
    }
    n.set("file_sd_configs", std::move(seq));
  }
  if (d.http && !d.http->empty()) {
    YamlNode seq = YamlNode::seq();
    for (const auto& c : *d.http) {
      YamlNode m = YamlNode::map();
      http_client(m, c.http);
      m.set("refresh_interval", dur(c.refresh_interval_ms));
      m.set("url", YamlNode::str(c.url));
      seq.push(std::move(m));
    }
    n.set("http_sd_configs", std::move(seq));
  }
  if (d.statics && !d.statics->empty()) {
    YamlNode seq = YamlNode::seq();
    for (const auto& s : *d.statics) {
      YamlNode m = YamlNode::map();
      m.set("targets", YamlNode::strings(s.targets));
      if (!s.labels.empty()) m.set("labels", YamlNode::string_map(s.labels));
      seq.push(std::move(m));
    }
    n.set("static_configs", std::move(seq));
  }
}

YamlNode scrape(const ScrapeConfig& s) {
  YamlNode n = YamlNode::map();
  n.set("job_name", YamlNode::str(s.job_name));
  if (s.honor_labels) n.set("honor_labels", YamlNode::boolean(true));
  n.set("honor_timestamps", YamlNode::boolean(s.honor_timestamps));
  if (s.track_timestamps_staleness) n.set("track_timestamps_staleness", YamlNode::boolean(true));
  if (!s.params.empty()) {
    YamlNode p = YamlNode::map();
    for (const auto& [k, v] : s.params) p.set(k, YamlNode::strings(v));
    n.set("params", std::move(p));
  }
  n.set("scrape_interval", dur(s.scrape_interval_ms));
  n.set("scrape_timeout", dur(s.scrape_timeout_ms));
  if (!s.scrape_protocols.empty()) n.set("scrape_protocols", YamlNode::strings(s.scrape_protocols));
  if (!s.fallback_scrape_protocol.empty())
    n.set("fallback_scrape_protocol", YamlNode::str(s.fallback_scrape_protocol));
  n.set("metrics_path", YamlNode::str(s.metrics_path));
  n.set("scheme", YamlNode::str(s.scheme));
  if (!s.enable_compression) n.set("enable_compression", YamlNode::boolean(false));
  if (s.body_size_limit_bytes) n.set("body_size_limit", YamlNode::str(format_bytes(s.body_size_limit_bytes)));
  auto limit = [&](const char* key, uint64_t v) {
    if (v) n.set(key, YamlNode::integer(int64_t(v)));
  };
  limit("sample_limit", s.sample_limit);
  limit("target_limit", s.target_limit);
  limit("label_limit", s.label_limit);
  limit("label_name_length_limit", s.label_name_length_limit);
  limit("label_value_length_limit", s.label_value_length_limit);
  limit("keep_dropped_targets", s.keep_dropped_targets);
  http_client(n, s.http);
  if (!s.relabel_configs.empty()) n.set("relabel_configs", relabels(s.relabel_configs));
  if (!s.metric_relabel_configs.empty())
    n.set("metric_relabel_configs", relabels(s.metric_relabel_configs));
  discovery(n, {&s.dns_sd_configs, &s.file_sd_configs, &s.http_sd_configs, &s.static_configs});
  return n;
}

YamlNode remote_write(const RemoteWriteConfig& r) {
  YamlNode n = YamlNode::map();
  n.set("url", YamlNode::str(r.url));
  n.set("remote_timeout", dur(r.remote_timeout_ms));
  if (!r.headers.empty()) n.set("headers", YamlNode::string_map(r.headers));
  if (!r.write_relabel_configs.empty())
    n.set("write_relabel_configs", relabels(r.write_relabel_configs));
  if (!r.name.empty()) n.set("name", YamlNode::str(r.name));
  if (r.send_exemplars) n.set("send_exemplars", YamlNode::boolean(true));
  if (r.send_native_histograms) n.set("send_native_histograms", YamlNode::boolean(true));
  if (r.protocol == RemoteWriteConfig::Protocol::kV2)
    n.set("protobuf_message", YamlNode::str("io.prometheus.write.v2.Request"));
  http_client(n, r.http);
  const QueueConfig& q = r.queue_config;
  YamlNode qn = YamlNode::map();
  qn.set("capacity", YamlNode::integer(q.capacity));
  qn.set("max_shards", YamlNode::integer(q.max_shards));
  qn.set("min_shards", YamlNode::integer(q.min_shards));
  qn.set("max_samples_per_send", YamlNode::integer(q.max_samples_per_send));
  qn.set("batch_send_deadline", dur(q.batch_send_deadline_ms));
  qn.set("min_backoff", dur(q.min_backoff_ms));
  qn.set("max_backoff", dur(q.max_backoff_ms));
  if (q.retry_on_http_429) qn.set("retry_on_http_429", YamlNode::boolean(true));
  n.set("queue_config", std::move(qn));
  YamlNode mn = YamlNode::map();
  mn.set("send", YamlNode::boolean(r.metadata_config.send));
  mn.set("send_interval", dur(r.metadata_config.send_interval_ms));
  mn.set("max_samples_per_send", YamlNode::integer(r.metadata_config.max_samples_per_send));
  n.set("metadata_config", std::move(mn));
  return n;
}

}  // namespace

std::string Config::to_yaml() const {
  YamlNode root = YamlNode::map();
  YamlNode g = YamlNode::map();
  g.set("scrape_interval", dur(global.scrape_interval_ms));
  g.set("scrape_timeout", dur(global.scrape_timeout_ms));
  g.set("evaluation_interval", dur(global.evaluation_interval_ms));
  if (global.rule_query_offset_ms) g.set("rule_query_offset", dur(global.rule_query_offset_ms));
  if (!global.query_log_file.empty()) g.set("query_log_file", YamlNode::str(global.query_log_file));
  if (!global.external_labels.empty())
    g.set("external_labels", YamlNode::string_map(global.external_labels));
  if (global.body_size_limit_bytes)
    g.set("body_size_limit", YamlNode::str(format_bytes(global.body_size_limit_bytes)));
  auto limit = [&](const char* key, uint64_t v) {
    if (v) g.set(key, YamlNode::integer(int64_t(v)));
  };
  limit("sample_limit", global.sample_limit);
  limit("target_limit", global.target_limit);
  limit("label_limit", global.label_limit);
  limit("label_name_length_limit", global.label_name_length_limit);
  limit("label_value_length_limit", global.label_value_length_limit);
  root.set("global", std::move(g));

  if (!alertmanagers.empty() || !alert_relabel_configs.empty()) {
    YamlNode a = YamlNode::map();
    if (!alert_relabel_configs.empty()) a.set("alert_relabel_configs", relabels(alert_relabel_configs));
    if (!alertmanagers.empty()) {
      YamlNode seq = YamlNode::seq();
      for (const auto& am : alertmanagers) {
        YamlNode m = YamlNode::map();
        http_client(m, am.http);
        m.set("scheme", YamlNode::str(am.scheme));
        if (!am.path_prefix.empty()) m.set("path_prefix", YamlNode::str(am.path_prefix));
        m.set("timeout", dur(am.timeout_ms));
        m.set("api_version", YamlNode::str(am.api_version));
        if (!am.relabel_configs.empty()) m.set("relabel_configs", relabels(am.relabel_configs));
        if (!am.alert_relabel_configs.empty())
          m.set("alert_relabel_configs", relabels(am.alert_relabel_configs));
        discovery(m, {.files = &am.file_sd_configs, .statics = &am.static_configs});
        seq.push(std::move(m));
      }
      a.set("alertmanagers", std::move(seq));
    }
    root.set("alerting", std::move(a));
  }
  if (!rule_files.empty()) root.set("rule_files", YamlNode::strings(rule_files));
  if (!scrape_config_files.empty())
    root.set("scrape_config_files", YamlNode::strings(scrape_config_files));
  YamlNode scrapes = YamlNode::seq();
  for (const auto& s : scrape_configs)
    if (!s.from_scrape_config_file) scrapes.push(scrape(s));
  if (!scrapes.empty()) root.set("scrape_configs", std::move(scrapes));
  if (!remote_write.empty()) {
    YamlNode seq = YamlNode::seq();
    for (const auto& r : remote_write) seq.push(server::remote_write(r));
    root.set("remote_write", std::move(seq));
  }
  // Only when set: Prometheus 2.42, which the config page is compared with,
  // has no such section.
  const remote::OtlpConfig default_otlp;
  if (!otlp.promote_resource_attributes.empty() ||
      otlp.translation_strategy != default_otlp.translation_strategy ||
      otlp.keep_identifying_resource_attributes) {
    YamlNode o = YamlNode::map();
    if (!otlp.promote_resource_attributes.empty())
      o.set("promote_resource_attributes", YamlNode::strings(otlp.promote_resource_attributes));
    o.set("translation_strategy",
          YamlNode::str(remote::otlp_translation_strategy_name(otlp.translation_strategy)));
    if (otlp.keep_identifying_resource_attributes)
      o.set("keep_identifying_resource_attributes", YamlNode::boolean(true));
    root.set("otlp", std::move(o));
  }
  return root.render();
}

}  // namespace strata::server
