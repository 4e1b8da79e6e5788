#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "promql/parser/duration.h"
#include "re2/re2.h"
#include "tsdb/storage.h"

namespace strata::server {

const char* const kDefaultConfigYaml = R"(# Strata's embedded default configuration.
global:
  scrape_interval: 15s
  evaluation_interval: 15s

scrape_configs:
  - job_name: strata
    static_configs:
      - targets: ["localhost:9090"]
)";

namespace {

// yaml-cpp throws; this module turns every problem into a ConfigError that
// parse_config() converts to a status, so nothing escapes to callers.
struct ConfigError {
  std::string message;
};

[[noreturn]] void fail(const YAML::Node& n, const std::string& msg) {
  throw ConfigError{"line " + std::to_string(n.Mark().line + 1) + ": " + msg};
}

void check_fields(const YAML::Node& n, std::initializer_list<const char*> known) {
  if (!n.IsMap()) fail(n, "expected a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) fail(kv.first, "field " + key + " not found in type config.plain");
  }
}

std::string str(const YAML::Node& n) {
  if (!n.IsScalar()) fail(n, "expected a string");
  return n.as<std::string>();
}

int64_t duration(const YAML::Node& n) {
  auto d = promql::parser::parse_duration(str(n));
  if (!d.ok()) fail(n, std::string(d.status().message()));
  return *d;
}

bool boolean(const YAML::Node& n) {
  std::string s = str(n);
  if (s == "true") return true;
  if (s == "false") return false;
  fail(n, "cannot unmarshal !!str `" + s + "` into bool");
}

uint64_t uint(const YAML::Node& n) {
  std::string s = str(n);
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    fail(n, "cannot unmarshal !!str `" + s + "` into uint");
  return std::stoull(s);
}

std::vector<std::string> strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) fail(n, "expected a list");
  for (const auto& e : n) out.push_back(str(e));
  return out;
}

std::map<std::string, std::string> labels(const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsMap()) fail(n, "expected a mapping of labels");
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    if (!tsdb::is_valid_utf8(k) || k.empty()) fail(kv.first, "\"" + k + "\" is not a valid label name");
    out[k] = str(kv.second);
  }
  return out;
}

RelabelConfig relabel(const YAML::Node& n) {
  check_fields(n, {"source_labels", "separator", "target_label", "regex", "modulus",
                   "replacement", "action"});
  RelabelConfig r;
  if (n["source_labels"]) r.source_labels = strings(n["source_labels"]);
  if (n["separator"]) r.separator = str(n["separator"]);
  if (n["target_label"]) r.target_label = str(n["target_label"]);
  if (n["regex"]) {
    r.regex = str(n["regex"]);
    RE2 re("^(?:" + r.regex + ")$", RE2::Quiet);
    if (!re.ok()) fail(n["regex"], "error parsing regexp: " + re.error());
  }
  if (n["modulus"]) r.modulus = uint(n["modulus"]);
  if (n["replacement"]) r.replacement = str(n["replacement"]);
  if (n["action"]) {
    static const std::set<std::string> kActions = {"replace", "keep", "drop", "keepequal",
                                                   "dropequal", "hashmod", "labelmap",
                                                   "labeldrop", "labelkeep", "lowercase",
                                                   "uppercase"};
    r.action = str(n["action"]);
    if (!kActions.count(r.action)) fail(n["action"], "unknown relabel action \"" + r.action + "\"");
  }
  if ((r.action == "replace" || r.action == "hashmod" || r.action == "lowercase" ||
       r.action == "uppercase") && r.target_label.empty())
    fail(n, "relabel configuration for " + r.action + " action requires 'target_label' value");
  if (r.action == "hashmod" && r.modulus == 0)
    fail(n, "relabel configuration for hashmod requires non-zero modulus");
  return r;
}

std::vector<RelabelConfig> relabels(const YAML::Node& n) {
  std::vector<RelabelConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) fail(n, "expected a list of relabel configs");
  for (const auto& e : n) out.push_back(relabel(e));
  return out;
}

std::vector<StaticConfig> static_configs(const YAML::Node& n) {
  std::vector<StaticConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) fail(n, "expected a list of static configs");
  for (const auto& e : n) {
    check_fields(e, {"targets", "labels"});
    StaticConfig sc;
    if (e["targets"]) sc.targets = strings(e["targets"]);
    if (e["labels"]) sc.labels = labels(e["labels"]);
    out.push_back(std::move(sc));
  }
  return out;
}

