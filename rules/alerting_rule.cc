#include "rules/alerting_rule.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "base/log.h"
#include "net/url.h"
#include "tsdb/labels/matcher.h"
#include "tsdb/series.h"

namespace strata::rules {
namespace {

constexpr std::string_view kAlertName = "alertname";
constexpr std::string_view kAlertState = "alertstate";
constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kForStateMetric = "ALERTS_FOR_STATE";

// The rule's own labels (unexpanded, as Prometheus starts from them),
// overridden by the alert's, with __name__ set to `name` (and alertstate
// when given).
tsdb::Labels with_name(const std::vector<KeyValue>& rule_labels, const tsdb::Labels& base,
                       std::string_view name, const char* state) {
  std::vector<tsdb::Label> items(base.begin(), base.end());
  for (const auto& [n, v] : rule_labels)
    if (!v.empty() && !base.has(n)) items.push_back({n, v});
  items.push_back({std::string(tsdb::kMetricName), std::string(name)});
  if (state) items.push_back({std::string(kAlertState), state});
  return tsdb::Labels::from_unsorted(std::move(items));
}

int64_t floor_seconds_ms(int64_t ms) { return ms >= 0 ? ms / 1000 * 1000 : (ms - 999) / 1000 * 1000; }

}  // namespace

const char* alert_state_name(AlertState s) {
  switch (s) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kInactive:
      break;
  }
  return "inactive";
}

absl::StatusOr<std::unique_ptr<AlertingRule>> AlertingRule::create(
    const RuleNode& node, std::string query, promql::PreparedQuery prepared,
    std::shared_ptr<const AlertingRuleEnv> env) {
  auto parse = [&](const std::vector<KeyValue>& kvs, Templates* out) -> absl::Status {
    for (const auto& [k, v] : kvs) {
      auto t = AlertTemplate::parse(node.alert, v);
      if (!t.ok()) return t.status();
      out->emplace_back(k, std::move(*t));
    }
    return absl::OkStatus();
  };
  Templates labels, annotations;
  if (auto s = parse(node.labels, &labels); !s.ok()) return s;
  if (auto s = parse(node.annotations, &annotations); !s.ok()) return s;
  return std::unique_ptr<AlertingRule>(new AlertingRule(node, std::move(query), std::move(prepared),
                                                        std::move(env), std::move(labels),
                                                        std::move(annotations)));
}

AlertingRule::AlertingRule(const RuleNode& node, std::string query, promql::PreparedQuery prepared,
                           std::shared_ptr<const AlertingRuleEnv> env, Templates labels,
                           Templates annotations)
    : Rule(node.alert, std::move(query), std::move(prepared), node.labels),
      for_ms_(node.for_ms),
      keep_firing_for_ms_(node.keep_firing_for_ms),
      annotations_(node.annotations),
      env_(std::move(env)),
      label_templates_(std::move(labels)),
      annotation_templates_(std::move(annotations)) {}

std::string AlertingRule::expand(const AlertTemplate& t, const AlertTemplateData& data,
                                 int64_t t_ms, const TemplateQueryFn& query) const {
  if (env_->expansions) env_->expansions->inc();
  auto r = t.execute(data, t_ms, &query);
  if (r.ok()) return *std::move(r);
  if (env_->expansion_failures) env_->expansion_failures->inc();
  log::warn("rules", "Expanding alert template failed",
            {{"alert", name()}, {"err", r.status().message()}});
  return "<error expanding template: error executing template " + t.name() + ": " +
         std::string(r.status().message()) + ">";
}

