// parse_config(): the top level, `global` and the routing tree, then the
// cross checks Alertmanager makes (config.h). Receivers are parsed in
// config_receivers.cc.
#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "base/status.h"
#include "rules/dispatch/config.h"
#include "rules/dispatch/config_yaml.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {

// In config_receivers.cc.
absl::Status parse_receivers(const YAML::Node& n, const GlobalConfig& g, const std::string& dir,
                             std::vector<ReceiverConfig>* out);

namespace {

using yaml::error;

// Routes deeper than this are refused: the tree is walked recursively.
constexpr int kMaxRouteDepth = 32;

bool valid_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

absl::Status parse_global(const YAML::Node& n, GlobalConfig* g, const std::string& dir) {
  const std::string p = "global";
  STRATA_RETURN_IF_ERROR(yaml::check_keys(
      n, p,
      {"resolve_timeout", "smtp_from", "smtp_smarthost", "smtp_hello", "smtp_auth_username",
       "smtp_auth_password", "smtp_auth_password_file", "smtp_auth_identity", "smtp_require_tls",
       "slack_api_url", "slack_api_url_file"}));
  if (!n || n.IsNull()) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(yaml::get_duration(n, "resolve_timeout", p, &g->resolve_timeout_ms));
  if (g->resolve_timeout_ms <= 0) return error(p, "resolve_timeout must be positive");
  for (auto [k, f] : {std::pair{"smtp_from", &g->smtp_from},
                      {"smtp_smarthost", &g->smtp_smarthost},
                      {"smtp_hello", &g->smtp_hello},
                      {"smtp_auth_username", &g->smtp_auth_username},
                      {"smtp_auth_password", &g->smtp_auth_password},
                      {"smtp_auth_password_file", &g->smtp_auth_password_file},
                      {"smtp_auth_identity", &g->smtp_auth_identity},
                      {"slack_api_url", &g->slack_api_url},
                      {"slack_api_url_file", &g->slack_api_url_file}}) {
    STRATA_RETURN_IF_ERROR(yaml::get_string(n, k, p, f));
  }
  if (!g->smtp_auth_password.empty() && !g->smtp_auth_password_file.empty()) {
    return error(p,
                 "at most one of smtp_auth_password & smtp_auth_password_file must be configured");
  }
  if (!g->slack_api_url.empty() && !g->slack_api_url_file.empty()) {
    return error(p, "at most one of slack_api_url & slack_api_url_file must be configured");
  }
  g->smtp_auth_password_file = yaml::resolve_path(dir, g->smtp_auth_password_file);
  g->slack_api_url_file = yaml::resolve_path(dir, g->slack_api_url_file);
  return yaml::get_bool(n, "smtp_require_tls", p, &g->smtp_require_tls);
}

absl::Status parse_group_by(const YAML::Node& n, const std::string& p, RouteConfig* r) {
  if (!n.IsSequence()) return error(p, "group_by: expected a list of label names");
  std::set<std::string> seen;
  bool all = false;
  for (const auto& item : n) {
    std::string name = item.as<std::string>();
    if (name == "...") {
      all = true;
    } else if (!valid_label_name(name)) {
      return error(p, "group_by: invalid label name " + tsdb::go_quote(name));
    }
    if (!seen.insert(name).second) {
      return error(p, "duplicated label " + tsdb::go_quote(name) + " in group_by");
    }
  }
  if (all && seen.size() > 1) {
    return error(p, "cannot have wildcard group_by (`...`) and other labels at the same time");
  }
  r->group_by_all = all;
  r->group_by.clear();
  if (!all) r->group_by.assign(seen.begin(), seen.end());
  return absl::OkStatus();
}

absl::Status parse_match_map(const YAML::Node& n, const std::string& p, bool regex,
                             std::vector<tsdb::Matcher>* out) {
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsMap()) return error(p, "expected a mapping of label names to values");
  for (const auto& kv : n) {
    std::string name = kv.first.as<std::string>();
    if (!valid_label_name(name)) return error(p, "invalid label name " + tsdb::go_quote(name));
    auto m = tsdb::Matcher::make(regex ? tsdb::MatchType::kRegexMatch : tsdb::MatchType::kEqual,
                                 name, kv.second.as<std::string>(),
                                 tsdb::RegexOptions{.dot_matches_newline = false});
    if (!m.ok()) return error(p, std::string(m.status().message()));
    out->push_back(*std::move(m));
  }
  return absl::OkStatus();
}

