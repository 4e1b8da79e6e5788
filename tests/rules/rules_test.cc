// rules/: recording and alerting rules, the alert state machine, group
// evaluation (ordering, staleness), restoring `for` state, the manager's
// reload semantics. An in-memory tsdb::DB and the real engine.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "promql/engine.h"
#include "rules/alerting_rule.h"
#include "rules/group.h"
#include "rules/manager.h"
#include "rules/recording_rule.h"
#include "rules/rule_file.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"
#include "base/clock.h"
#include "tsdb/series.h"

namespace strata::rules {
namespace {

using tsdb::Labels;

constexpr int64_t kMin = 60'000;

class RecordingSink : public AlertSink {
 public:
  void send(const std::vector<Alert>& alerts) override {
    std::lock_guard lock(mu_);
    sent_.insert(sent_.end(), alerts.begin(), alerts.end());
  }
  std::vector<Alert> take() {
    std::lock_guard lock(mu_);
    return std::exchange(sent_, {});
  }

 private:
  std::mutex mu_;
  std::vector<Alert> sent_;
};

class RulesTest : public ::testing::Test {
 protected:
  RulesTest() : engine_(promql::EngineOptions{}, &registry_) {
    db_ = std::move(*tsdb::DB::open(tsdb::DBOptions{""}, &registry_));
    env_.engine = &engine_;
    env_.queryable = db_.get();
    env_.appendable = db_.get();
    env_.sinks = {&sink_};
    env_.now_ms = [this] { return now_ms_; };
  }

  void add(const Labels& l, int64_t t, double v) {
    auto app = db_->appender();
    ASSERT_TRUE(app->append(0, l, t, v).ok());
    ASSERT_TRUE(app->commit().ok());
  }

  // The instant query's result as "labels value" lines.
  std::vector<std::string> query(const std::string& q, int64_t t) {
    auto r = engine_.instant(*db_, q, t);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& s : std::get<promql::Vector>(r->value))
      out.push_back(s.metric.to_string() + " " + std::to_string(s.v));
    std::sort(out.begin(), out.end());
    return out;
  }

  // The raw samples of a series in [from, to].
  std::vector<tsdb::Sample> raw(const std::string& metric, int64_t from, int64_t to) {
    auto q = *db_->querier(from, to);
    auto m = *tsdb::Matcher::make(tsdb::MatchType::kEqual, "__name__", metric);
    auto set = q->select({}, {m});
    std::vector<tsdb::Sample> out;
    while (set->next()) EXPECT_TRUE(set->at().decode(from, to, &out).ok());
    return out;
  }

  std::unique_ptr<Rule> rule(RuleNode n) {
    auto p = engine_.prepare(n.expr);
    EXPECT_TRUE(p.ok()) << p.status();
    if (n.is_alert()) {
      auto env = std::make_shared<AlertingRuleEnv>();
      env->external_url = "http://strata:9090";
      return std::move(*AlertingRule::create(n, n.expr, std::move(*p), env));
    }
    return std::make_unique<RecordingRule>(n.record, n.expr, std::move(*p), n.labels);
  }

  std::unique_ptr<Group> group(std::vector<RuleNode> nodes, int64_t limit = 0) {
    std::vector<std::unique_ptr<Rule>> rules;
    for (auto& n : nodes) rules.push_back(rule(std::move(n)));
    return std::make_unique<Group>("rules.yml", "g", kMin, limit, 0, std::move(rules), &env_);
  }

  metrics::Registry registry_;
  promql::Engine engine_;
  std::unique_ptr<tsdb::DB> db_;
  RecordingSink sink_;
  GroupEnv env_;
  int64_t now_ms_ = 0;
};

RuleNode record(std::string name, std::string expr, std::vector<KeyValue> labels = {}) {
  RuleNode n;
  n.record = std::move(name);
  n.expr = std::move(expr);
  n.labels = std::move(labels);
  return n;
}

RuleNode alert(std::string name, std::string expr, int64_t for_ms = 0, int64_t keep_ms = 0) {
  RuleNode n;
  n.alert = std::move(name);
  n.expr = std::move(expr);
  n.for_ms = for_ms;
  n.keep_firing_for_ms = keep_ms;
  n.labels = {{"severity", "page"}};
  n.annotations = {{"summary", "it fails"}};
  return n;
}

TEST_F(RulesTest, RecordingRuleRenamesAndOverridesLabels) {
  add(Labels::from_strings({"__name__", "req", "job", "a", "team", "x"}), 0, 3);
  add(Labels::from_strings({"__name__", "req", "job", "b"}), 0, 4);
  auto r = rule(record("job:req", "req", {{"team", "y"}}));
  auto v = r->eval({&engine_, db_.get(), 1000, 0});
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].metric.to_string(), "{__name__=\"job:req\", job=\"a\", team=\"y\"}");
  EXPECT_EQ((*v)[1].metric.to_string(), "{__name__=\"job:req\", job=\"b\", team=\"y\"}");
  EXPECT_EQ((*v)[0].t, 1000);
}

