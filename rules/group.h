// A rule group: its rules, evaluated in order every `interval` on the
// group's own thread, as Prometheus' rules.Group.
//
// Schedule: evaluation timestamps are aligned, t = k × interval + offset,
// where the offset is a hash of (file, name) modulo the interval, so that
// groups spread out and a restarted server evaluates at the same instants.
// An evaluation that overruns skips the instants it missed (counted in
// prometheus_rule_group_iterations_missed_total).
//
// One evaluation at t: each rule runs at t - query_offset; its samples are
// committed before the next rule runs (a recording rule feeds the rules
// after it); series the rule returned last time and not now get a staleness
// marker; a rule whose query fails keeps its previous series (no markers).
// Alerting rules then hand the alerts due for (re)sending to the sink.
//
// On the first start of the server (restore = true) alerting rules hold
// their ALERTS samples back until the second evaluation, then restore how
// long their alerts have been pending from ALERTS_FOR_STATE.
//
// Threads: start() spawns the group's thread; stop() joins it. The API
// reads snapshot() from other threads (rules lock their own state).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/metrics.h"
#include "rules/alert.h"
#include "rules/rule.h"
#include "rules/rules_view.h"

namespace strata::rules {

// prometheus_rule_* self-metrics, labelled rule_group="<file>;<name>".
struct RuleMetrics {
  explicit RuleMetrics(metrics::Registry* registry);
  metrics::Histogram* eval_duration;   // prometheus_rule_evaluation_duration_seconds
  metrics::Histogram* group_duration;  // prometheus_rule_group_duration_seconds
  metrics::Family<metrics::Counter>* evaluations;       // ..._rule_evaluations_total
  metrics::Family<metrics::Counter>* eval_failures;     // ..._rule_evaluation_failures_total
  metrics::Family<metrics::Counter>* iterations;        // ..._rule_group_iterations_total
  metrics::Family<metrics::Counter>* iterations_missed; // ..._rule_group_iterations_missed_total
  metrics::Family<metrics::Gauge>* interval;            // ..._rule_group_interval_seconds
  metrics::Family<metrics::Gauge>* last_eval;           // ..._last_evaluation_timestamp_seconds
  metrics::Family<metrics::Gauge>* last_duration;       // ..._rule_group_last_duration_seconds
  metrics::Family<metrics::Gauge>* rule_count;          // ..._rule_group_rules
  metrics::Family<metrics::Gauge>* last_samples;        // ..._last_evaluation_samples
  metrics::Counter* template_expansions;  // prometheus_template_text_expansions_total
  metrics::Counter* template_failures;    // ..._template_text_expansion_failures_total
};

// What every group of a manager shares. Pointers outlive the groups.
struct GroupEnv {
  promql::Engine* engine = nullptr;
  tsdb::Queryable* queryable = nullptr;
  tsdb::Appendable* appendable = nullptr;
  // Where alerts go (the Alertmanager notifier, direct notifications);
  // none: alerts are evaluated, not sent.
  std::vector<AlertSink*> sinks;
  RuleMetrics* metrics = nullptr;
  int64_t resend_delay_ms = 60'000;
  int64_t outage_tolerance_ms = 3'600'000;
  int64_t grace_period_ms = 600'000;
  bool utf8_names = true;  // names recorded rules may produce (Prometheus 3)
  std::function<int64_t()> now_ms;  // wall clock in ms
};

class Group {
 public:
  Group(std::string file, std::string name, int64_t interval_ms, int64_t limit,
        int64_t query_offset_ms, std::vector<std::unique_ptr<Rule>> rules, const GroupEnv* env);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  const std::string& file() const { return file_; }
  const std::string& name() const { return name_; }
  std::string key() const { return file_ + ";" + name_; }  // the rule_group label
  int64_t interval_ms() const { return interval_ms_; }
  const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }

  // The same definition (name, file, interval, limit, offset, rules).
  bool same_definition(const Group& o) const;
  // Before start(): takes the alerts and the previous evaluation's series
  // of the group this one replaces, rule by rule (by name, in order).
  void copy_state_from(Group& old);

  // The first aligned evaluation instant at or after `now_ms`.
  int64_t next_eval_ms(int64_t now_ms) const;
  // Alerting rules output ALERTS from the first evaluation on (no restore).
  void mark_restored();
  // Starts the thread; `restore`: see the file comment.
  void start(bool restore);
  // Stops and joins the thread (an evaluation in progress finishes first).
  void stop();
  // Staleness markers at t for every series of the last evaluation (a group
  // removed by a reload).
  void mark_all_stale(int64_t t_ms);

  // One evaluation at `t_ms` (the thread's loop; also tests and
  // `stratatool test rules`).
  void eval(int64_t t_ms);

  GroupSnapshot snapshot() const;

 private:
  void run(bool restore);
  // Sleeps until `t_ms` of the wall clock; false when stopped.
  bool sleep_until(int64_t t_ms);
  // Evaluates and appends rule i; the number of samples it returned.
  size_t eval_rule(size_t i, int64_t t_ms);
  // Appends `samples` and staleness markers; returns the first error.
  std::string append(size_t i, const promql::Vector& samples, int64_t t_ms);

  const std::string file_, name_;
  const int64_t interval_ms_, limit_, query_offset_ms_;
  const std::vector<std::unique_ptr<Rule>> rules_;
  const GroupEnv* env_;
  const std::string key_;
  // Per rule: the series appended by its last good evaluation, by hash.
  // Group thread only (and copy_state_from/mark_all_stale when not running).
  std::vector<std::unordered_map<uint64_t, tsdb::Labels>> previous_;

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  bool stopping_ = false;
  int64_t last_evaluation_ms_ = 0;
  double evaluation_time_s_ = 0;
  std::thread thread_;
};

}  // namespace strata::rules