absl::Status parse_matcher_list(const YAML::Node& n, const std::string& p,
                                std::vector<tsdb::Matcher>* out) {
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsSequence()) return error(p, "expected a list of strings");
  for (const auto& m : n) {
    auto parsed = parse_matchers(m.as<std::string>());
    if (!parsed.ok()) return error(p, std::string(parsed.status().message()));
    for (auto& x : *parsed) out->push_back(std::move(x));
  }
  return absl::OkStatus();
}

// `parent` is the effective config of the parent (nullopt for the root).
absl::Status parse_route(const YAML::Node& n, const std::string& p,
                         const std::optional<RouteConfig>& parent, int depth, RouteConfig* r) {
  if (depth > kMaxRouteDepth) return error(p, "routes nested too deeply");
  STRATA_RETURN_IF_ERROR(
      yaml::check_keys(n, p,
                       {"receiver", "group_by", "group_wait", "group_interval", "repeat_interval",
                        "matchers", "match", "match_re", "continue", "routes"}));
  if (!n.IsMap()) return error(p, "expected a mapping");
  if (parent) {
    r->receiver = parent->receiver;
    r->group_by = parent->group_by;
    r->group_by_all = parent->group_by_all;
    r->group_wait_ms = parent->group_wait_ms;
    r->group_interval_ms = parent->group_interval_ms;
    r->repeat_interval_ms = parent->repeat_interval_ms;
  }
  STRATA_RETURN_IF_ERROR(yaml::get_string(n, "receiver", p, &r->receiver));
  if (YAML::Node g = n["group_by"]; g && !g.IsNull()) {
    STRATA_RETURN_IF_ERROR(parse_group_by(g, p, r));
  }
  bool set = false;
  STRATA_RETURN_IF_ERROR(yaml::get_duration(n, "group_wait", p, &r->group_wait_ms));
  STRATA_RETURN_IF_ERROR(yaml::get_duration(n, "group_interval", p, &r->group_interval_ms, &set));
  if (set && r->group_interval_ms == 0) return error(p, "group_interval cannot be zero");
  STRATA_RETURN_IF_ERROR(yaml::get_duration(n, "repeat_interval", p, &r->repeat_interval_ms, &set));
  if (set && r->repeat_interval_ms == 0) return error(p, "repeat_interval cannot be zero");
  STRATA_RETURN_IF_ERROR(parse_match_map(n["match"], p + ".match", false, &r->matchers));
  STRATA_RETURN_IF_ERROR(parse_match_map(n["match_re"], p + ".match_re", true, &r->matchers));
  STRATA_RETURN_IF_ERROR(parse_matcher_list(n["matchers"], p + ".matchers", &r->matchers));
  STRATA_RETURN_IF_ERROR(yaml::get_bool(n, "continue", p, &r->continue_matching));
  if (!parent) {
    if (r->receiver.empty()) return error(p, "root route must specify a default receiver");
    if (!r->matchers.empty()) return error(p, "root route must not have any matchers");
    if (r->continue_matching) return error(p, "cannot have continue in root route");
  }
  if (YAML::Node rs = n["routes"]; rs && !rs.IsNull()) {
    if (!rs.IsSequence()) return error(p, "routes: expected a list");
    for (size_t i = 0; i < rs.size(); ++i) {
      RouteConfig child;
      STRATA_RETURN_IF_ERROR(
          parse_route(rs[i], p + ".routes[" + std::to_string(i) + "]", *r, depth + 1, &child));
      r->routes.push_back(std::move(child));
    }
  }
  return absl::OkStatus();
}

