// The `receivers` section: webhook_configs, slack_configs, email_configs,
// with Alertmanager's defaults and checks (config.h).
#include <cctype>
#include <set>

#include "base/status.h"
#include "net/url.h"
#include "rules/dispatch/config.h"
#include "rules/dispatch/config_yaml.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {
namespace {

using yaml::error;

// Go's textproto.CanonicalMIMEHeaderKey for ASCII names: "x-team" -> "X-Team".
std::string canonical_header(std::string s) {
  bool upper = true;
  for (char& c : s) {
    c = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return s;
}

absl::Status check_url(const std::string& p, std::string_view key, const std::string& url) {
  if (url.empty()) return absl::OkStatus();
  auto u = net::parse_url(url);
  // The URL may hold a token: never repeat it.
  if (!u.ok())
    return error(p, std::string(key) + ": invalid URL: " + std::string(u.status().message()));
  return absl::OkStatus();
}

absl::Status parse_webhook(const YAML::Node& n, const std::string& p, const std::string& dir,
                           WebhookConfig* w) {
  STRATA_RETURN_IF_ERROR(
      yaml::check_keys(n, p, {"send_resolved", "url", "url_file", "max_alerts", "http_config"}));
  STRATA_RETURN_IF_ERROR(yaml::get_bool(n, "send_resolved", p, &w->send_resolved));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "url", p, &w->url));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "url_file", p, &w->url_file));
  STRATA_RETURN_IF_ERROR(yaml::get_uint(n, "max_alerts", p, &w->max_alerts));
  if (w->url.empty() && w->url_file.empty()) {
    return error(p, "one of url or url_file must be configured");
  }
  if (!w->url.empty() && !w->url_file.empty()) {
    return error(p, "at most one of url & url_file must be configured");
  }
  w->url_file = yaml::resolve_path(dir, w->url_file);
  STRATA_RETURN_IF_ERROR(check_url(p, "url", w->url));
  return yaml::parse_http_config(n["http_config"], p + ".http_config", dir, &w->http);
}

absl::Status parse_slack(const YAML::Node& n, const std::string& p, const GlobalConfig& g,
                         const std::string& dir, SlackConfig* s) {
  STRATA_RETURN_IF_ERROR(yaml::check_keys(n, p,
                                          {"send_resolved", "api_url", "api_url_file", "channel",
                                           "username", "title", "text", "http_config"}));
  STRATA_RETURN_IF_ERROR(yaml::get_bool(n, "send_resolved", p, &s->send_resolved));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "api_url", p, &s->api_url));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "api_url_file", p, &s->api_url_file));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "channel", p, &s->channel));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "username", p, &s->username));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "title", p, &s->title));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "text", p, &s->text));
  if (!s->api_url.empty() && !s->api_url_file.empty()) {
    return error(p, "at most one of api_url & api_url_file must be configured");
  }
  s->api_url_file = yaml::resolve_path(dir, s->api_url_file);
  if (s->api_url.empty() && s->api_url_file.empty()) {
    s->api_url = g.slack_api_url;
    s->api_url_file = g.slack_api_url_file;
  }
  if (s->api_url.empty() && s->api_url_file.empty()) return error(p, "no global Slack API URL set");
  STRATA_RETURN_IF_ERROR(check_url(p, "api_url", s->api_url));
  return yaml::parse_http_config(n["http_config"], p + ".http_config", dir, &s->http);
}

