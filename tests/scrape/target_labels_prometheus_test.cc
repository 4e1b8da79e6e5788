// Differential test of target labels against the real Prometheus 2.42
// (/usr/bin/prometheus): a seeded generator writes scrape jobs with random
// relabel_configs (every action, regexes and replacements from small
// alphabets) and static targets with random labels, all on 127.0.0.1 ports
// that need not answer. Prometheus loads them; /api/v1/targets?state=any
// shows each target's discoveredLabels, labels and scrapeUrl, droppedTargets
// the dropped ones, and its log the targets it refused ("Creating target
// failed"). Strata parses the same YAML with server/'s parser and runs
// scrape::populate_target_labels on every target in Prometheus 2 mode; every
// target must agree. Where Prometheus 3 mode (Strata's default) gives another
// answer, the difference is counted by reason (expected: 2.x adds default
// ports, lets config params override discovered __param_* labels and only
// sets legacy label names in replace).
//
// TARGET_LABELS_DIFF_SEED (default 42) and TARGET_LABELS_DIFF_JOBS (default
// 80) choose the cases. Skipped when Prometheus is not installed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <re2/re2.h>

#include "base/duration.h"
#include "scrape/target_labels.h"
#include "server/config.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::scrape {
namespace {

using nlohmann::json;
using tsdb::Labels;

int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : def;
}