absl::StatusOr<promql::Vector> AlertingRule::eval(const EvalContext& ctx) {
  auto res = query_vector(ctx);
  if (!res.ok()) return res.status();
  const int64_t ts = ctx.t_ms;

  // Templates' `query` runs at the evaluation time, through the same engine.
  const TemplateQueryFn query_fn = [&ctx](std::string_view expr, int64_t t_ms)
      -> absl::StatusOr<std::vector<TemplateSample>> {
    auto r = ctx.engine->instant(*ctx.queryable, expr, t_ms);
    if (!r.ok()) return r.status();
    std::vector<TemplateSample> out;
    if (auto* v = std::get_if<promql::Vector>(&r->value)) {
      for (auto& s : *v) out.push_back({std::move(s.metric), s.v});
    } else if (auto* sc = std::get_if<promql::Scalar>(&r->value)) {
      out.push_back({tsdb::Labels(), sc->v});
    } else {
      return absl::InvalidArgumentError("rule result is not a vector or scalar");
    }
    return out;
  };

  // This evaluation's alerts, by label hash.
  std::map<uint64_t, ActiveAlert> current;
  AlertTemplateData data;
  data.external_labels = env_->external_labels;
  data.external_url = env_->external_url;
  for (const auto& s : *res) {
    // $labels is the result series as it is, __name__ included.
    data.labels = s.metric;
    data.value = s.v;
    const tsdb::Labels metric = s.metric.without_metric_name();
    std::vector<tsdb::Label> items(metric.begin(), metric.end());
    for (const auto& [n, t] : label_templates_) {
      set_label(&items, n, expand(t, data, ts, query_fn));
    }
    std::erase_if(items, [](const tsdb::Label& l) { return l.name == kAlertName; });
    items.push_back({std::string(kAlertName), name()});
    std::vector<tsdb::Label> ann;
    for (const auto& [n, t] : annotation_templates_) ann.push_back({n, expand(t, data, ts, query_fn)});

    ActiveAlert a;
    a.labels = tsdb::Labels::from_unsorted(std::move(items));
    a.annotations = tsdb::Labels::from_unsorted(std::move(ann));
    a.value = s.v;
    a.active_at_ms = ts;
    uint64_t h = a.labels.hash();
    if (current.count(h))
      return absl::InvalidArgumentError(
          "vector contains metrics with the same labelset after applying alert labels");
    current.emplace(h, std::move(a));
  }

  std::lock_guard lock(mu_);
  for (auto& [h, a] : current) {
    auto it = active_.find(h);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = a.value;
      it->second.annotations = std::move(a.annotations);
      continue;
    }
    active_[h] = std::move(a);
  }

  promql::Vector out;
  int64_t active_count = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    ActiveAlert& a = it->second;
    if (!current.count(it->first)) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && keep_firing_for_ms_ > 0) {
        if (a.keep_firing_since_ms == kNoTime) a.keep_firing_since_ms = ts;
        keep_firing = ts - a.keep_firing_since_ms < keep_firing_for_ms_;
      }
      // Pending alerts vanish; resolved ones stay for the retention so that
      // notifiers hear of the resolution.
      bool erase = a.state == AlertState::kPending ||
                   (a.resolved_at_ms != kNoTime && ts - a.resolved_at_ms > kResolvedRetentionMs);
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = ts;
      }
      if (erase) {
        it = active_.erase(it);
        continue;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      a.keep_firing_since_ms = kNoTime;
    }
    ++active_count;
    if (a.state == AlertState::kPending && ts - a.active_at_ms >= for_ms_) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = ts;
    }
    if (restored_) {
      out.push_back({with_name(labels(), a.labels, kAlertsMetric, alert_state_name(a.state)), ts, 1});
      out.push_back({with_name(labels(), a.labels, kForStateMetric, nullptr), ts,
                     double(floor_seconds_ms(a.active_at_ms) / 1000)});
    }
    ++it;
  }
  if (ctx.limit > 0 && active_count > ctx.limit) {
    active_.clear();
    return absl::ResourceExhaustedError(
        fmt::format("exceeded limit of {} with {} alerts", ctx.limit, active_count));
  }
  return out;
}

