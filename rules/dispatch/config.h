// The notifications config file (--notifications.config.file): a subset of
// Alertmanager's alertmanager.yml, so that users learn nothing new and can
// move to a real Alertmanager later with the same file. Never part of
// prometheus.yml.
//
// Supported: `global` (resolve_timeout, smtp_*, slack_api_url(_file)),
// `route` (receiver, group_by with `...`, group_wait, group_interval,
// repeat_interval, matchers, legacy match/match_re, continue, routes),
// `receivers` with webhook_configs, slack_configs and email_configs, and
// `inhibit_rules`. Every other key is refused with an error naming it;
// Alertmanager features Strata does not implement (templates, time
// intervals, the other integrations, templated texts) say so ("... is not
// supported by Strata").
//
// parse_config() validates as Alertmanager does (undefined receivers,
// duplicate names, missing URLs or addresses, zero intervals) and resolves
// inheritance: every route carries its effective receiver, grouping and
// timings, every integration its effective global defaults. Value types.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/config.h"
#include "tsdb/labels/matcher.h"

namespace strata::rules::dispatch {

struct GlobalConfig {
  int64_t resolve_timeout_ms = 5 * 60'000;  // Alertmanager's default
  std::string smtp_from, smtp_smarthost, smtp_hello = "localhost";
  std::string smtp_auth_username, smtp_auth_password, smtp_auth_password_file;  // secrets
  std::string smtp_auth_identity;
  bool smtp_require_tls = true;
  std::string slack_api_url, slack_api_url_file;  // secret
};

struct WebhookConfig {
  bool send_resolved = true;
  std::string url, url_file;  // exactly one; url is a secret (it may hold a token)
  // At most this many alerts per payload (0 = all); the rest are counted
  // in truncatedAlerts.
  uint64_t max_alerts = 0;
  net::HttpClientConfig http;
};

struct SlackConfig {
  bool send_resolved = false;
  std::string api_url, api_url_file;  // from global when both empty
  std::string channel, username = "Alertmanager";
  // Literal texts only; "" = the default formats (see payload.h).
  std::string title, text;
  net::HttpClientConfig http;
};

struct EmailConfig {
  bool send_resolved = false;
  std::string to, from, hello, smarthost;  // from/hello/smarthost default to global
  std::string auth_username, auth_password, auth_password_file, auth_identity;
  bool require_tls = true;
  // Extra header fields (names canonicalised, e.g. "X-Team"); literal values.
  std::map<std::string, std::string> headers;
  net::TlsConfig tls;
};

struct ReceiverConfig {
  std::string name;
  std::vector<WebhookConfig> webhooks;
  std::vector<SlackConfig> slacks;
  std::vector<EmailConfig> emails;
};

// One node of the routing tree, inheritance already applied.
struct RouteConfig {
  std::string receiver;
  std::vector<std::string> group_by;  // sorted, unique
  bool group_by_all = false;          // `...`: every label
  int64_t group_wait_ms = 30'000;
  int64_t group_interval_ms = 5 * 60'000;
  int64_t repeat_interval_ms = 4 * 3'600'000;
  std::vector<tsdb::Matcher> matchers;  // matchers, match and match_re together
  bool continue_matching = false;       // `continue`
  std::vector<RouteConfig> routes;
};

// An inhibit rule: alerts matching target_matchers are muted while an alert
// matching source_matchers fires with the same values of the `equal` labels
// (absent and empty are the same). source_match(_re)/target_match(_re)
// are folded into the matchers.
struct InhibitRule {
  std::vector<tsdb::Matcher> source_matchers, target_matchers;
  std::vector<std::string> equal;  // sorted, unique
};

struct Config {
  GlobalConfig global;
  RouteConfig route;
  std::vector<ReceiverConfig> receivers;
  std::vector<InhibitRule> inhibit_rules;
};

// Parses and validates alertmanager.yml text. `base_dir` resolves relative
// *_file paths (the config file's directory). Errors are InvalidArgument and
// name the key, e.g. `route.routes[0]: undefined receiver "team-x" used in
// route`, `receivers[1].webhook_configs[0]: field "foo" is not known`.
absl::StatusOr<Config> parse_config(std::string_view yaml, const std::string& base_dir = "");
// Reads the file, then parse_config() with its directory as base_dir.
absl::StatusOr<Config> load_config_file(const std::string& path);

// Alertmanager's label matcher strings: `a="b"`, `a=~"re"`, `a!="b"`,
// `a!~"re"`, values quoted or bare, several comma-separated, optionally in
// braces. Regexes are fully anchored; `.` does not match a newline (Go).
absl::StatusOr<std::vector<tsdb::Matcher>> parse_matchers(std::string_view text);

}  // namespace strata::rules::dispatch
