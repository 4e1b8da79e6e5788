// Read-only view of the rule manager for the HTTP API (/api/v1/rules,
// /api/v1/alerts): snapshots, copied under the rules' locks, so a request
// never holds a lock of the evaluation path while it writes JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/alerting_rule.h"
#include "rules/rule.h"

namespace strata::rules {

struct RuleSnapshot {
  bool alerting = false;
  std::string name;
  std::string query;
  std::vector<KeyValue> labels;
  RuleStatus status;
  // Alerting rules only.
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  std::vector<KeyValue> annotations;
  AlertState state = AlertState::kInactive;
  std::vector<ActiveAlert> alerts;
};

struct GroupSnapshot {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  int64_t last_evaluation_ms = 0;  // wall clock; 0 = never
  double evaluation_time_s = 0;
  std::vector<RuleSnapshot> rules;
};

class RulesView {
 public:
  virtual ~RulesView() = default;
  // Groups sorted by file, then name (as Prometheus lists them).
  virtual std::vector<GroupSnapshot> rule_groups() const = 0;
};

}  // namespace strata::rules
