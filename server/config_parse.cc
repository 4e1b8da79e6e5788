// prometheus.yml's top level: global, alerting, rule_files,
// scrape_config_files, scrape_configs, remote_write, otlp; and the error edge
// where yaml-cpp exceptions and ConfigErrors become statuses.

#include <cctype>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/go_glob.h"
#include "base/go_quote.h"
#include "server/config.h"
#include "server/config_parse_internal.h"

namespace strata::server {

const char* const kDefaultConfigName = "<embedded default>";

// Like Prometheus' documentation/examples/prometheus.yml, minus the
// commented-out Alertmanager and rule file stubs.
std::string default_config_yaml(const std::string& self_address) {
  return R"(# Strata's embedded default configuration, used without --config.file.
global:
  scrape_interval: 15s # Scrape targets every 15 seconds (Prometheus' default is 1m).
  evaluation_interval: 15s # Evaluate rules every 15 seconds.

scrape_configs:
  # Strata's own /metrics.
  - job_name: strata
    static_configs:
      - targets: [")" + self_address + R"("]
)";
}

namespace {

using namespace config_internal;

// Prometheus' patRulePath: at most one '*', in the last path element.
bool valid_glob_path(const std::string& p) {
  size_t star = p.find('*');
  if (star == std::string::npos) return true;
  return p.find('*', star + 1) == std::string::npos && p.find('/', star) == std::string::npos;
}

// A target written as a URL is the most common static_configs mistake.
void check_targets(const YAML::Node& at, const std::vector<StaticConfig>& scs) {
  for (const auto& sc : scs)
    for (const auto& t : sc.targets)
      if (t.find('/') != std::string::npos) fail(at, "\"" + t + "\" is not a valid hostname");
}

GlobalConfig global_config(const YAML::Node& n) {
  Fields f(n, {"scrape_interval", "scrape_timeout", "evaluation_interval", "rule_query_offset",
               "query_log_file",
               "external_labels", "body_size_limit", "sample_limit", "target_limit",
               "label_limit", "label_name_length_limit", "label_value_length_limit"},
           "config.plain");
  GlobalConfig g;
  int64_t timeout = 0;
  if (auto v = f.get("scrape_interval")) g.scrape_interval_ms = duration(*v);
  if (g.scrape_interval_ms == 0) g.scrape_interval_ms = GlobalConfig().scrape_interval_ms;
  if (auto v = f.get("scrape_timeout")) timeout = duration(*v);
  if (timeout > g.scrape_interval_ms) fail(n, "global scrape timeout greater than scrape interval");
  g.scrape_timeout_ms = timeout ? timeout : std::min(GlobalConfig().scrape_timeout_ms, g.scrape_interval_ms);
  if (auto v = f.get("evaluation_interval")) g.evaluation_interval_ms = duration(*v);
  if (g.evaluation_interval_ms == 0) g.evaluation_interval_ms = GlobalConfig().evaluation_interval_ms;
  if (auto v = f.get("rule_query_offset")) g.rule_query_offset_ms = duration(*v);
  if (auto v = f.get("query_log_file")) g.query_log_file = str(*v);
  if (auto v = f.get("external_labels")) g.external_labels = labels(*v, LabelsType::kStringMap);
  if (auto v = f.get("body_size_limit")) g.body_size_limit_bytes = bytes(*v);
  if (auto v = f.get("sample_limit")) g.sample_limit = uint(*v);
  if (auto v = f.get("target_limit")) g.target_limit = uint(*v);
  if (auto v = f.get("label_limit")) g.label_limit = uint(*v);
  if (auto v = f.get("label_name_length_limit")) g.label_name_length_limit = uint(*v);
  if (auto v = f.get("label_value_length_limit")) g.label_value_length_limit = uint(*v);
  return g;
}

ScrapeConfig scrape_config(const YAML::Node& n, const GlobalConfig& g, const ParseContext& ctx) {
  if (n.IsNull()) fail(n, "empty or null scrape config section");
  static const std::vector<std::string_view> kKeys = concat(
      {{"job_name", "honor_labels", "honor_timestamps", "track_timestamps_staleness", "params",
        "scrape_interval", "scrape_timeout", "scrape_protocols", "metrics_path", "scheme",
        "enable_compression", "body_size_limit", "sample_limit", "target_limit", "label_limit",
        "label_name_length_limit", "label_value_length_limit", "keep_dropped_targets",
        "fallback_scrape_protocol", "static_configs", "file_sd_configs", "http_sd_configs",
        "dns_sd_configs", "relabel_configs", "metric_relabel_configs"},
       http_client_keys(), unsupported_sd_keys()});
  Fields f(n, kKeys, "config.ScrapeConfig");
  ScrapeConfig sc;
  if (auto v = f.get("job_name")) sc.job_name = str(*v);
  if (sc.job_name.empty()) fail(n, "job_name is empty");
  if (auto v = f.get("honor_labels")) sc.honor_labels = boolean(*v);
  if (auto v = f.get("honor_timestamps")) sc.honor_timestamps = boolean(*v);
  if (auto v = f.get("track_timestamps_staleness")) sc.track_timestamps_staleness = boolean(*v);
  if (auto v = f.get("params")) {
    if (!v->IsMap()) type_error(*v, "url.Values");
    for (const auto& kv : *v) sc.params[str(kv.first)] = strings(kv.second);
  }
  if (auto v = f.get("scrape_interval")) sc.scrape_interval_ms = duration(*v);
  if (sc.scrape_interval_ms == 0) sc.scrape_interval_ms = g.scrape_interval_ms;
  if (auto v = f.get("scrape_timeout")) sc.scrape_timeout_ms = duration(*v);
  if (sc.scrape_timeout_ms > sc.scrape_interval_ms)
    fail(n, "scrape timeout greater than scrape interval for scrape config with job name \"" +
                sc.job_name + "\"");
  if (sc.scrape_timeout_ms == 0) sc.scrape_timeout_ms = std::min(g.scrape_timeout_ms, sc.scrape_interval_ms);
  static const std::set<std::string> kProtocols = {"PrometheusProto", "OpenMetricsText0.0.1",
                                                   "OpenMetricsText1.0.0", "PrometheusText0.0.4",
                                                   "PrometheusText1.0.0"};
  if (auto v = f.get("fallback_scrape_protocol")) {
    sc.fallback_scrape_protocol = str(*v);
    if (!sc.fallback_scrape_protocol.empty() && !kProtocols.count(sc.fallback_scrape_protocol))
      fail(*v, "invalid fallback_scrape_protocol for scrape config with job name \"" + sc.job_name +
                   "\": unknown scrape protocol " + sc.fallback_scrape_protocol);
  }
  if (auto v = f.get("scrape_protocols")) {
    sc.scrape_protocols = strings(*v);
    std::set<std::string> seen;
    for (const auto& p : sc.scrape_protocols) {
      if (!kProtocols.count(p)) fail(*v, "unknown scrape protocol " + p);
      if (!seen.insert(p).second) fail(*v, "duplicated protocol in scrape_protocols, got " + p);
    }
  }
  if (auto v = f.get("metrics_path")) sc.metrics_path = str(*v);
  if (auto v = f.get("scheme")) {
    sc.scheme = str(*v);
    if (sc.scheme != "http" && sc.scheme != "https")
      fail(*v, "unknown scheme \"" + sc.scheme + "\" for scrape config with job name \"" +
                   sc.job_name + "\" (want http or https)");
  }
  if (auto v = f.get("enable_compression")) sc.enable_compression = boolean(*v);
  sc.body_size_limit_bytes = f.get("body_size_limit") ? bytes(*f.get("body_size_limit")) : 0;
  if (sc.body_size_limit_bytes == 0) sc.body_size_limit_bytes = g.body_size_limit_bytes;
  auto limit = [&](const char* key, uint64_t global_value) {
    const YAML::Node* v = f.get(key);
    uint64_t x = v ? uint(*v) : 0;
    return x ? x : global_value;
  };
  sc.sample_limit = limit("sample_limit", g.sample_limit);
  sc.target_limit = limit("target_limit", g.target_limit);
  sc.label_limit = limit("label_limit", g.label_limit);
  sc.label_name_length_limit = limit("label_name_length_limit", g.label_name_length_limit);
  sc.label_value_length_limit = limit("label_value_length_limit", g.label_value_length_limit);
  if (auto v = f.get("keep_dropped_targets")) sc.keep_dropped_targets = uint(*v);
  sc.http = http_client(f, ctx);
  if (auto v = f.get("relabel_configs")) sc.relabel_configs = relabel_configs(*v);
  if (auto v = f.get("metric_relabel_configs")) sc.metric_relabel_configs = relabel_configs(*v);
  if (auto v = f.get("file_sd_configs")) sc.file_sd_configs = file_sd_configs(*v, ctx);
  if (auto v = f.get("http_sd_configs")) sc.http_sd_configs = http_sd_configs(*v, ctx);
  if (auto v = f.get("dns_sd_configs")) sc.dns_sd_configs = dns_sd_configs(*v);
  if (auto v = f.get("static_configs")) {
    sc.static_configs = static_configs(*v);
    // Relabeling may turn a URL-looking target into a valid address.
    if (sc.relabel_configs.empty()) check_targets(*v, sc.static_configs);
  }
  warn_unsupported_sd(f, "scrape job \"" + sc.job_name + "\"", ctx);
  for (std::string_view k : unsupported_sd_keys())
    if (f.get(k)) sc.unsupported_sd_configs.emplace_back(k);
  return sc;
}

RemoteWriteConfig remote_write_config(const YAML::Node& n, const ParseContext& ctx) {
  if (n.IsNull()) fail(n, "empty or null remote write config section");
  static const std::vector<std::string_view> kKeys = concat(
      {{"url", "remote_timeout", "headers", "write_relabel_configs", "name", "send_exemplars",
        "send_native_histograms", "queue_config", "metadata_config", "sigv4", "azuread",
        "google_iam", "protobuf_message", "round_robin_dns"},
       http_client_keys()});
  Fields f(n, kKeys, "config.plain");
  RemoteWriteConfig r;
  if (auto v = f.get("url")) r.url = str(*v);
  if (r.url.empty()) fail(n, "url for remote_write is empty");
  size_t scheme_end = r.url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : r.url.substr(0, scheme_end);
  if ((scheme != "http" && scheme != "https") || r.url.size() == scheme_end + 3)
    fail(*f.get("url"), "invalid remote_write url \"" + r.url + "\": want http(s)://host[:port]/path");
  if (auto v = f.get("remote_timeout")) r.remote_timeout_ms = duration(*v);
  if (auto v = f.get("headers")) {
    static const std::set<std::string> kReserved = {
        "host", "content-encoding", "content-length", "content-type", "user-agent", "connection",
        "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
        "accept-encoding", "x-prometheus-remote-write-version",
        "x-prometheus-remote-read-version", "x-amz-date", "x-amz-security-token",
        "x-amz-content-sha256"};
    r.headers = string_map(*v);
    for (const auto& [k, unused] : r.headers) {
      std::string lower = k;
      for (char& c : lower) c = char(std::tolower((unsigned char)c));
      if (lower == "authorization")
        fail(*v, "authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter");
      if (kReserved.count(lower)) fail(*v, k + " is a reserved header. It must not be changed");
    }
  }
  if (auto v = f.get("write_relabel_configs")) r.write_relabel_configs = relabel_configs(*v);
  if (auto v = f.get("name")) r.name = str(*v);
  if (auto v = f.get("send_exemplars")) r.send_exemplars = boolean(*v);
  if (r.send_exemplars)
    ctx.warnings->push_back("remote_write " + r.url +
                            ": send_exemplars is not supported by Strata (exemplars are kept in memory, "
                            "not in the WAL the sender reads) and is ignored");
  if (auto v = f.get("send_native_histograms")) r.send_native_histograms = boolean(*v);
  r.http = http_client(f, ctx);
  if (auto v = f.get("queue_config")) {
    Fields q(*v, {"capacity", "max_shards", "min_shards", "max_samples_per_send",
                  "batch_send_deadline", "min_backoff", "max_backoff", "retry_on_http_429",
                  "sample_age_limit"},
             "config.QueueConfig");
    QueueConfig& c = r.queue_config;
    if (auto x = q.get("capacity")) c.capacity = integer(*x);
    if (auto x = q.get("max_shards")) c.max_shards = integer(*x);
    if (auto x = q.get("min_shards")) c.min_shards = integer(*x);
    if (auto x = q.get("max_samples_per_send")) c.max_samples_per_send = integer(*x);
    if (auto x = q.get("batch_send_deadline")) c.batch_send_deadline_ms = duration(*x);
    if (auto x = q.get("min_backoff")) c.min_backoff_ms = duration(*x);
    if (auto x = q.get("max_backoff")) c.max_backoff_ms = duration(*x);
    if (auto x = q.get("retry_on_http_429")) c.retry_on_http_429 = boolean(*x);
    if (q.get("sample_age_limit")) (void)duration(*q.get("sample_age_limit"));
  }
  if (auto v = f.get("metadata_config")) {
    Fields m(*v, {"send", "send_interval", "max_samples_per_send"}, "config.MetadataConfig");
    if (auto x = m.get("send")) r.metadata_config.send = boolean(*x);
    if (auto x = m.get("send_interval")) r.metadata_config.send_interval_ms = duration(*x);
    if (auto x = m.get("max_samples_per_send")) r.metadata_config.max_samples_per_send = integer(*x);
  }
  if (auto v = f.get("protobuf_message")) {
    std::string m = str(*v);
    if (m == "prometheus.WriteRequest") r.protocol = RemoteWriteConfig::Protocol::kV1;
    else if (m == "io.prometheus.write.v2.Request") r.protocol = RemoteWriteConfig::Protocol::kV2;
    else fail(*v, "unknown remote write protobuf message " + m +
                      ", supported: prometheus.WriteRequest, io.prometheus.write.v2.Request");
  }
  for (const char* k : {"sigv4", "azuread", "google_iam", "round_robin_dns"}) {
    if (f.get(k))
      ctx.warnings->push_back("remote_write " + r.url + ": " + k + " is not supported by Strata and is ignored");
  }
  return r;
}

void alerting_config(const YAML::Node& n, Config* c, const ParseContext& ctx) {
  Fields f(n, {"alert_relabel_configs", "alertmanagers"}, "config.plain");
  if (auto v = f.get("alert_relabel_configs")) c->alert_relabel_configs = relabel_configs(*v);
  const YAML::Node* ams = f.get("alertmanagers");
  if (!ams) return;
  if (!ams->IsSequence()) type_error(*ams, "config.AlertmanagerConfigs");
  static const std::vector<std::string_view> kKeys = concat(
      {{"scheme", "path_prefix", "timeout", "api_version", "relabel_configs",
        "alert_relabel_configs", "static_configs", "file_sd_configs", "sigv4"},
       http_client_keys(), unsupported_sd_keys(), scrape_only_sd_keys()});
  for (const auto& e : *ams) {
    Fields a(e, kKeys, "config.AlertmanagerConfig");
    AlertmanagerConfig am;
    am.http = http_client(a, ctx);
    if (auto v = a.get("scheme")) {
      am.scheme = str(*v);
      if (am.scheme != "http" && am.scheme != "https") fail(*v, "unknown scheme " + am.scheme);
    }
    if (auto v = a.get("path_prefix")) am.path_prefix = str(*v);
    if (auto v = a.get("timeout")) am.timeout_ms = duration(*v);
    if (auto v = a.get("api_version")) {
      am.api_version = str(*v);
      if (am.api_version != "v2")
        fail(*v, "expected Alertmanager api version to be one of [v2] but got " + am.api_version);
    }
    if (auto v = a.get("relabel_configs")) am.relabel_configs = relabel_configs(*v);
    if (auto v = a.get("alert_relabel_configs")) am.alert_relabel_configs = relabel_configs(*v);
    if (auto v = a.get("file_sd_configs")) am.file_sd_configs = file_sd_configs(*v, ctx);
    if (auto v = a.get("static_configs")) {
      am.static_configs = static_configs(*v);
      if (am.relabel_configs.empty()) check_targets(*v, am.static_configs);
    }
    warn_unsupported_sd(a, "alertmanager config", ctx);
    warn_unsupported_sd(a, "alertmanager config", ctx, scrape_only_sd_keys());
    c->alertmanagers.push_back(std::move(am));
  }
}

// The files of scrape_config_files' globs, as Prometheus' GetScrapeConfigs.
std::vector<std::string> glob_paths(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    auto m = go_glob(p);
    if (!m.ok())
      throw ConfigError{"error retrieving scrape config files for " + go_quote(p) + ": " + std::string(m.status().message())};
    out.insert(out.end(), m->begin(), m->end());
  }
  return out;
}

