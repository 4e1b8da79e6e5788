#include "rules/group.h"

#include <bit>
#include <chrono>

#include "base/hash.h"
#include "base/log.h"
#include "rules/alerting_rule.h"
#include "tsdb/ingest.h"
#include "tsdb/series.h"

namespace strata::rules {
namespace {

double wall_seconds(int64_t ms) { return double(ms) / 1000.0; }

}  // namespace

RuleMetrics::RuleMetrics(metrics::Registry* r)
    : eval_duration(&r->histogram("prometheus_rule_evaluation_duration_seconds",
                                  "The duration for a rule to execute.", metrics::default_buckets())),
      group_duration(&r->histogram("prometheus_rule_group_duration_seconds",
                                   "The duration of rule group evaluations.",
                                   metrics::default_buckets())),
      evaluations(&r->counter_family("prometheus_rule_evaluations_total",
                                     "The total number of rule evaluations.", {"rule_group"})),
      eval_failures(&r->counter_family("prometheus_rule_evaluation_failures_total",
                                       "The total number of rule evaluation failures.",
                                       {"rule_group"})),
      iterations(&r->counter_family("prometheus_rule_group_iterations_total",
                                    "The total number of scheduled rule group evaluations, "
                                    "whether executed or missed.",
                                    {"rule_group"})),
      iterations_missed(&r->counter_family("prometheus_rule_group_iterations_missed_total",
                                           "The total number of rule group evaluations missed due "
                                           "to slow rule group evaluation.",
                                           {"rule_group"})),
      interval(&r->gauge_family("prometheus_rule_group_interval_seconds",
                                "The interval of a rule group.", {"rule_group"})),
      last_eval(&r->gauge_family("prometheus_rule_group_last_evaluation_timestamp_seconds",
                                 "The timestamp of the last rule group evaluation in seconds.",
                                 {"rule_group"})),
      last_duration(&r->gauge_family("prometheus_rule_group_last_duration_seconds",
                                     "The duration of the last rule group evaluation.",
                                     {"rule_group"})),
      rule_count(&r->gauge_family("prometheus_rule_group_rules",
                                  "The number of rules.", {"rule_group"})),
      last_samples(&r->gauge_family("prometheus_rule_group_last_evaluation_samples",
                                    "The number of samples returned during the last rule group "
                                    "evaluation.",
                                    {"rule_group"})),
      template_expansions(&r->counter("prometheus_template_text_expansions_total",
                                      "The total number of template text expansions.")),
      template_failures(&r->counter("prometheus_template_text_expansion_failures_total",
                                    "The total number of template text expansion failures.")) {}

Group::Group(std::string file, std::string name, int64_t interval_ms, int64_t limit,
             int64_t query_offset_ms, std::vector<std::unique_ptr<Rule>> rules, const GroupEnv* env)
    : file_(std::move(file)),
      name_(std::move(name)),
      interval_ms_(interval_ms),
      limit_(limit),
      query_offset_ms_(query_offset_ms),
      rules_(std::move(rules)),
      env_(env),
      key_(file_ + ";" + name_),
      previous_(rules_.size()) {
  if (env_->metrics) {
    env_->metrics->interval->with({key_}).set(wall_seconds(interval_ms_));
    env_->metrics->rule_count->with({key_}).set(double(rules_.size()));
  }
}

Group::~Group() { stop(); }

bool Group::same_definition(const Group& o) const {
  if (file_ != o.file_ || name_ != o.name_ || interval_ms_ != o.interval_ms_ ||
      limit_ != o.limit_ || query_offset_ms_ != o.query_offset_ms_ || rules_.size() != o.rules_.size())
    return false;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& a = *rules_[i];
    const Rule& b = *o.rules_[i];
    const AlertingRule* x = a.as_alerting();
    const AlertingRule* y = b.as_alerting();
    if (!x != !y || a.name() != b.name() || a.query() != b.query() || a.labels() != b.labels())
      return false;
    if (x && (x->for_ms() != y->for_ms() || x->keep_firing_for_ms() != y->keep_firing_for_ms() ||
              x->annotations() != y->annotations()))
      return false;
  }
  return true;
}

