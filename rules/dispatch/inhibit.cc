#include "rules/dispatch/inhibit.h"

namespace strata::rules::dispatch {
namespace {

bool all_match(const std::vector<tsdb::Matcher>& ms, const tsdb::Labels& l) {
  for (const auto& m : ms) {
    if (!m.matches(l.get(m.name()))) return false;
  }
  return true;
}

// The values of the `equal` labels, absent as empty, joined unambiguously.
std::string equal_key(const std::vector<std::string>& names, const tsdb::Labels& l) {
  std::string key;
  for (const auto& n : names) {
    std::string_view v = l.get(n);
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

}  // namespace

Inhibitor::Inhibitor(const std::vector<InhibitRule>& rules, const std::map<uint64_t, Alert>& alerts,
                     int64_t now_ms) {
  for (const InhibitRule& r : rules) {
    Rule rule{&r, {}, {}};
    for (const auto& [fp, a] : alerts) {
      if (a.resolved_at(now_ms) || !all_match(r.source_matchers, a.labels)) continue;
      std::string key = equal_key(r.equal, a.labels);
      if (!all_match(r.target_matchers, a.labels)) rule.one_sided_sources.insert(key);
      rule.sources.insert(std::move(key));
    }
    rules_.push_back(std::move(rule));
  }
}

bool Inhibitor::muted(const tsdb::Labels& labels) const {
  for (const Rule& r : rules_) {
    if (r.sources.empty() || !all_match(r.config->target_matchers, labels)) continue;
    const std::string key = equal_key(r.config->equal, labels);
    const bool both_sides = all_match(r.config->source_matchers, labels);
    if ((both_sides ? r.one_sided_sources : r.sources).count(key)) return true;
  }
  return false;
}

}  // namespace strata::rules::dispatch
