// The rule manager: loads the rule files of prometheus.yml (rule_files
// globs), runs one Group per rule group, and answers the API's questions
// about them (RulesView).
//
// apply() on a reload, as Prometheus' Manager.Update:
//   - every file is read and validated first; any error fails the whole
//     apply (all messages, one per line) and the running groups stay;
//   - a group whose definition did not change keeps running untouched;
//   - a changed group starts anew but takes over its predecessor's alerts
//     and last series (copy_state_from), so nothing fires or goes stale
//     twice;
//   - a removed group stops; its series get staleness markers two of its
//     intervals later (time for a renamed group to take them over), unless
//     the manager stops first.
// Only the groups of the first apply() restore alert state from
// ALERTS_FOR_STATE (see group.h).
//
// Threads: apply() and stop() are serialised by the server's lifecycle;
// rule_groups() may be called from any thread at any time.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/metrics.h"
#include "rules/group.h"
#include "rules/rule_file.h"
#include "rules/rules_view.h"

namespace strata::rules {

struct RulesConfig {
  std::vector<std::string> rule_files;  // globs
  int64_t evaluation_interval_ms = 60'000;
  int64_t query_offset_ms = 0;  // global.rule_query_offset: groups without their own
  tsdb::Labels external_labels;
  std::string external_url;  // generator URLs, $externalURL
};

// Builds the groups of `files` (already validated) without starting them,
// for the manager and for `stratatool test rules`. Errors: the first rule
// whose expression the engine refuses.
absl::StatusOr<std::vector<std::unique_ptr<Group>>> build_groups(
    const std::vector<ParsedRuleFile>& files, int64_t default_interval_ms,
    int64_t default_query_offset_ms, const GroupEnv* env,
    std::shared_ptr<const AlertingRuleEnv> alert_env);

class Manager final : public RulesView {
 public:
  // `env.metrics` is set by the manager. The env's pointers outlive it.
  Manager(GroupEnv env, metrics::Registry* registry);
  ~Manager() override;
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  absl::Status apply(const RulesConfig& cfg);
  // Stops every group (no staleness markers: the server is going down).
  void stop();

  std::vector<GroupSnapshot> rule_groups() const override;

 private:
  struct Retired {
    std::unique_ptr<Group> group;
    int64_t stale_at_ms;
  };
  void cleanup_loop();

  GroupEnv env_;
  RuleMetrics metrics_;
  bool first_apply_ = true;

  mutable std::mutex mu_;  // guards groups_, retired_, stopping_
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<Retired> retired_;
  bool stopping_ = false;
  std::thread cleanup_;
};

}  // namespace strata::rules