absl::Status parse_email(const YAML::Node& n, const std::string& p, const GlobalConfig& g,
                         const std::string& dir, EmailConfig* e) {
  STRATA_RETURN_IF_ERROR(yaml::check_keys(
      n, p,
      {"send_resolved", "to", "from", "hello", "smarthost", "auth_username", "auth_password",
       "auth_password_file", "auth_identity", "require_tls", "headers", "tls_config", "text"}));
  STRATA_RETURN_IF_ERROR(yaml::get_bool(n, "send_resolved", p, &e->send_resolved));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "to", p, &e->to));
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "from", p, &e->from));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "hello", p, &e->hello));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "smarthost", p, &e->smarthost));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "auth_username", p, &e->auth_username));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "auth_password", p, &e->auth_password));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "auth_password_file", p, &e->auth_password_file));
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "auth_identity", p, &e->auth_identity));
  std::string text;
  STRATA_RETURN_IF_ERROR(yaml::get_literal(n, "text", p, &text));
  if (!text.empty()) return error(p, "text: custom e-mail bodies are not supported by Strata yet");
  e->require_tls = g.smtp_require_tls;
  STRATA_RETURN_IF_ERROR(yaml::get_bool(n, "require_tls", p, &e->require_tls));
  if (e->to.empty()) return error(p, "missing to address in email config");
  if (YAML::Node h = n["headers"]; h && !h.IsNull()) {
    if (!h.IsMap()) return error(p, "headers: expected a mapping");
    for (const auto& kv : h) {
      std::string name = canonical_header(kv.first.as<std::string>());
      std::string value = kv.second.as<std::string>();
      if (value.find("{{") != std::string::npos) {
        return error(p, "headers: templates are not supported by Strata's notifications yet");
      }
      if (name.empty() || value.find_first_of("\r\n") != std::string::npos ||
          name.find_first_of(": \r\n") != std::string::npos) {
        return error(p, "headers: invalid header " + tsdb::go_quote(name));
      }
      if (!e->headers.emplace(name, value).second) {
        return error(p, "duplicate header " + tsdb::go_quote(name) + " in email config");
      }
    }
  }
  if (e->smarthost.empty()) e->smarthost = g.smtp_smarthost;
  if (e->smarthost.empty()) return error(p, "no global SMTP smarthost set");
  if (e->from.empty()) e->from = g.smtp_from;
  if (e->from.empty() && !e->headers.count("From")) return error(p, "no global SMTP from set");
  if (e->hello.empty()) e->hello = g.smtp_hello;
  if (e->auth_username.empty() && e->auth_password.empty() && e->auth_password_file.empty()) {
    e->auth_username = g.smtp_auth_username;
    e->auth_password = g.smtp_auth_password;
    e->auth_password_file = g.smtp_auth_password_file;
    e->auth_identity = g.smtp_auth_identity;
  } else {
    e->auth_password_file = yaml::resolve_path(dir, e->auth_password_file);
  }
  if (!e->auth_password.empty() && !e->auth_password_file.empty()) {
    return error(p, "at most one of auth_password & auth_password_file must be configured");
  }
  if (e->smarthost.rfind(':') == std::string::npos) {
    return error(p, "smarthost: address " + e->smarthost + ": missing port in address");
  }
  return yaml::parse_tls(n["tls_config"], p + ".tls_config", dir, &e->tls);
}

template <typename T, typename F>
absl::Status parse_list(const YAML::Node& r, const char* key, const std::string& p,
                        std::vector<T>* out, F&& parse_one) {
  YAML::Node list = r[key];
  if (!list || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return error(p, std::string(key) + ": expected a list");
  for (size_t i = 0; i < list.size(); ++i) {
    T item;
    STRATA_RETURN_IF_ERROR(
        parse_one(list[i], p + "." + key + "[" + std::to_string(i) + "]", &item));
    out->push_back(std::move(item));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status parse_receivers(const YAML::Node& n, const GlobalConfig& g, const std::string& dir,
                             std::vector<ReceiverConfig>* out) {
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsSequence()) return error("receivers", "expected a list");
  std::set<std::string> names;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = "receivers[" + std::to_string(i) + "]";
    const YAML::Node& r = n[i];
    STRATA_RETURN_IF_ERROR(
        yaml::check_keys(r, p, {"name", "webhook_configs", "slack_configs", "email_configs"}));
    ReceiverConfig rc;
    STRATA_RETURN_IF_ERROR(yaml::get_string(r, "name", p, &rc.name));
    if (rc.name.empty()) return error(p, "missing name in receiver");
    if (!names.insert(rc.name).second) {
      return error(p, "notification config name " + tsdb::go_quote(rc.name) + " is not unique");
    }
    STRATA_RETURN_IF_ERROR(
        parse_list(r, "webhook_configs", p, &rc.webhooks,
                   [&](const YAML::Node& x, const std::string& q, WebhookConfig* w) {
                     return parse_webhook(x, q, dir, w);
                   }));
    STRATA_RETURN_IF_ERROR(
        parse_list(r, "slack_configs", p, &rc.slacks,
                   [&](const YAML::Node& x, const std::string& q, SlackConfig* s) {
                     return parse_slack(x, q, g, dir, s);
                   }));
    STRATA_RETURN_IF_ERROR(
        parse_list(r, "email_configs", p, &rc.emails,
                   [&](const YAML::Node& x, const std::string& q, EmailConfig* e) {
                     return parse_email(x, q, g, dir, e);
                   }));
    out->push_back(std::move(rc));
  }
  return absl::OkStatus();
}

}  // namespace strata::rules::dispatch