// YAML single-quoted scalar: no escapes but '' for '.
std::string q(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int pick(size_t n) { return std::uniform_int_distribution<int>(0, int(n) - 1)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  const T& one(const std::vector<T>& v) { return v[pick(v.size())]; }

  std::string value() {
    static const std::vector<std::string> kAtoms = {"a", "b", "A", "B", "1", "-", ":", "_", "é",
                                                    "Ü", "ß", " ", "x.y", "9", "Foo", ";"};
    std::string v;
    int n = pick(5);
    for (int i = 0; i < n; ++i) v += one(kAtoms);
    return v;
  }
  std::string special_value(const std::string& name) {
    if (name == "__scheme__") return one<std::string>({"http", "https", "https", "ftp"});
    if (name == "__metrics_path__") return one<std::string>({"/m", "/x y", "metrics", "/a?b"});
    if (name == "__scrape_interval__") return one<std::string>({"30s", "1m", "abc", "0s", "5s", "90s"});
    if (name == "__scrape_timeout__") return one<std::string>({"5s", "10s", "1m", "x", "0s"});
    if (name == "__param_p") return one<std::string>({"v", "a b", "é&"});
    if (name == "__address__") return one<std::string>({"127.0.0.1:1", "localhost", "a/b", "[::1]"});
    return value();
  }
  std::string label_name() {
    static const std::vector<std::string> kNames = {
        "a", "b", "c", "env", "team", "job", "instance", "__meta_x", "__meta_y_z", "__tmp",
        "__param_p", "__scheme__", "__metrics_path__", "__scrape_interval__", "__scrape_timeout__",
        "__address__", "A_1"};
    return one(kNames);
  }
  std::string value_regex() {
    static const std::vector<std::string> kRegexes = {
        "(.*)", ".*", "(a|b).*", "([ab]+)", "(?P<n>.*)-(.*)", "(.+):(\\d+)", "127\\.0\\.0\\.1:(\\d+)",
        "(.*)é(.*)", "", "(A)(B)?", "[^;]*;(.*)", "(x)?", "a", "(?i)a.*", "(.*);(.*)", "(\\w+)",
        "(.)(.)(.*)", "h.*|(1)", ".+"};
    return one(kRegexes);
  }
  std::string name_regex() {
    static const std::vector<std::string> kRegexes = {"__meta_(.*)", "__meta_(.+)_(.+)", "(a|b)", "(.)",
                                                      "__(.*)", "e(.*)", "(.*)_(.*)", "team|env", "[ac]",
                                                      "__param_(.*)", "(?P<n>[a-z]+)"};
    return one(kRegexes);
  }
  std::string target_label() {
    static const std::vector<std::string> kTemplates = {"$1", "${1}", "${1}_x", "t_$2", "$n", "${n}",
                                                        "x${1}y", "$1x", "__param_$1"};
    if (chance(0.25)) return one(kTemplates);
    return label_name();
  }
  std::string replacement() {
    static const std::vector<std::string> kRepl = {
        "$1", "$1", "${1}", "$1x", "${1}x", "$2-$1", "$$1", "", "static", "${n}", "$n", "127.0.0.1:$1",
        "a$01", "${1", "$", "$2", "30s", "https", "/p$1", "é$1"};
    return one(kRepl);
  }

  std::vector<std::string> sources() {
    std::vector<std::string> s;
    int n = pick(4);
    for (int i = 0; i < n; ++i) s.push_back(label_name());
    return s;
  }

  std::string rule() {
    static const std::vector<std::string> kActions = {
        "replace", "replace", "replace", "keep", "drop", "keepequal", "dropequal", "hashmod",
        "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase"};
    const std::string action = one(kActions);
    std::string r = "      - action: " + action + "\n";
    auto list = [](const std::vector<std::string>& v) {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + q(v[i]);
      return out + "]";
    };
    auto sep = [&] {
      if (chance(0.3)) r += "        separator: " + q(one<std::string>({"", "-", ":", ";;"})) + "\n";
    };
    if (action == "replace") {
      r += "        source_labels: " + list(sources()) + "\n";
      sep();
      if (chance(0.8)) r += "        regex: " + q(value_regex()) + "\n";
      r += "        target_label: " + q(target_label()) + "\n";
      if (chance(0.8)) r += "        replacement: " + q(replacement()) + "\n";
    } else if (action == "keep" || action == "drop") {
      r += "        source_labels: " + list(sources()) + "\n";
      sep();
      r += "        regex: " + q(value_regex()) + "\n";
    } else if (action == "keepequal" || action == "dropequal") {
      r += "        source_labels: " + list(sources()) + "\n";
      r += "        target_label: " + q(label_name()) + "\n";
    } else if (action == "hashmod") {
      r += "        source_labels: " + list(sources()) + "\n";
      sep();
      r += "        target_label: " + q(label_name()) + "\n";
      r += "        modulus: " + one<std::string>({"1", "2", "3", "10", "1000", "9223372036854775808"}) + "\n";
    } else if (action == "labelmap") {
      r += "        regex: " + q(name_regex()) + "\n";
      if (chance(0.8)) r += "        replacement: " + q(one<std::string>({"$1", "m_$1", "${1}_x", "$2", "x", "$1$2", "${n}"})) + "\n";
    } else if (action == "labeldrop" || action == "labelkeep") {
      r += "        regex: " + q(name_regex()) + "\n";
    } else {  // lowercase, uppercase
      r += "        source_labels: " + list(sources()) + "\n";
      sep();
      r += "        target_label: " + q(label_name()) + "\n";
    }
    return r;
  }

 private:
  std::mt19937_64 rng_;
};

struct Expected {
  std::string job;
  int group = 0, index = 0;
  std::string address;  // the static target: unique in the whole config
  TargetLabels v2, v3;
  // discoveredLabels as Prometheus 2.42 shows them (see shown_by_242()).
  std::map<std::string, std::string> shown;
};

// Go's append growth for a []labels.Label (32-byte elements) below 256
// elements: double, or what is needed, rounded up to a malloc size class.
size_t go_grow(size_t old_cap, size_t needed) {
  size_t newcap = needed > 2 * old_cap ? needed : 2 * old_cap;
  static const size_t kClasses[] = {32,  48,  64,  80,  96,  112, 128, 144,  160,  176,  192,  208,
                                    224, 240, 256, 288, 320, 352, 384, 416,  448,  480,  512,  576,
                                    640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048};
  for (size_t c : kClasses)
    if (c >= newcap * 32) return c / 32;
  return newcap;
}

// Prometheus 2.42 shows discoveredLabels that relabeling overwrote: its
// relabel.Process builds each rule's result in the backing array of the rule's
// input (labels.Builder.Labels(lset)), and the first input is the very slice
// kept as the target's discovered labels. Fixed in later releases; Strata
// keeps the labels as discovered. To still compare every label, this replays
// the overwriting: while a rule's result fits the array's capacity it lands
// sorted at its start; a result that does not fit leaves the array with the
// rule's surviving input labels and moves on to a new array.
std::map<std::string, std::string> shown_by_242(const Labels& target, const Labels& group,
                                                const ScrapeConfig& sc, const Labels& discovered) {
  // Capacity of the discovered slice: labels.New(target+group) (exact), then
  // Builder.Labels(EmptyLabels()) appending survivors one by one and the
  // job/scheme/... defaults and params at once.
  size_t base = 0, empties = 0, survivors = 0;
  std::vector<std::string> base_names;
  for (const auto& l : target) base_names.push_back(l.name);
  for (const auto& l : group)
    if (!target.has(l.name)) base_names.push_back(l.name);
  auto base_value = [&](const std::string& n) {
    return std::string(target.has(n) ? target.get(n) : group.get(n));
  };
  std::set<std::string> adds;
  for (const char* n : {"job", "__scrape_interval__", "__scrape_timeout__", "__metrics_path__", "__scheme__"})
    if (base_value(n).empty()) adds.insert(n);
  for (const auto& [k, v] : sc.params)
    if (!v.empty()) adds.insert("__param_" + k);
  for (const std::string& n : base_names) {
    ++base;
    if (base_value(n).empty()) ++empties;
    else if (!adds.count(n)) ++survivors;
  }
  size_t cap = base;
  if (empties || !adds.empty()) {
    size_t len = 0;
    cap = 0;
    for (size_t i = 0; i < survivors; ++i) {
      if (len == cap) cap = go_grow(cap, len + 1);
      ++len;
    }
    if (!adds.empty() && len + adds.size() > cap) cap = go_grow(cap, len + adds.size());
  }

  std::vector<tsdb::Label> arr(discovered.items());
  const size_t n = arr.size();
  arr.resize(std::max(cap, n));
  std::vector<tsdb::Label> cur = discovered.items();
  tsdb::relabel::Options o;
  o.legacy_label_names = true;
  for (const tsdb::relabel::Config& rule : sc.relabel_configs) {
    std::optional<Labels> out = tsdb::relabel::process(Labels(cur), std::span(&rule, 1), o);
    if (!out) break;
    if (out->size() <= cap) {
      std::copy(out->begin(), out->end(), arr.begin());
    } else {
      if (rule.action == tsdb::relabel::Action::kLabelMap) {
        // Survivors: the input labels labelmap did not set again.
        std::set<std::string> set_names;
        for (const auto& l : cur) {
          std::vector<std::string_view> groups(size_t(rule.regex->NumberOfCapturingGroups() + 1));
          std::vector<re2::StringPiece> sub(groups.size());
          if (!rule.regex->Match(l.name, 0, l.name.size(), RE2::ANCHOR_BOTH, sub.data(), int(sub.size())))
            continue;
          for (size_t i = 0; i < sub.size(); ++i) groups[i] = std::string_view(sub[i].data(), sub[i].size());
          std::string name;
          tsdb::relabel::expand(rule.replacement, *rule.regex, groups, &name);
          set_names.insert(name);
        }
        size_t w = 0;
        for (const auto& l : cur)
          if (!set_names.count(l.name)) arr[w++] = l;
      }
      // (Other actions set one new label here: the survivors are the input.)
      cur = out->items();
      break;  // later results live in other arrays
    }
    cur = out->items();
  }
  std::map<std::string, std::string> m;  // Labels.Map(): a later duplicate wins
  for (size_t i = 0; i < n; ++i) m[arr[i].name] = arr[i].value;
  return m;
}

std::map<std::string, std::string> to_map(const Labels& l) {
  std::map<std::string, std::string> m;
  for (const auto& x : l) m[x.name] = x.value;
  return m;
}

std::map<std::string, std::string> json_map(const json& j) {
  std::map<std::string, std::string> m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = it.value().get<std::string>();
  return m;
}

std::string show(const std::map<std::string, std::string>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) out += (out.size() > 1 ? ", " : "") + k + "=" + json(v).dump();
  return out + "}";
}