absl::Status check_receivers_used(const RouteConfig& r, const std::string& p,
                                  const std::set<std::string>& names) {
  if (!names.count(r.receiver)) {
    return error(p, "undefined receiver " + tsdb::go_quote(r.receiver) + " used in route");
  }
  for (size_t i = 0; i < r.routes.size(); ++i) {
    STRATA_RETURN_IF_ERROR(
        check_receivers_used(r.routes[i], p + ".routes[" + std::to_string(i) + "]", names));
  }
  return absl::OkStatus();
}

absl::Status parse_inhibit_rules(const YAML::Node& n, std::vector<InhibitRule>* out) {
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsSequence()) return error("inhibit_rules", "expected a list");
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = "inhibit_rules[" + std::to_string(i) + "]";
    const YAML::Node& r = n[i];
    STRATA_RETURN_IF_ERROR(
        yaml::check_keys(r, p,
                         {"source_matchers", "target_matchers", "source_match", "source_match_re",
                          "target_match", "target_match_re", "equal"}));
    if (!r.IsMap()) return error(p, "expected a mapping");
    InhibitRule rule;
    STRATA_RETURN_IF_ERROR(
        parse_match_map(r["source_match"], p + ".source_match", false, &rule.source_matchers));
    STRATA_RETURN_IF_ERROR(
        parse_match_map(r["source_match_re"], p + ".source_match_re", true, &rule.source_matchers));
    STRATA_RETURN_IF_ERROR(
        parse_matcher_list(r["source_matchers"], p + ".source_matchers", &rule.source_matchers));
    STRATA_RETURN_IF_ERROR(
        parse_match_map(r["target_match"], p + ".target_match", false, &rule.target_matchers));
    STRATA_RETURN_IF_ERROR(
        parse_match_map(r["target_match_re"], p + ".target_match_re", true, &rule.target_matchers));
    STRATA_RETURN_IF_ERROR(
        parse_matcher_list(r["target_matchers"], p + ".target_matchers", &rule.target_matchers));
    if (YAML::Node eq = r["equal"]; eq && !eq.IsNull()) {
      if (!eq.IsSequence()) return error(p, "equal: expected a list of label names");
      std::set<std::string> names;
      for (const auto& x : eq) {
        std::string name = x.as<std::string>();
        if (!valid_label_name(name)) {
          return error(p, "equal: invalid label name " + tsdb::go_quote(name));
        }
        names.insert(name);
      }
      rule.equal.assign(names.begin(), names.end());
    }
    out->push_back(std::move(rule));
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> parse(std::string_view text, const std::string& dir) {
  YAML::Node root = YAML::Load(std::string(text));
  if (!root || root.IsNull()) return error("", "empty notifications config");
  STRATA_RETURN_IF_ERROR(
      yaml::check_keys(root, "", {"global", "route", "receivers", "inhibit_rules"}));
  Config c;
  STRATA_RETURN_IF_ERROR(parse_global(root["global"], &c.global, dir));
  YAML::Node route = root["route"];
  if (!route || route.IsNull()) return error("", "no route provided in config");
  STRATA_RETURN_IF_ERROR(parse_route(route, "route", std::nullopt, 0, &c.route));
  STRATA_RETURN_IF_ERROR(parse_receivers(root["receivers"], c.global, dir, &c.receivers));
  std::set<std::string> names;
  for (const auto& r : c.receivers) names.insert(r.name);
  STRATA_RETURN_IF_ERROR(check_receivers_used(c.route, "route", names));
  STRATA_RETURN_IF_ERROR(parse_inhibit_rules(root["inhibit_rules"], &c.inhibit_rules));
  return c;
}

}  // namespace

absl::StatusOr<Config> parse_config(std::string_view yaml, const std::string& base_dir) {
  if (yaml.size() > 16 * 1024 * 1024)
    return absl::InvalidArgumentError("notifications config too large");
  try {
    return parse(yaml, base_dir);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(std::string("notifications config: ") + e.what());
  }
}

absl::StatusOr<Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read notifications config " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string dir;
  if (auto slash = path.rfind('/'); slash != std::string::npos) dir = path.substr(0, slash);
  auto c = parse_config(ss.str(), dir);
  if (!c.ok()) return annotate(c.status(), "loading " + path);
  return c;
}

}  // namespace strata::rules::dispatch
