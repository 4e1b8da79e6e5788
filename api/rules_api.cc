// /api/v1/rules and /api/v1/alerts over rules::RulesView, and
// /api/v1/alertmanagers over the notifier's AlertmanagersView, in the shapes
// Prometheus answers (Grafana's alerting views and its recording-rule
// expansion read them).
#include <algorithm>
#include <set>

#include "api/handlers.h"
#include "api/value_json.h"
#include "base/float_format.h"
#include "rules/rules_view.h"

namespace strata::api {
namespace {

void write_kv_object(JsonWriter& w, const std::vector<rules::KeyValue>& kvs) {
  w.begin_object();
  for (const auto& [k, v] : kvs) {
    w.key(k);
    w.string(v);
  }
  w.end_object();
}

void write_alert(JsonWriter& w, const rules::ActiveAlert& a) {
  w.begin_object();
  w.key("labels");
  write_labels(w, a.labels);
  w.key("annotations");
  write_labels(w, a.annotations);
  w.key("state");
  w.string(rules::alert_state_name(a.state));
  w.key("activeAt");
  w.string(format_rfc3339(a.active_at_ms));
  if (a.keep_firing_since_ms != rules::kNoTime) {
    w.key("keepFiringSince");
    w.string(format_rfc3339(a.keep_firing_since_ms));
  }
  std::string v;
  append_float_go_e(&v, a.value);
  w.key("value");
  w.string(v);
  w.end_object();
}

// Active alerts: pending and firing (resolved ones kept for notifiers are not).
bool active(const rules::ActiveAlert& a) { return a.state != rules::AlertState::kInactive; }

void write_status(JsonWriter& w, const rules::RuleStatus& s) {
  w.key("health");
  w.string(rules::rule_health_name(s.health));
  if (!s.last_error.empty()) {
    w.key("lastError");
    w.string(s.last_error);
  }
  w.key("evaluationTime");
  w.number(s.evaluation_time_s);
  w.key("lastEvaluation");
  w.string(format_rfc3339(s.last_evaluation_ms));
}

void write_rule(JsonWriter& w, const rules::RuleSnapshot& r, bool exclude_alerts) {
  w.begin_object();
  if (r.alerting) {
    w.key("state");
    w.string(rules::alert_state_name(r.state));
  }
  w.key("name");
  w.string(r.name);
  w.key("query");
  w.string(r.query);
  if (r.alerting) {
    w.key("duration");
    w.number(double(r.for_ms) / 1000);
    w.key("keepFiringFor");
    w.number(double(r.keep_firing_for_ms) / 1000);
  }
  if (r.alerting || !r.labels.empty()) {
    w.key("labels");
    write_kv_object(w, r.labels);
  }
  if (r.alerting) {
    w.key("annotations");
    write_kv_object(w, r.annotations);
    if (!exclude_alerts) {
      w.key("alerts");
      w.begin_array();
      for (const auto& a : r.alerts)
        if (active(a)) write_alert(w, a);
      w.end_array();
    }
  }
  write_status(w, r.status);
  w.key("type");
  w.string(r.alerting ? "alerting" : "recording");
  w.end_object();
}

}  // namespace

ApiResult handle_rules(ApiContext& ctx, const Form& form) {
  // Prometheus' filters: type=alert|record, rule_name[], rule_group[], file[].
  std::string type = form.value("type");
  for (char& ch : type) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (!type.empty() && type != "alert" && type != "record")
    return bad_data("invalid parameter \"type\": not supported value \"" + type + "\"");
  std::string exclude = form.value("exclude_alerts");
  if (!exclude.empty() && exclude != "true" && exclude != "false")
    return bad_data("invalid parameter \"exclude_alerts\": strconv.ParseBool: parsing \"" +
                    exclude + "\": invalid syntax");
  auto as_set = [&](const char* key) {
    auto v = form.values(key);
    return std::set<std::string>(v.begin(), v.end());
  };
  const std::set<std::string> names = as_set("rule_name[]"), groups = as_set("rule_group[]"),
                              files = as_set("file[]");
  std::vector<rules::GroupSnapshot> snap;
  if (ctx.rules) snap = ctx.rules->rule_groups();
  const bool exclude_alerts = exclude == "true";

  ApiResult r;
  r.data = [snap = std::move(snap), type, names, groups, files, exclude_alerts](JsonWriter& w) {
    w.begin_object();
    w.key("groups");
    w.begin_array();
    for (const auto& g : snap) {
      if (!groups.empty() && !groups.count(g.name)) continue;
      if (!files.empty() && !files.count(g.file)) continue;
      std::vector<const rules::RuleSnapshot*> kept;
      for (const auto& rule : g.rules) {
        if (type == "alert" && !rule.alerting) continue;
        if (type == "record" && rule.alerting) continue;
        if (!names.empty() && !names.count(rule.name)) continue;
        kept.push_back(&rule);
      }
      w.begin_object();
      w.key("name");
      w.string(g.name);
      w.key("file");
      w.string(g.file);
      w.key("rules");
      w.begin_array();
      for (const auto* rule : kept) write_rule(w, *rule, exclude_alerts);
      w.end_array();
      w.key("interval");
      w.number(double(g.interval_ms) / 1000);
      w.key("limit");
      w.integer(g.limit);
      w.key("evaluationTime");
      w.number(g.evaluation_time_s);
      w.key("lastEvaluation");
      w.string(format_rfc3339(g.last_evaluation_ms));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  };
  return r;
}

ApiResult handle_alerts(ApiContext& ctx) {
  std::vector<rules::ActiveAlert> alerts;
  if (ctx.rules)
    for (const auto& g : ctx.rules->rule_groups())
      for (const auto& rule : g.rules)
        for (const auto& a : rule.alerts)
          if (active(a)) alerts.push_back(a);
  ApiResult r;
  r.data = [alerts = std::move(alerts)](JsonWriter& w) {
    w.begin_object();
    w.key("alerts");
    w.begin_array();
    for (const auto& a : alerts) write_alert(w, a);
    w.end_array();
    w.end_object();
  };
  return r;
}

ApiResult handle_alertmanagers(ApiContext& ctx) {
  rules::notifier::AlertmanagersSnapshot s;
  if (ctx.alertmanagers) s = ctx.alertmanagers->alertmanagers();
  ApiResult r;
  r.data = [s = std::move(s)](JsonWriter& w) {
    auto list = [&w](const char* key, const std::vector<std::string>& urls) {
      w.key(key);
      w.begin_array();
      for (const auto& u : urls) {
        w.begin_object();
        w.key("url");
        w.string(u);
        w.end_object();
      }
      w.end_array();
    };
    w.begin_object();
    list("activeAlertmanagers", s.active);
    list("droppedAlertmanagers", s.dropped);
    w.end_object();
  };
  return r;
}

}  // namespace strata::api