TEST_F(RulesTest, RecordingRuleErrors) {
  add(Labels::from_strings({"__name__", "req", "job", "a"}), 0, 3);
  add(Labels::from_strings({"__name__", "req", "job", "b"}), 0, 4);
  auto dup = rule(record("x", "req", {{"job", "same"}}));
  EXPECT_EQ(dup->eval({&engine_, db_.get(), 1000, 0}).status().message(),
            "vector contains metrics with the same labelset after applying rule labels");
  auto lim = rule(record("x", "req"));
  EXPECT_EQ(lim->eval({&engine_, db_.get(), 1000, 1}).status().message(),
            "exceeded limit of 1 with 2 series");
  auto scalar = rule(record("x", "scalar(sum(req))"));
  auto v = scalar->eval({&engine_, db_.get(), 1000, 0});
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].metric.to_string(), "{__name__=\"x\"}");
  EXPECT_EQ((*v)[0].v, 7);
  auto str = rule(record("x", "\"text\""));
  EXPECT_EQ(str->eval({&engine_, db_.get(), 1000, 0}).status().message(),
            "rule result is not a vector or scalar");
}

TEST_F(RulesTest, AlertGoesPendingFiringResolvedAndIsForgotten) {
  auto g = group({alert("Down", "up == 0", 2 * kMin)});
  g->start(false);  // marks rules restored; the thread is stopped at once
  g->stop();
  auto* a = g->rules()[0]->as_alerting();
  for (int64_t t = 0; t <= 10 * kMin; t += kMin) add(Labels::from_strings({"__name__", "up", "job", "a"}), t, t <= 4 * kMin ? 0 : 1);

  g->eval(0);
  EXPECT_EQ(a->state(), AlertState::kPending);
  EXPECT_TRUE(sink_.take().empty());  // pending alerts are not sent
  EXPECT_EQ(query("ALERTS", 0), std::vector<std::string>{
      "{__name__=\"ALERTS\", alertname=\"Down\", alertstate=\"pending\", job=\"a\", severity=\"page\"} 1.000000"});
  EXPECT_EQ(query("ALERTS_FOR_STATE", 0), std::vector<std::string>{
      "{__name__=\"ALERTS_FOR_STATE\", alertname=\"Down\", job=\"a\", severity=\"page\"} 0.000000"});
  g->eval(kMin);
  EXPECT_EQ(a->state(), AlertState::kPending);
  g->eval(2 * kMin);
  EXPECT_EQ(a->state(), AlertState::kFiring);
  auto sent = sink_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].labels.to_string(), "{alertname=\"Down\", job=\"a\", severity=\"page\"}");
  EXPECT_EQ(sent[0].annotations.get("summary"), "it fails");
  EXPECT_EQ(sent[0].starts_at_ms, 2 * kMin);
  EXPECT_EQ(sent[0].ends_at_ms, 2 * kMin + 4 * kMin);  // 4 × max(resend delay, interval)
  EXPECT_EQ(sent[0].generator_url, "http://strata:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
  // Resent only once the resend delay (1m) has passed: not at +1m exactly.
  g->eval(3 * kMin);
  EXPECT_TRUE(sink_.take().empty());
  g->eval(4 * kMin);
  EXPECT_EQ(sink_.take().size(), 1u);
  // The condition clears: resolved, sent at once with ends_at = resolution.
  g->eval(5 * kMin);
  EXPECT_EQ(a->state(), AlertState::kInactive);
  sent = sink_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].ends_at_ms, 5 * kMin);
  EXPECT_EQ(query("ALERTS", 5 * kMin), std::vector<std::string>{});  // stale
  // Resolved alerts are kept (and re-sent) for 15 minutes, then dropped.
  g->eval(7 * kMin);
  EXPECT_EQ(sink_.take().size(), 1u);
  EXPECT_EQ(a->alerts().size(), 1u);
  g->eval(5 * kMin + AlertingRule::kResolvedRetentionMs + 1);
  EXPECT_TRUE(a->alerts().empty());
}