ScrapeConfig scrape_config(const YAML::Node& n, const GlobalConfig& g) {
  check_fields(n, {"job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme",
                   "honor_labels", "honor_timestamps", "params", "sample_limit", "static_configs",
                   "file_sd_configs", "relabel_configs", "metric_relabel_configs", "basic_auth",
                   "authorization", "bearer_token", "bearer_token_file", "tls_config",
                   "proxy_url", "follow_redirects", "enable_http2", "body_size_limit",
                   "label_limit", "label_name_length_limit", "label_value_length_limit",
                   "target_limit", "scrape_protocols", "track_timestamps_staleness",
                   "scrape_classic_histograms", "fallback_scrape_protocol", "oauth2"});
  ScrapeConfig sc;
  if (!n["job_name"] || str(n["job_name"]).empty()) fail(n, "job_name is empty");
  sc.job_name = str(n["job_name"]);
  sc.scrape_interval_ms = n["scrape_interval"] ? duration(n["scrape_interval"]) : g.scrape_interval_ms;
  sc.scrape_timeout_ms = n["scrape_timeout"]
                             ? duration(n["scrape_timeout"])
                             : std::min(g.scrape_timeout_ms, sc.scrape_interval_ms);
  if (sc.scrape_timeout_ms > sc.scrape_interval_ms)
    fail(n, "scrape timeout greater than scrape interval for scrape config with job name \"" +
                sc.job_name + "\"");
  if (n["metrics_path"]) sc.metrics_path = str(n["metrics_path"]);
  if (n["scheme"]) {
    sc.scheme = str(n["scheme"]);
    if (sc.scheme != "http" && sc.scheme != "https")
      fail(n["scheme"], "unknown scrape config scheme " + sc.scheme);
  }
  if (n["honor_labels"]) sc.honor_labels = boolean(n["honor_labels"]);
  if (n["honor_timestamps"]) sc.honor_timestamps = boolean(n["honor_timestamps"]);
  if (n["params"]) {
    for (const auto& kv : n["params"]) sc.params[kv.first.as<std::string>()] = strings(kv.second);
  }
  if (n["sample_limit"]) sc.sample_limit = uint(n["sample_limit"]);
  if (n["static_configs"]) sc.static_configs = static_configs(n["static_configs"]);
  if (n["file_sd_configs"]) {
    for (const auto& f : n["file_sd_configs"]) {
      check_fields(f, {"files", "refresh_interval"});
      for (auto& p : strings(f["files"])) sc.file_sd_files.push_back(p);
      if (f["refresh_interval"]) (void)duration(f["refresh_interval"]);
    }
  }
  if (n["relabel_configs"]) sc.relabel_configs = relabels(n["relabel_configs"]);
  if (n["metric_relabel_configs"]) sc.metric_relabel_configs = relabels(n["metric_relabel_configs"]);
  return sc;
}

