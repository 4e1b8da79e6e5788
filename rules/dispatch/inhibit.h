// Inhibitor: Alertmanager's inhibit_rules over the alerts the dispatcher
// keeps. Built from the firing alerts of one instant (a tick), then asked
// whether an alert is muted: some rule's target_matchers match it, and an
// alert matching that rule's source_matchers fires with the same values of
// the rule's `equal` labels. An alert matching both sides of a rule is not
// muted by itself, nor by other alerts that match both sides (Alertmanager's
// rule, so that a rule cannot mute the alerts that feed it).
//
// Immutable after construction; the rules must outlive it. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rules/alert.h"
#include "rules/dispatch/config.h"

namespace strata::rules::dispatch {

class Inhibitor {
 public:
  // `alerts` by fingerprint; only those firing at `now_ms` inhibit.
  Inhibitor(const std::vector<InhibitRule>& rules, const std::map<uint64_t, Alert>& alerts,
            int64_t now_ms);

  bool muted(const tsdb::Labels& labels) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    const InhibitRule* config;
    std::set<std::string> sources;            // `equal` values of firing sources
    std::set<std::string> one_sided_sources;  // of those not matching the target side
  };
  std::vector<Rule> rules_;
};

}  // namespace strata::rules::dispatch