TEST_F(RulesTest, PendingAlertThatClearsIsDeleted) {
  auto g = group({alert("Down", "up == 0", 5 * kMin)});
  g->start(false);
  g->stop();
  add(Labels::from_strings({"__name__", "up"}), 0, 0);
  add(Labels::from_strings({"__name__", "up"}), kMin, 1);
  g->eval(0);
  g->eval(kMin);
  EXPECT_TRUE(g->rules()[0]->as_alerting()->alerts().empty());
  EXPECT_TRUE(sink_.take().empty());
}

TEST_F(RulesTest, KeepFiringFor) {
  auto g = group({alert("Down", "up == 0", 0, 2 * kMin)});
  g->start(false);
  g->stop();
  auto* a = g->rules()[0]->as_alerting();
  add(Labels::from_strings({"__name__", "up"}), 0, 0);
  for (int64_t t = kMin; t <= 5 * kMin; t += kMin) add(Labels::from_strings({"__name__", "up"}), t, 1);
  g->eval(0);
  EXPECT_EQ(a->state(), AlertState::kFiring);  // for: 0 fires at once
  g->eval(kMin);
  EXPECT_EQ(a->state(), AlertState::kFiring);
  EXPECT_EQ(a->alerts()[0].keep_firing_since_ms, kMin);
  g->eval(2 * kMin);
  EXPECT_EQ(a->state(), AlertState::kFiring);
  g->eval(3 * kMin);
  EXPECT_EQ(a->state(), AlertState::kInactive);
}

TEST_F(RulesTest, AlertLimitAndDuplicateLabelSets) {
  add(Labels::from_strings({"__name__", "up", "job", "a"}), 0, 0);
  add(Labels::from_strings({"__name__", "up", "job", "b"}), 0, 0);
  auto g = group({alert("Down", "up == 0")}, 1);
  g->start(false);
  g->stop();
  g->eval(0);
  auto st = g->rules()[0]->status();
  EXPECT_EQ(st.health, RuleHealth::kBad);
  EXPECT_EQ(st.last_error, "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(g->rules()[0]->as_alerting()->alerts().empty());

  RuleNode n = alert("Down", "up == 0");
  n.labels = {{"job", "x"}};
  auto r = rule(n);
  EXPECT_EQ(r->eval({&engine_, db_.get(), 0, 0}).status().message(),
            "vector contains metrics with the same labelset after applying alert labels");
}

TEST_F(RulesTest, RecordedSeriesFeedTheNextRuleAndGoStale) {
  add(Labels::from_strings({"__name__", "req", "job", "a"}), 0, 2);
  add(Labels::from_strings({"__name__", "req", "job", "b"}), 0, 3);
  add(Labels::from_strings({"__name__", "req", "job", "a"}), kMin, 2);
  add(Labels::from_strings({"__name__", "req", "job", "b"}), kMin,
      std::bit_cast<double>(tsdb::kStaleNaNBits));
  auto g = group({record("job:req", "req"), record("total", "sum(job:req)")});
  g->eval(0);
  EXPECT_EQ(query("total", 0), std::vector<std::string>{"{__name__=\"total\"} 5.000000"});
  g->eval(kMin);  // job b is gone: its recorded series gets a staleness marker
  auto b = raw("job:req", kMin, kMin);
  ASSERT_EQ(b.size(), 2u);
  int stale = 0;
  for (const auto& s : b) stale += std::bit_cast<uint64_t>(s.v) == tsdb::kStaleNaNBits;
  EXPECT_EQ(stale, 1);
  EXPECT_EQ(query("total", kMin), std::vector<std::string>{"{__name__=\"total\"} 2.000000"});
  EXPECT_EQ(g->snapshot().rules[0].status.health, RuleHealth::kGood);
}

TEST_F(RulesTest, AFailingRuleKeepsItsSeries) {
  add(Labels::from_strings({"__name__", "req", "job", "a"}), 0, 2);
  auto g = group({record("x", "req")});
  g->eval(0);
  // A later evaluation that fails writes no staleness marker.
  add(Labels::from_strings({"__name__", "req", "job", "a", "k", "1"}), kMin, 2);
  auto g2 = group({record("x", "req", {{"k", ""}})});
  g2->copy_state_from(*g);
  g2->eval(kMin);
  EXPECT_EQ(g2->rules()[0]->status().health, RuleHealth::kBad);
  EXPECT_EQ(raw("x", kMin, kMin).size(), 0u);
}

TEST_F(RulesTest, RestoreForStateAfterRestart) {
  // Before the restart the alert had been pending since 0 and the server
  // went down at 3m; it comes back at 10m: 7m of outage do not count.
  Labels fs = Labels::from_strings({"__name__", "ALERTS_FOR_STATE", "alertname", "Down", "severity", "page"});
  for (int64_t t = 0; t <= 3 * kMin; t += kMin) add(fs, t, 0);
  for (int64_t t = 0; t <= 20 * kMin; t += kMin) add(Labels::from_strings({"__name__", "up"}), t, 0);
  env_.grace_period_ms = kMin;
  auto g = group({alert("Down", "up == 0", 10 * kMin)});
  auto* a = g->rules()[0]->as_alerting();
  g->eval(10 * kMin);
  EXPECT_TRUE(query("ALERTS", 10 * kMin).empty());  // held back until restored
  a->restore_for_state(*db_, 10 * kMin, 60 * kMin, kMin);
  ASSERT_EQ(a->alerts().size(), 1u);
  EXPECT_EQ(a->alerts()[0].active_at_ms, 7 * kMin);  // 3m pending before, 7m to go
  g->eval(16 * kMin);
  EXPECT_EQ(a->state(), AlertState::kPending);
  g->eval(17 * kMin);
  EXPECT_EQ(a->state(), AlertState::kFiring);
}

TEST_F(RulesTest, QueryOffsetEvaluatesAndStoresEarlier) {
  add(Labels::from_strings({"__name__", "req"}), 0, 1);
  add(Labels::from_strings({"__name__", "req"}), kMin, 2);
  add(Labels::from_strings({"__name__", "req"}), 2 * kMin, 3);
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(rule(record("x", "req")));
  Group g("rules.yml", "g", kMin, 0, kMin, std::move(rules), &env_);
  g.eval(2 * kMin);
  auto s = raw("x", 0, 3 * kMin);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].t, kMin);
  EXPECT_EQ(s[0].v, 2);
}