std::vector<Alert> AlertingRule::alerts_to_send(int64_t t_ms, int64_t resend_delay_ms,
                                                int64_t interval_ms) {
  std::vector<Alert> out;
  std::lock_guard lock(mu_);
  for (auto& [h, a] : active_) {
    if (a.state == AlertState::kPending) continue;
    bool resolved_since_sent = a.resolved_at_ms != kNoTime &&
                               (a.last_sent_at_ms == kNoTime || a.resolved_at_ms > a.last_sent_at_ms);
    bool resend_due = a.last_sent_at_ms == kNoTime || a.last_sent_at_ms + resend_delay_ms < t_ms;
    if (!resolved_since_sent && !resend_due) continue;
    a.last_sent_at_ms = t_ms;
    a.valid_until_ms = t_ms + 4 * std::max(resend_delay_ms, interval_ms);
    Alert n;
    n.labels = a.labels;
    n.annotations = a.annotations;
    n.starts_at_ms = a.fired_at_ms;
    n.ends_at_ms = a.resolved_at_ms != kNoTime ? a.resolved_at_ms : a.valid_until_ms;
    n.generator_url = env_->external_url + "/graph?g0.expr=" + net::query_escape(query()) + "&g0.tab=1";
    out.push_back(std::move(n));
  }
  return out;
}

void AlertingRule::restore_for_state(tsdb::Queryable& db, int64_t t_ms, int64_t outage_tolerance_ms,
                                     int64_t grace_period_ms) {
  // A short `for` is simply waited again: restoring it would only delay
  // firing by the grace period.
  if (for_ms_ < grace_period_ms) {
    restored_ = true;
    return;
  }
  // The last ALERTS_FOR_STATE sample of every alert of this rule, by labels.
  std::map<tsdb::Labels, tsdb::Sample> last;
  auto q = db.querier(t_ms - outage_tolerance_ms, t_ms);
  if (q.ok()) {
    tsdb::Matchers ms;
    auto m1 = tsdb::Matcher::make(tsdb::MatchType::kEqual, std::string(tsdb::kMetricName),
                                  std::string(kForStateMetric));
    auto m2 = tsdb::Matcher::make(tsdb::MatchType::kEqual, std::string(kAlertName), name());
    if (m1.ok() && m2.ok()) {
      ms = {*m1, *m2};
      auto set = (*q)->select(tsdb::SelectOptions{}, ms);
      std::vector<tsdb::Sample> samples;
      while (set->next()) {
        samples.clear();
        const tsdb::Series& series = set->at();
        if (!series.decode(t_ms - outage_tolerance_ms, t_ms, &samples).ok() || samples.empty()) continue;
        last[series.labels().without_metric_name()] = samples.back();
      }
    }
  }
  std::lock_guard lock(mu_);
  for (auto& [h, a] : active_) {
    auto it = last.find(a.labels);
    if (it == last.end()) continue;
    const tsdb::Sample& s = it->second;
    if (std::bit_cast<uint64_t>(s.v) == tsdb::kStaleNaNBits) continue;  // was not active
    int64_t down_at = floor_seconds_ms(s.t);
    int64_t active_at = int64_t(s.v) * 1000;
    int64_t remaining = for_ms_ - (down_at - active_at);
    if (remaining <= 0) {
      // It was firing when the server went down; the next evaluation
      // makes it fire again.
    } else if (remaining < grace_period_ms) {
      active_at = t_ms + grace_period_ms - for_ms_;
    } else {
      active_at += t_ms - down_at;  // the outage does not count as pending time
    }
    a.active_at_ms = active_at;
  }
  restored_ = true;
}

std::vector<ActiveAlert> AlertingRule::alerts() const {
  std::vector<ActiveAlert> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [h, a] : active_) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.labels < b.labels; });
  return out;
}

AlertState AlertingRule::state() const {
  AlertState s = AlertState::kInactive;
  std::lock_guard lock(mu_);
  for (const auto& [h, a] : active_) s = std::max(s, a.state);
  return s;
}

void AlertingRule::copy_state_from(const AlertingRule& old) {
  std::scoped_lock lock(mu_, old.mu_);
  active_ = old.active_;
  restored_ = old.restored_;
}

}  // namespace strata::rules
