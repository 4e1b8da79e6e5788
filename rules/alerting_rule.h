// An alerting rule and the state of its alerts, as Prometheus keeps them:
//
//   inactive --result appears--> pending --held `for`--> firing
//   pending  --result gone-----> deleted
//   firing   --result gone for keep_firing_for--> inactive (resolved), kept
//            15 minutes so notifiers hear it resolved, then deleted
//
// An alert is one result series: its labels minus __name__, plus the rule's
// labels (templated with $labels and $value), plus alertname. Each
// evaluation updates value and annotations; the output samples are
// ALERTS{alertstate="pending"|"firing",...} = 1 and ALERTS_FOR_STATE{...} =
// active-since in seconds (the latter lets a restarted server restore how
// long an alert has been pending: restore_for_state()).
//
// Threads: eval(), restore_for_state() and alerts_to_send() run on the
// group's thread; alerts() is read by API threads. All state is under mu_.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/metrics.h"
#include "rules/alert.h"
#include "rules/rule.h"
#include "rules/template/alert_template.h"

namespace strata::rules {

enum class AlertState { kInactive, kPending, kFiring };
const char* alert_state_name(AlertState s);  // "inactive", "pending", "firing"

// A time that is not set (Go's zero time.Time).
inline constexpr int64_t kNoTime = INT64_MIN;

struct ActiveAlert {
  AlertState state = AlertState::kPending;
  tsdb::Labels labels;
  tsdb::Labels annotations;
  double value = 0;
  int64_t active_at_ms = kNoTime;
  int64_t fired_at_ms = kNoTime;
  int64_t resolved_at_ms = kNoTime;
  int64_t last_sent_at_ms = kNoTime;
  int64_t valid_until_ms = kNoTime;
  int64_t keep_firing_since_ms = kNoTime;
};

// What templates of an alerting rule may refer to besides the alert.
struct AlertingRuleEnv {
  tsdb::Labels external_labels;  // $externalLabels
  std::string external_url;      // $externalURL, generator URLs
  // prometheus_template_text_expansions_total and ..._failures_total; may
  // be null (tests, stratatool).
  metrics::Counter* expansions = nullptr;
  metrics::Counter* expansion_failures = nullptr;
};

class AlertingRule final : public Rule {
 public:
  // Resolved alerts are kept (and re-sent) this long.
  static constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

  // Parses the label and annotation templates; their errors (already
  // reported by the rule-file check) are returned here too.
  static absl::StatusOr<std::unique_ptr<AlertingRule>> create(
      const RuleNode& node, std::string query, promql::PreparedQuery prepared,
      std::shared_ptr<const AlertingRuleEnv> env);

  absl::StatusOr<promql::Vector> eval(const EvalContext& ctx) override;
  AlertingRule* as_alerting() override { return this; }
  const AlertingRule* as_alerting() const override { return this; }

  int64_t for_ms() const { return for_ms_; }
  int64_t keep_firing_for_ms() const { return keep_firing_for_ms_; }
  const std::vector<KeyValue>& annotations() const { return annotations_; }

  // The alerts that need (re)sending after an evaluation at t_ms: firing
  // ones not sent for `resend_delay_ms`, and resolved ones not sent since
  // they resolved. Marks them sent; ends_at is the resolution time or
  // t + 4 × max(resend delay, interval).
  std::vector<Alert> alerts_to_send(int64_t t_ms, int64_t resend_delay_ms, int64_t interval_ms);

  // After a restart: takes how long each active alert had been pending from
  // the ALERTS_FOR_STATE series in [t - outage_tolerance, t] (Prometheus'
  // RestoreForState, with the grace period). Marks the rule restored: only
  // then does eval() output ALERTS samples.
  void restore_for_state(tsdb::Queryable& db, int64_t t_ms, int64_t outage_tolerance_ms,
                         int64_t grace_period_ms);
  void set_restored() { restored_ = true; }

  // A snapshot of the alerts (all states), sorted by labels.
  std::vector<ActiveAlert> alerts() const;
  // The most severe state of its alerts.
  AlertState state() const;
  // Takes the alerts of the rule this one replaces on a reload.
  void copy_state_from(const AlertingRule& old);

 private:
  using Templates = std::vector<std::pair<std::string, AlertTemplate>>;
  AlertingRule(const RuleNode& node, std::string query, promql::PreparedQuery prepared,
               std::shared_ptr<const AlertingRuleEnv> env, Templates labels, Templates annotations);

  // One template expanded for an alert; a failure is logged, counted and
  // shown as Prometheus shows it ("<error expanding template: ...>").
  std::string expand(const AlertTemplate& t, const AlertTemplateData& data, int64_t t_ms,
                     const TemplateQueryFn& query) const;

  const int64_t for_ms_;
  const int64_t keep_firing_for_ms_;
  const std::vector<KeyValue> annotations_;
  const std::shared_ptr<const AlertingRuleEnv> env_;
  // Parsed once; expanded for every alert at every evaluation.
  const Templates label_templates_;
  const Templates annotation_templates_;
  bool restored_ = false;  // group thread only
  std::map<uint64_t, ActiveAlert> active_;  // by hash of the alert's labels; under mu_
};

}  // namespace strata::rules