std::string read_file(const std::string& path, bool* ok) {
  std::ifstream in(path);
  *ok = bool(in) && !std::filesystem::is_directory(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Prometheus 3's `otlp:` section; its later keys are accepted with a warning.
remote::OtlpConfig otlp_config(const YAML::Node& n, const ParseContext& ctx) {
  static const std::vector<std::string_view> kIgnored = {
      "promote_all_resource_attributes", "ignore_resource_attributes",
      "convert_histograms_to_nhcb", "promote_scope_metadata"};
  Fields f(n, concat({{"promote_resource_attributes", "translation_strategy",
                       "keep_identifying_resource_attributes"},
                      kIgnored}),
           "config.OTLPConfig");
  remote::OtlpConfig c;
  if (auto v = f.get("promote_resource_attributes")) {
    std::set<std::string> seen;
    for (std::string a : strings(*v)) {
      while (!a.empty() && std::isspace((unsigned char)a.back())) a.pop_back();
      while (!a.empty() && std::isspace((unsigned char)a.front())) a.erase(a.begin());
      if (a.empty()) fail(*v, "empty promoted OTel resource attribute");
      if (!seen.insert(a).second) fail(*v, "duplicated promoted OTel resource attribute \"" + a + "\"");
      c.promote_resource_attributes.push_back(a);
    }
  }
  if (auto v = f.get("translation_strategy")) {
    auto s = remote::parse_otlp_translation_strategy(str(*v));
    if (!s.ok()) fail(*v, std::string(s.status().message()));
    c.translation_strategy = *s;
  }
  if (auto v = f.get("keep_identifying_resource_attributes"))
    c.keep_identifying_resource_attributes = boolean(*v);
  for (auto k : kIgnored) {
    if (f.get(k)) ctx.warnings->push_back("otlp." + std::string(k) + " is not supported by Strata and is ignored");
  }
  return c;
}

Config parse_root(const YAML::Node& root, const ParseContext& ctx) {
  Config c;
  Fields f(root, {"global", "alerting", "rule_files", "scrape_config_files", "scrape_configs",
                  "storage", "tracing", "remote_write", "remote_read", "otlp", "runtime"},
           "config.plain");
  if (auto v = f.get("global")) c.global = global_config(*v);
  if (auto v = f.get("alerting")) alerting_config(*v, &c, ctx);
  if (auto v = f.get("rule_files")) {
    for (const auto& p : strings(*v)) {
      if (!valid_glob_path(p)) fail(*v, "invalid rule file path \"" + p + "\"");
      c.rule_files.push_back(ctx.resolve(p));
    }
  }
  if (auto v = f.get("scrape_config_files")) {
    for (const auto& p : strings(*v)) {
      if (!valid_glob_path(p)) fail(*v, "invalid scrape config file path \"" + p + "\"");
      c.scrape_config_files.push_back(ctx.resolve(p));
    }
  }
  if (auto v = f.get("scrape_configs")) {
    if (!v->IsSequence()) type_error(*v, "[]*config.ScrapeConfig");
    for (const auto& e : *v) c.scrape_configs.push_back(scrape_config(e, c.global, ctx));
  }
  if (auto v = f.get("remote_write")) {
    if (!v->IsSequence()) type_error(*v, "[]*config.RemoteWriteConfig");
    std::set<std::string> names;
    for (const auto& e : *v) {
      RemoteWriteConfig r = remote_write_config(e, ctx);
      if (!r.name.empty() && !names.insert(r.name).second)
        fail(e, "found multiple remote write configs with job name \"" + r.name + "\"");
      c.remote_write.push_back(std::move(r));
    }
  }
  if (auto v = f.get("otlp")) c.otlp = otlp_config(*v, ctx);
  for (const char* k : {"remote_read", "storage", "tracing", "runtime"}) {
    if (f.get(k)) ctx.warnings->push_back(std::string(k) + " is not supported by Strata and is ignored");
  }
  // Scrape configs from scrape_config_files join the main list.
  for (const auto& path : glob_paths(c.scrape_config_files)) {
    bool ok;
    std::string text = read_file(path, &ok);
    if (!ok) throw ConfigError{"cannot read scrape config file " + path};
    try {
      YAML::Node doc = YAML::Load(text);
      Fields sf(doc, {"scrape_configs"}, "config.ScrapeConfigs");
      if (auto v = sf.get("scrape_configs")) {
        if (!v->IsSequence()) type_error(*v, "[]*config.ScrapeConfig");
        for (const auto& e : *v) {
          ScrapeConfig s = scrape_config(e, c.global, ctx);
          s.from_scrape_config_file = true;
          c.scrape_configs.push_back(std::move(s));
        }
      }
    } catch (const ConfigError& e) {
      throw ConfigError{"scrape config file " + path + ": " + e.message};
    }
  }
  std::set<std::string> jobs;
  for (const auto& s : c.scrape_configs)
    if (!jobs.insert(s.job_name).second)
      throw ConfigError{"found multiple scrape configs with job name \"" + s.job_name + "\""};
  c.warnings = std::move(*ctx.warnings);
  return c;
}

}  // namespace

absl::StatusOr<Config> parse_config(const std::string& yaml, const std::string& filename,
                                    const std::string& dir) {
  std::vector<std::string> warnings;
  ParseContext ctx{dir, &warnings};
  try {
    return parse_root(YAML::Load(yaml), ctx);
  } catch (const ConfigError& e) {
    return absl::InvalidArgumentError("parsing YAML file " + filename + ": " + e.message);
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp's message names the line.
    std::string where = e.mark.is_null() ? "" : "line " + std::to_string(e.mark.line + 1) + ": ";
    return absl::InvalidArgumentError("parsing YAML file " + filename + ": " + where + e.msg);
  }
}

absl::StatusOr<Config> load_config_file(const std::string& path) {
  bool ok;
  errno = 0;
  std::string text = read_file(path, &ok);
  if (!ok) {
    std::string why = errno ? std::strerror(errno) : "not a regular file";
    if (!why.empty()) why[0] = char(std::tolower((unsigned char)why[0]));
    return absl::NotFoundError("open " + path + ": " + why);
  }
  // Relative paths in the file are relative to its directory as given (Go's
  // filepath.Dir), so they read back as Prometheus shows them ("rules/a.yml").
  return parse_config(text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace strata::server