Config parse_tree(const YAML::Node& root) {
  Config c;
  if (root.IsNull()) return c;
  check_fields(root, {"global", "rule_files", "scrape_configs", "scrape_config_files",
                      "remote_write", "remote_read", "alerting", "storage", "tracing", "otlp",
                      "runtime"});
  if (const auto g = root["global"]) {
    if (!g.IsNull()) {
      check_fields(g, {"scrape_interval", "scrape_timeout", "evaluation_interval",
                       "external_labels", "query_log_file", "scrape_protocols",
                       "body_size_limit", "sample_limit", "label_limit",
                       "label_name_length_limit", "label_value_length_limit", "target_limit",
                       "keep_dropped_targets", "rule_query_offset", "scrape_failure_log_file",
                       "metric_name_validation_scheme"});
      if (g["scrape_interval"]) c.global.scrape_interval_ms = duration(g["scrape_interval"]);
      if (g["scrape_timeout"]) c.global.scrape_timeout_ms = duration(g["scrape_timeout"]);
      else c.global.scrape_timeout_ms = std::min<int64_t>(10000, c.global.scrape_interval_ms);
      if (g["evaluation_interval"]) c.global.evaluation_interval_ms = duration(g["evaluation_interval"]);
      if (c.global.scrape_timeout_ms > c.global.scrape_interval_ms)
        fail(g, "global scrape timeout greater than scrape interval");
      if (g["external_labels"]) c.global.external_labels = labels(g["external_labels"]);
      if (g["query_log_file"]) c.global.query_log_file = str(g["query_log_file"]);
    }
  }
  if (root["rule_files"]) c.rule_files = strings(root["rule_files"]);
  if (const auto sc = root["scrape_configs"]; sc && !sc.IsNull()) {
    if (!sc.IsSequence()) fail(sc, "scrape_configs must be a list");
    std::set<std::string> jobs;
    for (const auto& e : sc) {
      ScrapeConfig s = scrape_config(e, c.global);
      if (!jobs.insert(s.job_name).second)
        fail(e, "found multiple scrape configs with job name \"" + s.job_name + "\"");
      c.scrape_configs.push_back(std::move(s));
    }
  }
  if (const auto rw = root["remote_write"]; rw && !rw.IsNull()) {
    if (!rw.IsSequence()) fail(rw, "remote_write must be a list");
    for (const auto& e : rw) {
      check_fields(e, {"url", "name", "remote_timeout", "headers", "write_relabel_configs",
                       "queue_config", "metadata_config", "basic_auth", "authorization",
                       "tls_config", "proxy_url", "send_exemplars", "send_native_histograms",
                       "protobuf_message", "sigv4", "oauth2", "follow_redirects",
                       "enable_http2", "azuread", "google_iam", "round_robin_dns"});
      RemoteWriteConfig r;
      if (!e["url"]) fail(e, "url for remote_write is empty");
      r.url = str(e["url"]);
      if (r.url.rfind("http://", 0) != 0 && r.url.rfind("https://", 0) != 0)
        fail(e["url"], "unsupported scheme in URL " + r.url);
      if (e["name"]) r.name = str(e["name"]);
      if (e["remote_timeout"]) r.remote_timeout_ms = duration(e["remote_timeout"]);
      if (e["headers"]) r.headers = labels(e["headers"]);
      if (e["write_relabel_configs"]) r.write_relabel_configs = relabels(e["write_relabel_configs"]);
      c.remote_write.push_back(std::move(r));
    }
  }
  if (const auto a = root["alerting"]; a && !a.IsNull()) {
    check_fields(a, {"alertmanagers", "alert_relabel_configs"});
    if (a["alert_relabel_configs"]) c.alert_relabel_configs = relabels(a["alert_relabel_configs"]);
    if (const auto ams = a["alertmanagers"]; ams && !ams.IsNull()) {
      for (const auto& e : ams) {
        check_fields(e, {"static_configs", "scheme", "path_prefix", "timeout", "api_version",
                         "relabel_configs", "basic_auth", "authorization", "tls_config",
                         "file_sd_configs", "follow_redirects", "enable_http2", "proxy_url"});
        AlertmanagerConfig am;
        if (e["scheme"]) am.scheme = str(e["scheme"]);
        if (e["path_prefix"]) am.path_prefix = str(e["path_prefix"]);
        if (e["timeout"]) am.timeout_ms = duration(e["timeout"]);
        if (e["api_version"]) {
          am.api_version = str(e["api_version"]);
          if (am.api_version != "v2")
            fail(e["api_version"], "expected Alertmanager api version to be one of [v2] but got " +
                                       am.api_version);
        }
        if (e["static_configs"]) am.static_configs = static_configs(e["static_configs"]);
        c.alertmanagers.push_back(std::move(am));
      }
    }
  }
  return c;
}

