#include "rules/rule.h"

namespace strata::rules {

const char* rule_health_name(RuleHealth h) {
  switch (h) {
    case RuleHealth::kGood:
      return "ok";
    case RuleHealth::kBad:
      return "err";
    case RuleHealth::kUnknown:
      break;
  }
  return "unknown";
}

void set_label(std::vector<tsdb::Label>* items, const std::string& name, std::string value) {
  std::erase_if(*items, [&name](const tsdb::Label& l) { return l.name == name; });
  if (!value.empty()) items->push_back({name, std::move(value)});
}

RuleStatus Rule::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void Rule::set_status(RuleStatus s) {
  std::lock_guard lock(mu_);
  status_ = std::move(s);
}

void Rule::set_error(std::string err) {
  std::lock_guard lock(mu_);
  status_.health = RuleHealth::kBad;
  status_.last_error = std::move(err);
}

absl::StatusOr<promql::Vector> Rule::query_vector(const EvalContext& ctx) const {
  auto r = ctx.engine->instant(*ctx.queryable, prepared_, ctx.t_ms);
  if (!r.ok()) return r.status();
  if (auto* v = std::get_if<promql::Vector>(&r->value)) return std::move(*v);
  if (auto* s = std::get_if<promql::Scalar>(&r->value))
    return promql::Vector{promql::VectorSample{tsdb::Labels(), s->t, s->v}};
  return absl::InvalidArgumentError("rule result is not a vector or scalar");
}

}  // namespace strata::rules