TEST_F(RulesTest, GroupScheduleIsAlignedAndStable) {
  auto g = group({record("x", "vector(1)")});
  int64_t t = g->next_eval_ms(1'000'000);
  EXPECT_GE(t, 1'000'000);
  EXPECT_LT(t, 1'000'000 + kMin);
  EXPECT_EQ(g->next_eval_ms(t), t);
  EXPECT_EQ(g->next_eval_ms(t + 1), t + kMin);
  EXPECT_EQ((t - g->next_eval_ms(0)) % kMin, 0);
}

class ManagerTest : public RulesTest {
 protected:
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() + "/" + name) << text;
  }
  testutil::TempDir dir_{"rules"};
};

TEST_F(ManagerTest, ReloadKeepsUnchangedGroupsAndRefusesBadFiles) {
  env_.now_ms = [] { return now_ms(); };
  Manager m(env_, &registry_);
  write("a.yml", "groups:\n- name: a\n  interval: 1h\n  rules:\n  - record: x\n    expr: vector(1)\n");
  write("b.yml", "groups:\n- name: b\n  interval: 1h\n  rules:\n  - alert: A\n    expr: vector(1)\n");
  RulesConfig cfg;
  // A glob in a directory that does not exist matches nothing (Go's Glob).
  cfg.rule_files = {dir_.path() + "/missing/*.yml"};
  ASSERT_TRUE(m.apply(cfg).ok());
  EXPECT_TRUE(m.rule_groups().empty());
  cfg.rule_files = {dir_.path() + "/*.yml"};
  ASSERT_TRUE(m.apply(cfg).ok());
  auto groups = m.rule_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "a");
  EXPECT_EQ(groups[1].rules[0].name, "A");

  write("c.yml", "groups:\n- name: c\n  rules:\n  - record: x\n    expr: sum(\n");
  auto s = m.apply(cfg);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("c.yml: 5:11: group \"c\", rule 1, \"x\": could not parse expression: "),
            std::string::npos)
      << s.message();
  EXPECT_EQ(m.rule_groups().size(), 2u);  // the old groups keep running

  std::filesystem::remove(dir_.path() + "/c.yml");
  write("b.yml", "groups:\n- name: b\n  interval: 1h\n  rules:\n  - alert: A\n    expr: vector(2)\n");
  ASSERT_TRUE(m.apply(cfg).ok());
  groups = m.rule_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].rules[0].query, "vector(2)");
  m.stop();
}