void emit_relabels(YAML::Emitter& out, const char* key, const std::vector<RelabelConfig>& rs) {
  if (rs.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& r : rs) {
    out << YAML::BeginMap;
    if (!r.source_labels.empty()) {
      out << YAML::Key << "source_labels" << YAML::Value << YAML::Flow << r.source_labels;
    }
    out << YAML::Key << "separator" << YAML::Value << r.separator;
    if (!r.target_label.empty()) out << YAML::Key << "target_label" << YAML::Value << r.target_label;
    out << YAML::Key << "regex" << YAML::Value << r.regex;
    if (r.modulus) out << YAML::Key << "modulus" << YAML::Value << r.modulus;
    out << YAML::Key << "replacement" << YAML::Value << r.replacement;
    out << YAML::Key << "action" << YAML::Value << r.action;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_static(YAML::Emitter& out, const std::vector<StaticConfig>& scs) {
  if (scs.empty()) return;
  out << YAML::Key << "static_configs" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : scs) {
    out << YAML::BeginMap << YAML::Key << "targets" << YAML::Value << s.targets;
    if (!s.labels.empty()) out << YAML::Key << "labels" << YAML::Value << s.labels;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string Config::to_yaml() const {
  YAML::Emitter out;
  auto dur = [](int64_t ms) { return promql::parser::format_duration(ms); };
  out << YAML::BeginMap;
  out << YAML::Key << "global" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "scrape_interval" << YAML::Value << dur(global.scrape_interval_ms);
  out << YAML::Key << "scrape_timeout" << YAML::Value << dur(global.scrape_timeout_ms);
  out << YAML::Key << "evaluation_interval" << YAML::Value << dur(global.evaluation_interval_ms);
  if (!global.external_labels.empty())
    out << YAML::Key << "external_labels" << YAML::Value << global.external_labels;
  if (!global.query_log_file.empty())
    out << YAML::Key << "query_log_file" << YAML::Value << global.query_log_file;
  out << YAML::EndMap;
  if (!alertmanagers.empty() || !alert_relabel_configs.empty()) {
    out << YAML::Key << "alerting" << YAML::Value << YAML::BeginMap;
    emit_relabels(out, "alert_relabel_configs", alert_relabel_configs);
    out << YAML::Key << "alertmanagers" << YAML::Value << YAML::BeginSeq;
    for (const auto& am : alertmanagers) {
      out << YAML::BeginMap << YAML::Key << "scheme" << YAML::Value << am.scheme;
      out << YAML::Key << "path_prefix" << YAML::Value << am.path_prefix;
      out << YAML::Key << "timeout" << YAML::Value << dur(am.timeout_ms);
      out << YAML::Key << "api_version" << YAML::Value << am.api_version;
      emit_static(out, am.static_configs);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  if (!rule_files.empty()) out << YAML::Key << "rule_files" << YAML::Value << rule_files;
  if (!scrape_configs.empty()) {
    out << YAML::Key << "scrape_configs" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : scrape_configs) {
      out << YAML::BeginMap << YAML::Key << "job_name" << YAML::Value << s.job_name;
      out << YAML::Key << "honor_timestamps" << YAML::Value << s.honor_timestamps;
      if (s.honor_labels) out << YAML::Key << "honor_labels" << YAML::Value << true;
      out << YAML::Key << "scrape_interval" << YAML::Value << dur(s.scrape_interval_ms);
      out << YAML::Key << "scrape_timeout" << YAML::Value << dur(s.scrape_timeout_ms);
      out << YAML::Key << "metrics_path" << YAML::Value << s.metrics_path;
      out << YAML::Key << "scheme" << YAML::Value << s.scheme;
      if (s.sample_limit) out << YAML::Key << "sample_limit" << YAML::Value << s.sample_limit;
      emit_relabels(out, "relabel_configs", s.relabel_configs);
      emit_relabels(out, "metric_relabel_configs", s.metric_relabel_configs);
      emit_static(out, s.static_configs);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!remote_write.empty()) {
    out << YAML::Key << "remote_write" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : remote_write) {
      out << YAML::BeginMap << YAML::Key << "url" << YAML::Value << r.url;
      if (!r.name.empty()) out << YAML::Key << "name" << YAML::Value << r.name;
      out << YAML::Key << "remote_timeout" << YAML::Value << dur(r.remote_timeout_ms);
      if (!r.headers.empty()) out << YAML::Key << "headers" << YAML::Value << r.headers;
      emit_relabels(out, "write_relabel_configs", r.write_relabel_configs);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

absl::StatusOr<Config> parse_config(const std::string& yaml, const std::string& filename) {
  try {
    return parse_tree(YAML::Load(yaml));
  } catch (const ConfigError& e) {
    return absl::InvalidArgumentError("parsing YAML file " + filename + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError("parsing YAML file " + filename + ": line " +
                                      std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

absl::StatusOr<Config> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("open " + path + ": no such file or directory");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace strata::server