bool same(const TargetLabels& a, const TargetLabels& b) {
  return a.dropped == b.dropped && a.error.ok() == b.error.ok() && a.discovered == b.discovered &&
         a.labels == b.labels && a.all == b.all && (!a.active() || a.url() == b.url());
}

// Go's logfmt value of `key` in one log line ("" if absent), unescaped.
std::string logfmt_value(const std::string& line, const std::string& key) {
  size_t p = line.find(" " + key + "=");
  if (p == std::string::npos) return "";
  p += key.size() + 2;
  if (p < line.size() && line[p] != '"') return line.substr(p, line.find(' ', p) - p);
  std::string out;
  for (size_t i = p + 1; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      char c = line[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += line[i];
    }
  }
  return out;
}

TEST(TargetLabelsPrometheusTest, GeneratedJobsAgreeWithPrometheus242) {
  if (!testutil::prometheus_installed()) GTEST_SKIP() << "no " << testutil::kPrometheusBinary;
  const int seed = env_int("TARGET_LABELS_DIFF_SEED", 42);
  const int jobs = env_int("TARGET_LABELS_DIFF_JOBS", 80);
  Gen g{uint64_t(seed)};

  // 1. The configuration.
  std::string yaml = "global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\nscrape_configs:\n";
  int port = 20000;
  for (int j = 0; j < jobs; ++j) {
    yaml += "  - job_name: " + q("j" + std::to_string(j)) + "\n";
    yaml += "    scrape_interval: " + g.one<std::string>({"30s", "1m", "90s"}) + "\n";
    yaml += "    scrape_timeout: " + g.one<std::string>({"5s", "10s", "30s"}) + "\n";
    if (g.chance(0.2)) yaml += "    metrics_path: " + q(g.one<std::string>({"/x", "/a b", "/federate"})) + "\n";
    if (g.chance(0.2)) yaml += "    scheme: https\n";
    if (g.chance(0.3)) yaml += "    params:\n      p: ['v1', 'v2']\n      'q': ['a b']\n";
    yaml += "    static_configs:\n";
    int groups = 1 + g.pick(3);
    for (int gi = 0; gi < groups; ++gi) {
      yaml += "      - targets: [";
      int n = 1 + g.pick(3);
      for (int t = 0; t < n; ++t) yaml += (t ? ", " : "") + q("127.0.0.1:" + std::to_string(port++));
      yaml += "]\n";
      std::set<std::string> names;
      int nl = g.pick(5);
      for (int l = 0; l < nl; ++l) names.insert(g.label_name());
      if (!names.empty()) {
        yaml += "        labels:\n";
        for (const std::string& name : names) yaml += "          " + name + ": " + q(g.special_value(name)) + "\n";
      }
    }
    int rules = g.pick(7);
    if (rules) yaml += "    relabel_configs:\n";
    for (int r = 0; r < rules; ++r) yaml += g.rule();
  }

  if (const char* dump = std::getenv("TARGET_LABELS_DIFF_DUMP")) {
    if (FILE* f = std::fopen(dump, "w")) {
      std::fputs(yaml.c_str(), f);
      std::fclose(f);
    }
  }

  // 2. Strata's answers, in Prometheus 2 and 3 modes.
  auto cfg = server::parse_config(yaml, "prometheus.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status() << "\n" << yaml;
  std::map<std::string, Expected> expected;  // by static address
  for (const ScrapeConfig& sc : cfg->scrape_configs) {
    for (size_t gi = 0; gi < sc.static_configs.size(); ++gi) {
      const StaticConfig& st = sc.static_configs[gi];
      std::vector<tsdb::Label> group;
      for (const auto& [k, v] : st.labels) group.push_back({k, v});
      Labels group_labels(std::move(group));
      for (size_t ti = 0; ti < st.targets.size(); ++ti) {
        Labels target = Labels::from_strings({"__address__", st.targets[ti]});
        Expected e;
        e.job = sc.job_name;
        e.group = int(gi);
        e.index = int(ti);
        e.address = st.targets[ti];
        e.v2 = populate_target_labels(target, group_labels, sc, {.prometheus_v2 = true});
        e.v3 = populate_target_labels(target, group_labels, sc);
        e.shown = shown_by_242(target, group_labels, sc, e.v2.discovered);
        expected[e.address] = std::move(e);
      }
    }
  }
  size_t want_active_min = 0, want_dropped = 0;
  {
    std::set<std::pair<std::string, std::string>> distinct;  // (job, all labels + url)
    for (const auto& [addr, e] : expected) {
      if (e.v2.dropped) ++want_dropped;
      if (e.v2.active()) distinct.insert({e.job, e.v2.all.to_string() + " " + e.v2.url()});
    }
    want_active_min = distinct.size();
  }

  // 3. Prometheus' answers.
  auto prom = testutil::start_prometheus(yaml);
  ASSERT_TRUE(prom.ok()) << prom.status() << "\n" << yaml;
  testutil::HttpClient client = (*prom)->client();
  json active, dropped;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t last_total = 0;
  int stable = 0;
  for (;;) {
    auto r = client.get("/api/v1/targets?state=any");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
    json body = json::parse(r->body);
    active = body["data"]["activeTargets"];
    dropped = body["data"]["droppedTargets"];
    size_t total = active.size() + dropped.size();
    stable = total == last_total ? stable + 1 : 0;
    last_total = total;
    bool complete = active.size() >= want_active_min && dropped.size() >= want_dropped;
    if ((complete && stable >= 2) || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const std::string log = (*prom)->log();
  EXPECT_EQ((*prom)->stop(), 0);

  // 4. Compare, target by target.
  int agree = 0, disagree = 0, v3_differs = 0, overwritten = 0;
  std::map<std::string, int> v3_reasons;
  auto fail = [&](const Expected& e, const std::string& what) {
    ++disagree;
    if (disagree <= 25) ADD_FAILURE() << e.job << " target " << e.address << ": " << what;
  };
  // Prometheus' lists as multisets: dropped by discoveredLabels; active by
  // pool, labels, URL, interval and timeout, each with its discoveredLabels.
  std::multiset<std::string> prom_dropped;
  for (const json& t : dropped) prom_dropped.insert(show(json_map(t["discoveredLabels"])));
  std::multimap<std::string, std::string> prom_active;
  for (const json& t : active)
    prom_active.insert({t.value("scrapePool", "") + " " + show(json_map(t["labels"])) + " " +
                            t.value("scrapeUrl", "") + " " + t.value("scrapeInterval", "") + " " +
                            t.value("scrapeTimeout", ""),
                        show(json_map(t["discoveredLabels"]))});
  auto active_key = [](const Expected& e) {
    return e.job + " " + show(to_map(e.v2.labels)) + " " + e.v2.url() + " " +
           std::string(e.v2.all.get("__scrape_interval__")) + " " + std::string(e.v2.all.get("__scrape_timeout__"));
  };
  // Prometheus keeps one of several targets with the same labels and URL.
  std::map<std::string, std::vector<const Expected*>> dup_groups;
  for (const auto& [addr, e] : expected)
    if (e.v2.active()) dup_groups[e.job + " " + e.v2.all.to_string() + " " + e.v2.url()].push_back(&e);

  // Errors Prometheus logged: (job, "instance i in group g") -> message.
  std::map<std::pair<std::string, std::string>, std::string> logged;
  for (size_t p = 0, n; p < log.size(); p = n + 1) {
    n = log.find('\n', p);
    if (n == std::string::npos) n = log.size();
    std::string line = log.substr(p, n - p);
    if (line.find("Creating target failed") == std::string::npos) continue;
    std::string err = logfmt_value(line, "err");
    size_t colon = err.find(": ");
    if (colon == std::string::npos) continue;
    logged[{logfmt_value(line, "scrape_pool"), err.substr(0, colon)}] = err.substr(colon + 2);
  }

  for (const auto& [addr, e] : expected) {
    if (!same(e.v2, e.v3)) {
      ++v3_differs;
      std::string reason = e.v2.discovered != e.v3.discovered ? "config params override discovered __param_*"
                           : e.v2.address != e.v3.address || !e.v2.error.ok()
                               ? "default port added (or its scheme check)"
                               : "replace target names limited to legacy names";
      ++v3_reasons[reason];
    }
    if (e.shown != to_map(e.v2.discovered)) ++overwritten;
    const std::string where = "instance " + std::to_string(e.index) + " in group " + std::to_string(e.group);
    auto log_it = logged.find({e.job, where});
    if (!e.v2.error.ok()) {
      if (log_it == logged.end()) {
        fail(e, "Strata: error \"" + std::string(e.v2.error.message()) + "\", Prometheus logged no error");
      } else if (log_it->second != e.v2.error.message()) {
        fail(e, "error text: Strata \"" + std::string(e.v2.error.message()) + "\", Prometheus \"" +
                    log_it->second + "\"");
      } else {
        ++agree;
      }
      continue;
    }
    if (log_it != logged.end()) {
      fail(e, "Prometheus logged an error: " + log_it->second);
      continue;
    }
    if (e.v2.dropped) {
      auto it = prom_dropped.find(show(e.shown));
      if (it == prom_dropped.end()) {
        fail(e, "Strata drops it with discoveredLabels " + show(e.shown) + " (as 2.42 shows them), " +
                    "Prometheus lists no such dropped target");
      } else {
        prom_dropped.erase(it);
        ++agree;
      }
      continue;
    }
  }
  // Active targets, one duplicate group at a time.
  for (const auto& [key, members] : dup_groups) {
    const std::string k = active_key(*members.front());
    bool found = false;
    for (auto [it, end] = prom_active.equal_range(k); it != end; ++it) {
      for (const Expected* m : members) {
        if (it->second == show(m->shown)) {
          found = true;
          break;
        }
      }
      if (found) {
        prom_active.erase(it);
        break;
      }
    }
    for (const Expected* m : members) {
      if (found) {
        ++agree;
        continue;
      }
      std::string near;
      auto it = prom_active.lower_bound(m->job + " ");
      if (it != prom_active.end() && it->first.compare(0, m->job.size() + 1, m->job + " ") == 0)
        near = "; Prometheus has e.g. " + it->first + " discovered " + it->second;
      fail(*m, "Strata: active " + k + " discovered (2.42 display) " + show(m->shown) + near);
    }
  }
  for (const auto& [k, d] : prom_active) ADD_FAILURE() << "Prometheus has an unexpected active target " << k;
  for (const auto& d : prom_dropped) ADD_FAILURE() << "Prometheus has an unexpected dropped target " << d;
  size_t errors = 0, drops = 0;
  for (const auto& [addr, e] : expected) {
    errors += !e.v2.error.ok();
    drops += e.v2.dropped;
  }
  std::printf("target labels vs Prometheus 2.42 (seed %d, %d jobs): %zu targets (%zu active, %zu dropped, "
              "%zu refused): %d agree, %d disagree\n",
              seed, jobs, expected.size(), expected.size() - drops - errors, drops, errors, agree, disagree);
  std::printf("2.42 shows discoveredLabels overwritten by relabeling for %d targets (replayed)\n", overwritten);
  std::printf("Prometheus 3 mode differs from 2.42 for %d targets:\n", v3_differs);
  for (const auto& [reason, n] : v3_reasons) std::printf("  %4d  %s\n", n, reason.c_str());
  EXPECT_EQ(disagree, 0);
  EXPECT_EQ(size_t(agree), expected.size());
}

}  // namespace
}  // namespace strata::scrape
