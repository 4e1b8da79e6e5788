// A recording rule: evaluates its expression and stores the result under a
// new metric name with the rule's labels (which override the result's).
#pragma once

#include "rules/rule.h"

namespace strata::rules {

class RecordingRule final : public Rule {
 public:
  RecordingRule(std::string record, std::string query, promql::PreparedQuery prepared,
                std::vector<KeyValue> labels)
      : Rule(std::move(record), std::move(query), std::move(prepared), std::move(labels)) {}
  // The samples at ctx.t_ms named after the rule. Errors as Prometheus':
  // "vector contains metrics with the same labelset after applying rule
  // labels", "exceeded limit of 10 with 12 series", the query's error.
  absl::StatusOr<promql::Vector> eval(const EvalContext& ctx) override;
};

}  // namespace strata::rules
