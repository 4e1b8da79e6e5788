// What recording and alerting rules share: the prepared expression, the
// health of the last evaluation, and the context one evaluation runs in.
//
// Threads: a rule is evaluated by its group's thread only; the API reads
// its status (and an alerting rule's alerts) from request threads, so the
// status lives under the rule's mutex. The expression and labels are
// immutable after construction.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "promql/engine.h"
#include "promql/value.h"
#include "rules/rule_file.h"
#include "tsdb/storage.h"

namespace strata::rules {

class AlertingRule;

enum class RuleHealth { kUnknown, kGood, kBad };
const char* rule_health_name(RuleHealth h);  // "unknown", "ok", "err" as the API says

// One evaluation of one rule.
struct EvalContext {
  promql::Engine* engine;
  tsdb::Queryable* queryable;
  int64_t t_ms;       // the evaluation timestamp (minus the group's query offset)
  int64_t limit;      // the group's limit; 0 = none
};

// labels.Builder's Set on a label list: replaces `name`; an empty value
// removes it.
void set_label(std::vector<tsdb::Label>* items, const std::string& name, std::string value);

struct RuleStatus {
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;
  int64_t last_evaluation_ms = 0;  // wall clock when the evaluation started; 0 = never
  double evaluation_time_s = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;
  const std::string& name() const { return name_; }
  // The expression as Prometheus prints it (API "query", generator URLs).
  const std::string& query() const { return query_; }
  const std::vector<KeyValue>& labels() const { return labels_; }
  const promql::PreparedQuery& prepared() const { return prepared_; }
  // Evaluates at ctx.t_ms: the samples to append (recorded series, or
  // ALERTS / ALERTS_FOR_STATE), or the error that makes the rule unhealthy.
  virtual absl::StatusOr<promql::Vector> eval(const EvalContext& ctx) = 0;
  // The rule as an alerting rule, or null for a recording rule.
  virtual AlertingRule* as_alerting() { return nullptr; }
  virtual const AlertingRule* as_alerting() const { return nullptr; }

  RuleStatus status() const;
  void set_status(RuleStatus s);
  // Records an error of the append that follows a good evaluation.
  void set_error(std::string err);

 protected:
  Rule(std::string name, std::string query, promql::PreparedQuery prepared,
       std::vector<KeyValue> labels)
      : name_(std::move(name)),
        query_(std::move(query)),
        prepared_(std::move(prepared)),
        labels_(std::move(labels)) {}
  // Runs the expression; a scalar becomes one sample without labels, other
  // non-vector results are the error Prometheus gives.
  absl::StatusOr<promql::Vector> query_vector(const EvalContext& ctx) const;

  mutable std::mutex mu_;  // guards status_ (and subclasses' state)

 private:
  const std::string name_;
  const std::string query_;
  const promql::PreparedQuery prepared_;
  const std::vector<KeyValue> labels_;
  RuleStatus status_;
};

}  // namespace strata::rules
