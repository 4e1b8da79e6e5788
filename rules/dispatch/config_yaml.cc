#include "rules/dispatch/config_yaml.h"

#include <algorithm>
#include <array>
#include <optional>

#include "base/duration.h"
#include "base/status.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch::yaml {

bool is_unsupported_alertmanager_key(std::string_view key) {
  // From Alertmanager's configuration reference: sections and integrations
  // a user may bring from a real alertmanager.yml.
  static constexpr std::string_view kKeys[] = {
      "templates",
      "oauth2",
      "no_proxy",
      "proxy_from_environment",
      "proxy_connect_header",
      "time_intervals",
      "mute_time_intervals",
      "active_time_intervals",
      "pagerduty_configs",
      "opsgenie_configs",
      "victorops_configs",
      "pushover_configs",
      "wechat_configs",
      "sns_configs",
      "telegram_configs",
      "webex_configs",
      "discord_configs",
      "msteams_configs",
      "msteamsv2_configs",
      "jira_configs",
      "rocketchat_configs",
      "incidentio_configs",
      "html",
      "actions",
      "fields",
      "http_config",
      "smtp_tls_config",
      "tls_config",
      "opsgenie_api_key",
      "pagerduty_url",
      "wechat_api_url",
      "victorops_api_key",
      "victorops_api_url",
      "opsgenie_api_url",
      "telegram_api_url",
      "webex_api_url",
      "wechat_api_secret",
      "wechat_api_corp_id",
      "url_file",
      "timeout",
      "smtp_auth_secret",
      "smtp_auth_secret_file",
      "auth_secret",
  };
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

absl::Status error(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(path.empty() ? std::string(what)
                                                 : path + ": " + std::string(what));
}

absl::Status check_keys(const YAML::Node& n, const std::string& path,
                        std::initializer_list<std::string_view> known) {
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsMap()) return error(path, "expected a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (is_unsupported_alertmanager_key(key)) {
      return error(path, "\"" + key +
                             "\" is not supported by Strata's notifications yet (use "
                             "Alertmanager for it)");
    }
    return error(path, "field \"" + key + "\" is not known (line " +
                           std::to_string(kv.first.Mark().line + 1) + ")");
  }
  return absl::OkStatus();
}

namespace {

// The scalar at `key`; nullopt when absent or null.
absl::StatusOr<std::optional<YAML::Node>> scalar(const YAML::Node& map, std::string_view key,
                                                 const std::string& path) {
  const YAML::Node v = map[std::string(key)];
  if (!v || v.IsNull()) return std::nullopt;
  if (!v.IsScalar()) return error(path, std::string(key) + ": expected a scalar");
  return v;
}

}  // namespace

absl::Status get_string(const YAML::Node& map, std::string_view key, const std::string& path,
                        std::string* out) {
  STRATA_ASSIGN_OR_RETURN(std::optional<YAML::Node> v, scalar(map, key, path));
  if (v) *out = v->as<std::string>();
  return absl::OkStatus();
}

absl::Status get_bool(const YAML::Node& map, std::string_view key, const std::string& path,
                      bool* out) {
  STRATA_ASSIGN_OR_RETURN(std::optional<YAML::Node> v, scalar(map, key, path));
  if (!v) return absl::OkStatus();
  const std::string s = v->as<std::string>();
  if (s == "true")
    *out = true;
  else if (s == "false")
    *out = false;
  else
    return error(path, std::string(key) + ": cannot parse " + tsdb::go_quote(s) + " as a bool");
  return absl::OkStatus();
}

absl::Status get_uint(const YAML::Node& map, std::string_view key, const std::string& path,
                      uint64_t* out) {
  STRATA_ASSIGN_OR_RETURN(std::optional<YAML::Node> v, scalar(map, key, path));
  if (!v) return absl::OkStatus();
  const std::string s = v->as<std::string>();
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
    return error(
        path, std::string(key) + ": cannot parse " + tsdb::go_quote(s) + " as an unsigned integer");
  }
  *out = std::stoull(s);
  return absl::OkStatus();
}

absl::Status get_duration(const YAML::Node& map, std::string_view key, const std::string& path,
                          int64_t* out_ms, bool* set) {
  STRATA_ASSIGN_OR_RETURN(std::optional<YAML::Node> v, scalar(map, key, path));
  if (set) *set = v.has_value();
  if (!v) return absl::OkStatus();
  auto d = parse_duration(v->as<std::string>());
  if (!d.ok()) return error(path, std::string(key) + ": " + std::string(d.status().message()));
  *out_ms = *d;
  return absl::OkStatus();
}