void Group::copy_state_from(Group& old) {
  {
    std::lock_guard lock(old.mu_);
    last_evaluation_ms_ = old.last_evaluation_ms_;
    evaluation_time_s_ = old.evaluation_time_s_;
  }
  // The n-th rule of a name takes over from the old n-th rule of that name.
  std::unordered_map<std::string, std::vector<size_t>> old_by_name;
  for (size_t i = 0; i < old.rules_.size(); ++i) old_by_name[old.rules_[i]->name()].push_back(i);
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < rules_.size(); ++i) {
    auto it = old_by_name.find(rules_[i]->name());
    size_t n = seen[rules_[i]->name()]++;
    if (it == old_by_name.end() || n >= it->second.size()) continue;
    size_t j = it->second[n];
    previous_[i] = std::move(old.previous_[j]);
    old.previous_[j].clear();
    rules_[i]->set_status(old.rules_[j]->status());
    if (AlertingRule* a = rules_[i]->as_alerting())
      if (const AlertingRule* b = old.rules_[j]->as_alerting()) a->copy_state_from(*b);
  }
}

int64_t Group::next_eval_ms(int64_t now_ms) const {
  const int64_t offset = int64_t(hash64(key_) % uint64_t(interval_ms_));
  int64_t adj = now_ms - offset;
  int64_t base = adj - ((adj % interval_ms_) + interval_ms_) % interval_ms_;
  int64_t t = base + offset;
  return t < now_ms ? t + interval_ms_ : t;
}

void Group::mark_restored() {
  for (auto& r : rules_)
    if (AlertingRule* a = r->as_alerting()) a->set_restored();
}

void Group::start(bool restore) {
  if (!restore) mark_restored();
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, restore] { run(restore); });
}

void Group::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Group::sleep_until(int64_t t_ms) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    int64_t left = t_ms - env_->now_ms();
    if (left <= 0) return true;
    cv_.wait_for(lock, std::chrono::milliseconds(left));
  }
  return false;
}

void Group::run(bool restore) {
  int64_t eval_ts = next_eval_ms(env_->now_ms());
  auto tick = [&] {
    if (!sleep_until(eval_ts)) return false;
    // Instants that passed while the previous evaluation ran are skipped.
    int64_t missed = (env_->now_ms() - eval_ts) / interval_ms_;
    if (missed > 0 && env_->metrics) {
      env_->metrics->iterations_missed->with({key_}).inc(double(missed));
      env_->metrics->iterations->with({key_}).inc(double(missed));
    }
    eval_ts += missed * interval_ms_;
    eval(eval_ts);
    eval_ts += interval_ms_;
    return true;
  };
  if (!tick()) return;
  if (restore) {
    // The first evaluation may have run on too little data (scrapes and
    // recording rules just started): restore after the second.
    if (!tick()) return;
    for (auto& r : rules_)
      if (AlertingRule* a = r->as_alerting())
        a->restore_for_state(*env_->queryable, env_->now_ms(), env_->outage_tolerance_ms,
                             env_->grace_period_ms);
  }
  while (tick()) {
  }
}

void Group::eval(int64_t t_ms) {
  const int64_t start_wall = env_->now_ms();
  auto t0 = std::chrono::steady_clock::now();
  uint64_t samples = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    samples += eval_rule(i, t_ms);
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  {
    std::lock_guard lock(mu_);
    last_evaluation_ms_ = start_wall;
    evaluation_time_s_ = took;
  }
  if (auto* m = env_->metrics) {
    m->iterations->with({key_}).inc();
    m->group_duration->observe(took);
    m->last_duration->with({key_}).set(took);
    m->last_eval->with({key_}).set(wall_seconds(t_ms));
    m->last_samples->with({key_}).set(double(samples));
  }
}

size_t Group::eval_rule(size_t i, int64_t t_ms) {
  Rule& rule = *rules_[i];
  RuleStatus st;
  st.last_evaluation_ms = env_->now_ms();
  auto t0 = std::chrono::steady_clock::now();
  if (env_->metrics) env_->metrics->evaluations->with({key_}).inc();
  EvalContext ctx{env_->engine, env_->queryable, t_ms - query_offset_ms_, limit_};
  auto v = rule.eval(ctx);
  st.evaluation_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (env_->metrics) env_->metrics->eval_duration->observe(st.evaluation_time_s);
  if (!v.ok()) {
    st.health = RuleHealth::kBad;
    st.last_error = std::string(v.status().message());
    rule.set_status(std::move(st));
    if (env_->metrics) env_->metrics->eval_failures->with({key_}).inc();
    if (!absl::IsCancelled(v.status()))
      log::warn("rules", "Evaluating rule failed",
                {{"group", key_}, {"name", rule.name()}, {"index", i}, {"err", v.status().message()}});
    return 0;
  }
  st.health = RuleHealth::kGood;
  rule.set_status(std::move(st));
  if (AlertingRule* a = rule.as_alerting(); a && !env_->sinks.empty()) {
    auto alerts = a->alerts_to_send(t_ms, env_->resend_delay_ms, interval_ms_);
    if (!alerts.empty())
      for (AlertSink* sink : env_->sinks) sink->send(alerts);
  }
  std::string err = append(i, *v, t_ms - query_offset_ms_);
  if (!err.empty()) {
    rule.set_error(err);
    if (env_->metrics) env_->metrics->eval_failures->with({key_}).inc();
  }
  return v->size();
}