// A group's `limit` is decoded as yaml.v3 decodes a Go int. The values are
// what Prometheus 2.42 loaded for each (its /api/v1/rules), the errors what
// its promtool printed. 1e58 as a C++ int64 cast was undefined behaviour
// (found by the rule_file fuzz target, seed crash-limit-float-overflow).
TEST(RuleFileTest, GroupLimitIsReadAsYamlV3ReadsAGoInt) {
  constexpr int64_t kMinI = std::numeric_limits<int64_t>::min();
  const std::vector<std::pair<std::string, int64_t>> ok = {
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", kMinI},
      {"-9223372036854775809", kMinI},
      {"-1e58", kMinI},
      {"9.2233720368547758e18", kMinI},  // 2^63 <= MaxInt64 as a float64; int64() wraps
      {"-.inf", kMinI},
      {"0x1F", 31},
      {"-0x10", -16},
      {"0x_1F", 31},
      {"017", 15},
      {"0777", 511},
      {"08", 8},  // not octal: a float
      {"0b101", 5},
      {"-0b11", -3},
      {"0o17", 15},
      {"-0o17", -15},
      {"1_000", 1000},
      {"1__0", 10},
      {"1.5", 1},
      {"1e3", 1000},
      {"-3", -3},
      {"+7", 7},
      {"!!float 5", 5},
  };
  for (const auto& [text, want] : ok) {
    auto f = parse_rule_file("r.yml", "groups:\n  - name: g\n    limit: " + text +
                                          "\n    rules:\n      - record: a\n        expr: up\n");
    ASSERT_TRUE(f.ok()) << text << ": " << (f.errors.empty() ? "" : f.errors[0]);
    ASSERT_EQ(f.groups.size(), 1u);
    EXPECT_EQ(f.groups[0].limit, want) << text;
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"99999999999999999999999999999999999999990000000002066567836", "!!float `9999999...`"},
      {"9223372036854775808", "!!int `9223372...`"},
      {"18446744073709551616", "!!float `1844674...`"},
      {"0x8000000000000000", "!!int `0x80000...`"},
      {"1e58", "!!float `1e58`"},
      {".nan", "!!float `.nan`"},
      {"'5'", "!!str `5`"},
      {"2001-12-14", "!!timestamp `2001-12-14`"},
      {"yes", "!!str `yes`"},  // a YAML 1.1 boolean, but yaml.v3 reads YAML 1.2
      {"[1]", "!!seq"},
  };
  for (const auto& [text, want] : bad) {
    auto f = parse_rule_file("r.yml", "groups:\n  - name: g\n    limit: " + text +
                                          "\n    rules:\n      - record: a\n        expr: up\n");
    ASSERT_EQ(f.errors.size(), 1u) << text;
    EXPECT_NE(f.errors[0].find("line 3: cannot unmarshal " + want + " into int"), std::string::npos)
        << text << ": " << f.errors[0];
  }
  // An explicit tag that does not fit its text fails the whole file, as promtool says.
  auto f = parse_rule_file("r.yml", "groups:\n  - name: g\n    limit: !!int 1.5\n    rules:\n      - record: a\n        expr: up\n");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0], "r.yml: yaml: cannot decode !!float `1.5` as a !!int");
}

// rule_files globs are Go's: a malformed pattern fails the (re)load as
// Prometheus' "error retrieving rule files for <glob>: syntax error in
// pattern"; a glob matching nothing is no error.
TEST(RuleFileTest, RuleGlobsAreGoGlobs) {
  auto bad = expand_rule_globs({"/nonexistent/*.yml", "a/[b.yml"});
  EXPECT_EQ(bad.error, "error retrieving rule files for a/[b.yml: syntax error in pattern");
  auto none = expand_rule_globs({"/nonexistent/*.yml", "/nonexistent/x.yml"});
  EXPECT_TRUE(none.error.empty());
  EXPECT_TRUE(none.files.empty());
}

}  // namespace
}  // namespace strata::rules
