#include "rules/manager.h"

#include <algorithm>
#include <chrono>
#include <tuple>
#include <map>

#include "absl/strings/str_join.h"
#include "base/log.h"
#include "promql/parser/parser.h"
#include "promql/parser/printer.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"

namespace strata::rules {

absl::StatusOr<std::vector<std::unique_ptr<Group>>> build_groups(
    const std::vector<ParsedRuleFile>& files, int64_t default_interval_ms,
    int64_t default_query_offset_ms, const GroupEnv* env,
    std::shared_ptr<const AlertingRuleEnv> alert_env) {
  const auto parse_opts = promql::parser::options_for(env->engine->options());
  std::vector<std::unique_ptr<Group>> out;
  for (const auto& f : files) {
    for (const auto& g : f.groups) {
      std::vector<std::unique_ptr<Rule>> rules;
      for (const auto& r : g.rules) {
        auto expr = promql::parser::parse_expr(r.expr, parse_opts);
        auto prepared = env->engine->prepare(r.expr);
        if (!expr.ok() || !prepared.ok()) {
          const absl::Status& s = expr.ok() ? prepared.status() : expr.status();
          return absl::InvalidArgumentError(f.path + ": group \"" + g.name + "\", rule \"" +
                                            r.name() + "\": " + std::string(s.message()));
        }
        std::string query = promql::parser::to_string(**expr, parse_opts.compat);
        if (r.is_alert()) {
          auto a = AlertingRule::create(r, std::move(query), std::move(*prepared), alert_env);
          if (!a.ok())
            return absl::InvalidArgumentError(f.path + ": group \"" + g.name + "\", rule \"" +
                                              r.name() + "\": " + std::string(a.status().message()));
          rules.push_back(std::move(*a));
        } else
          rules.push_back(std::make_unique<RecordingRule>(r.record, std::move(query),
                                                          std::move(*prepared), r.labels));
      }
      int64_t interval = g.interval_ms > 0 ? g.interval_ms : default_interval_ms;
      out.push_back(std::make_unique<Group>(f.path, g.name, interval, g.limit,
                                            g.query_offset_ms.value_or(default_query_offset_ms),
                                            std::move(rules), env));
    }
  }
  return out;
}

Manager::Manager(GroupEnv env, metrics::Registry* registry) : env_(std::move(env)), metrics_(registry) {
  env_.metrics = &metrics_;
  cleanup_ = std::thread([this] { cleanup_loop(); });
}

Manager::~Manager() { stop(); }

absl::Status Manager::apply(const RulesConfig& cfg) {
  RuleFileList list = expand_rule_globs(cfg.rule_files);
  if (!list.error.empty()) return absl::InvalidArgumentError(list.error);
  RuleFileOptions fopts;
  fopts.parse = promql::parser::options_for(env_.engine->options());
  std::vector<ParsedRuleFile> files;
  std::vector<std::string> errors;
  for (const auto& path : list.files) {
    files.push_back(load_rule_file(path, fopts));
    errors.insert(errors.end(), files.back().errors.begin(), files.back().errors.end());
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));

  auto alert_env = std::make_shared<AlertingRuleEnv>();
  alert_env->external_labels = cfg.external_labels;
  alert_env->external_url = cfg.external_url;
  alert_env->expansions = metrics_.template_expansions;
  alert_env->expansion_failures = metrics_.template_failures;
  auto built = build_groups(files, cfg.evaluation_interval_ms, cfg.query_offset_ms, &env_, alert_env);
  if (!built.ok()) return built.status();

  std::unique_lock lock(mu_);
  if (stopping_) return absl::FailedPreconditionError("rule manager stopped");
  std::map<std::string, std::unique_ptr<Group>> old;
  for (auto& g : groups_) old.emplace(g->key(), std::move(g));
  std::vector<std::unique_ptr<Group>> next;
  for (auto& g : *built) {
    auto it = old.find(g->key());
    if (it != old.end() && it->second->same_definition(*g)) {
      next.push_back(std::move(it->second));  // keeps running
      old.erase(it);
      continue;
    }
    if (it != old.end()) {
      it->second->stop();
      g->copy_state_from(*it->second);
      old.erase(it);
    }
    g->start(first_apply_);
    next.push_back(std::move(g));
  }
  const int64_t now = env_.now_ms();
  for (auto& [key, g] : old) {
    g->stop();
    const int64_t stale_at = now + 2 * g->interval_ms();
    retired_.push_back({std::move(g), stale_at});
  }
  groups_ = std::move(next);
  first_apply_ = false;
  lock.unlock();
  cv_.notify_all();
  log::info("rules", "Rules loaded", {{"files", list.files.size()}, {"groups", groups_.size()}});
  return absl::OkStatus();
}

void Manager::cleanup_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    int64_t now = env_.now_ms();
    int64_t next = INT64_MAX;
    for (auto it = retired_.begin(); it != retired_.end();) {
      if (it->stale_at_ms <= now) {
        it->group->mark_all_stale(now);
        it = retired_.erase(it);
      } else {
        next = std::min(next, it->stale_at_ms);
        ++it;
      }
    }
    if (next == INT64_MAX)
      cv_.wait(lock);
    else
      cv_.wait_for(lock, std::chrono::milliseconds(next - now));
  }
}

void Manager::stop() {
  std::vector<std::unique_ptr<Group>> groups;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    groups = std::move(groups_);
    groups_.clear();
    retired_.clear();
  }
  cv_.notify_all();
  if (cleanup_.joinable()) cleanup_.join();
  for (auto& g : groups) g->stop();
}

std::vector<GroupSnapshot> Manager::rule_groups() const {
  std::lock_guard lock(mu_);
  std::vector<GroupSnapshot> out;
  out.reserve(groups_.size());
  for (const auto& g : groups_) out.push_back(g->snapshot());
  // Prometheus lists groups by file, then name.
  std::sort(out.begin(), out.end(), [](const GroupSnapshot& a, const GroupSnapshot& b) {
    return std::tie(a.file, a.name) < std::tie(b.file, b.name);
  });
  return out;
}

}  // namespace strata::rules