std::string Group::append(size_t i, const promql::Vector& samples, int64_t t_ms) {
  tsdb::IngestOptions opts;
  opts.utf8_names = env_->utf8_names;
  opts.item_name = "sample";
  tsdb::IngestBatch batch(*env_->appendable, opts);
  std::unordered_map<uint64_t, tsdb::Labels> returned;
  returned.reserve(samples.size());
  int index = 0;
  for (const auto& s : samples) {
    auto series = batch.begin_series(index++, 0, s.metric, 1, 0);
    if (!series.valid()) continue;
    uint64_t rejected = batch.progress().total_rejected();
    if (!series.append(s.t, s.v)) return std::string(batch.abort().fatal.message());
    if (batch.progress().total_rejected() == rejected) returned.emplace(s.metric.hash(), s.metric);
  }
  // Series gone since the last evaluation become stale. Rejections are
  // expected here (another rule may write the same series) and ignored.
  const double stale = std::bit_cast<double>(tsdb::kStaleNaNBits);
  const uint64_t rejected_before_stale = batch.progress().total_rejected();
  const absl::Status first_error = batch.progress().first_error;
  for (const auto& [h, labels] : previous_[i]) {
    if (returned.count(h)) continue;
    auto series = batch.begin_series(index++, 0, labels, 1, 0);
    if (series.valid() && !series.append(t_ms, stale)) return std::string(batch.abort().fatal.message());
  }
  tsdb::IngestResult r = batch.commit();
  if (!r.fatal.ok()) return std::string(r.fatal.message());
  previous_[i] = std::move(returned);
  if (rejected_before_stale > 0 && !first_error.ok()) {
    log::warn("rules", "Rule evaluation result discarded",
              {{"group", key_}, {"name", rules_[i]->name()}, {"err", first_error.message()}});
    return std::string(first_error.message());
  }
  return "";
}

void Group::mark_all_stale(int64_t t_ms) {
  const double stale = std::bit_cast<double>(tsdb::kStaleNaNBits);
  tsdb::IngestOptions opts;
  opts.utf8_names = env_->utf8_names;
  tsdb::IngestBatch batch(*env_->appendable, opts);
  int index = 0;
  for (auto& prev : previous_) {
    for (const auto& [h, labels] : prev) {
      auto series = batch.begin_series(index++, 0, labels, 1, 0);
      if (series.valid() && !series.append(t_ms, stale)) {
        batch.abort();
        return;
      }
    }
    prev.clear();
  }
  batch.commit();
}

GroupSnapshot Group::snapshot() const {
  GroupSnapshot g;
  g.name = name_;
  g.file = file_;
  g.interval_ms = interval_ms_;
  g.limit = limit_;
  {
    std::lock_guard lock(mu_);
    g.last_evaluation_ms = last_evaluation_ms_;
    g.evaluation_time_s = evaluation_time_s_;
  }
  for (const auto& r : rules_) {
    RuleSnapshot s;
    const AlertingRule* a = r->as_alerting();
    s.alerting = a != nullptr;
    s.name = r->name();
    s.query = r->query();
    s.labels = r->labels();
    s.status = r->status();
    if (a) {
      s.for_ms = a->for_ms();
      s.keep_firing_for_ms = a->keep_firing_for_ms();
      s.annotations = a->annotations();
      s.alerts = a->alerts();
      s.state = AlertState::kInactive;
      for (const auto& x : s.alerts) s.state = std::max(s.state, x.state);
    }
    g.rules.push_back(std::move(s));
  }
  return g;
}

}  // namespace strata::rules