absl::Status get_literal(const YAML::Node& map, std::string_view key, const std::string& path,
                         std::string* out) {
  STRATA_RETURN_IF_ERROR(get_string(map, key, path, out));
  if (out->find("{{") != std::string::npos) {
    return error(path, std::string(key) +
                           ": templates are not supported by Strata's notifications yet (use "
                           "a literal text, or leave it out for the default)");
  }
  return absl::OkStatus();
}

std::string resolve_path(const std::string& dir, const std::string& file) {
  if (file.empty() || file[0] == '/' || dir.empty()) return file;
  return dir + "/" + file;
}

absl::Status parse_tls(const YAML::Node& n, const std::string& path, const std::string& dir,
                       net::TlsConfig* out) {
  STRATA_RETURN_IF_ERROR(
      check_keys(n, path,
                 {"ca", "ca_file", "cert", "cert_file", "key", "key_file", "server_name",
                  "insecure_skip_verify", "min_version", "max_version"}));
  if (!n || n.IsNull()) return absl::OkStatus();
  for (auto [k, f] : {std::pair{"ca", &out->ca},
                      {"cert", &out->cert},
                      {"key", &out->key},
                      {"server_name", &out->server_name},
                      {"min_version", &out->min_version},
                      {"max_version", &out->max_version}}) {
    STRATA_RETURN_IF_ERROR(get_string(n, k, path, f));
  }
  for (auto [k, f] : {std::pair{"ca_file", &out->ca_file},
                      {"cert_file", &out->cert_file},
                      {"key_file", &out->key_file}}) {
    STRATA_RETURN_IF_ERROR(get_string(n, k, path, f));
    *f = resolve_path(dir, *f);
  }
  return get_bool(n, "insecure_skip_verify", path, &out->insecure_skip_verify);
}

absl::Status parse_http_config(const YAML::Node& n, const std::string& path, const std::string& dir,
                               net::HttpClientConfig* out) {
  STRATA_RETURN_IF_ERROR(
      check_keys(n, path,
                 {"basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
                  "proxy_url", "follow_redirects", "enable_http2"}));
  if (!n || n.IsNull()) return absl::OkStatus();
  if (YAML::Node b = n["basic_auth"]; b && !b.IsNull()) {
    const std::string p = path + ".basic_auth";
    STRATA_RETURN_IF_ERROR(
        check_keys(b, p, {"username", "username_file", "password", "password_file"}));
    net::BasicAuth ba;
    STRATA_RETURN_IF_ERROR(get_string(b, "username", p, &ba.username));
    STRATA_RETURN_IF_ERROR(get_string(b, "username_file", p, &ba.username_file));
    STRATA_RETURN_IF_ERROR(get_string(b, "password", p, &ba.password));
    STRATA_RETURN_IF_ERROR(get_string(b, "password_file", p, &ba.password_file));
    if (!ba.password.empty() && !ba.password_file.empty()) {
      return error(p, "at most one of basic_auth password & password_file must be configured");
    }
    ba.username_file = resolve_path(dir, ba.username_file);
    ba.password_file = resolve_path(dir, ba.password_file);
    out->basic_auth = ba;
  }
  net::Authorization auth;
  bool has_auth = false;
  if (YAML::Node a = n["authorization"]; a && !a.IsNull()) {
    const std::string p = path + ".authorization";
    STRATA_RETURN_IF_ERROR(check_keys(a, p, {"type", "credentials", "credentials_file"}));
    STRATA_RETURN_IF_ERROR(get_string(a, "type", p, &auth.type));
    STRATA_RETURN_IF_ERROR(get_string(a, "credentials", p, &auth.credentials));
    STRATA_RETURN_IF_ERROR(get_string(a, "credentials_file", p, &auth.credentials_file));
    has_auth = true;
  }
  std::string token, token_file;
  STRATA_RETURN_IF_ERROR(get_string(n, "bearer_token", path, &token));
  STRATA_RETURN_IF_ERROR(get_string(n, "bearer_token_file", path, &token_file));
  if (!token.empty() || !token_file.empty()) {
    if (has_auth)
      return error(path, "at most one of bearer_token & authorization must be configured");
    auth.credentials = token;
    auth.credentials_file = token_file;
    has_auth = true;
  }
  if (has_auth) {
    if (out->basic_auth) {
      return error(path, "at most one of basic_auth, oauth2 & authorization must be configured");
    }
    auth.credentials_file = resolve_path(dir, auth.credentials_file);
    out->authorization = auth;
  }
  STRATA_RETURN_IF_ERROR(parse_tls(n["tls_config"], path + ".tls_config", dir, &out->tls_config));
  STRATA_RETURN_IF_ERROR(get_string(n, "proxy_url", path, &out->proxy_url));
  STRATA_RETURN_IF_ERROR(get_bool(n, "follow_redirects", path, &out->follow_redirects));
  return get_bool(n, "enable_http2", path, &out->enable_http2);
}

}  // namespace strata::rules::dispatch::yaml
