// scrape::populate_target_labels: Prometheus' target labels from discovery and
// the scrape config, relabeling, the checks and their messages, the scrape URL.
#include "net/url.h"
#include "scrape/target_labels.h"

#include <gtest/gtest.h>

namespace strata::scrape {
namespace {

using tsdb::Labels;
using tsdb::relabel::Action;
using tsdb::relabel::Config;

Labels L(std::initializer_list<std::string_view> kv) { return Labels::from_strings(kv); }

ScrapeConfig job(std::string name = "node") {
  ScrapeConfig c;
  c.job_name = std::move(name);
  c.scrape_interval_ms = 15000;
  c.scrape_timeout_ms = 10000;
  return c;
}

Config rule(Action a, std::vector<std::string> src, std::string regex, std::string target = "",
            std::string repl = "$1") {
  Config c = tsdb::relabel::default_config();
  c.action = a;
  c.source_labels = std::move(src);
  c.regex_text = std::move(regex);
  c.regex = *tsdb::relabel::compile_regex(c.regex_text);
  c.target_label = std::move(target);
  c.replacement = std::move(repl);
  return c;
}

TEST(TargetLabelsTest, DefaultsDiscoveredAndFinal) {
  ScrapeConfig c = job();
  c.params = {{"a", {"x", "y"}}, {"empty", {}}};
  TargetLabels t = populate_target_labels(L({"__address__", "h:9100"}), L({"env", "prod", "__meta_zone", "z1"}), c);
  ASSERT_TRUE(t.active()) << t.error;
  EXPECT_EQ(t.discovered.to_string(),
            R"({__address__="h:9100", __meta_zone="z1", __metrics_path__="/metrics", __param_a="x", )"
            R"(__scheme__="http", __scrape_interval__="15s", __scrape_timeout__="10s", env="prod", job="node"})");
  EXPECT_EQ(t.labels.to_string(), R"({env="prod", instance="h:9100", job="node"})");
  EXPECT_EQ(t.all.to_string(),
            R"({__address__="h:9100", __metrics_path__="/metrics", __param_a="x", __scheme__="http", )"
            R"(__scrape_interval__="15s", __scrape_timeout__="10s", env="prod", instance="h:9100", job="node"})");
  EXPECT_EQ(t.url(), "http://h:9100/metrics?a=x&a=y");
  EXPECT_EQ(t.interval_ms, 15000);
  EXPECT_EQ(t.timeout_ms, 10000);
}

TEST(TargetLabelsTest, TargetBeatsGroupAndDiscoveryBeatsDefaults) {
  ScrapeConfig c = job();
  c.params = {{"a", {"x", "y"}}};
  Labels target = L({"__address__", "h:1", "env", "target", "job", "custom", "__param_a", "disc", "__scheme__", "https"});
  TargetLabels t = populate_target_labels(target, L({"env", "group", "team", "t", "__address__", "g:2", "x", ""}), c);
  ASSERT_TRUE(t.active()) << t.error;
  EXPECT_EQ(t.labels.to_string(), R"({env="target", instance="h:1", job="custom", team="t"})");
  EXPECT_EQ(t.discovered.get("__param_a"), "disc");
  EXPECT_EQ(t.url(), "https://h:1/metrics?a=disc&a=y");
  // Prometheus 2.x: the config's params win over discovery.
  TargetLabels v2 = populate_target_labels(target, Labels(), c, {.prometheus_v2 = true});
  EXPECT_EQ(v2.discovered.get("__param_a"), "x");
  EXPECT_EQ(v2.url(), "https://h:1/metrics?a=x&a=y");
}

TEST(TargetLabelsTest, RelabelingDropsAndRewrites) {
  ScrapeConfig c = job();
  c.relabel_configs = {rule(Action::kKeep, {"env"}, "prod")};
  TargetLabels dropped = populate_target_labels(L({"__address__", "h:1", "env", "dev"}), Labels(), c);
  EXPECT_TRUE(dropped.dropped);
  EXPECT_TRUE(dropped.error.ok());
  EXPECT_EQ(dropped.discovered.get("env"), "dev");
  EXPECT_TRUE(dropped.labels.empty());

  c.relabel_configs = {
      rule(Action::kReplace, {"__meta_port"}, "(.+)", "__address__", "127.0.0.1:$1"),
      rule(Action::kReplace, {"__meta_path"}, "(.+)", "__metrics_path__"),
      rule(Action::kReplace, {}, "(.*)", "__param_module", "m 1&2"),
      rule(Action::kReplace, {}, "(.*)", "__scrape_interval__", "1m30s"),
      rule(Action::kReplace, {}, "(.*)", "instance", "mine"),
  };
  TargetLabels t = populate_target_labels(
      L({"__address__", "h:1", "__meta_port", "9", "__meta_path", "/p q?"}), Labels(), c);
  ASSERT_TRUE(t.active()) << t.error;
  EXPECT_EQ(t.labels.to_string(), R"({instance="mine", job="node"})");
  EXPECT_EQ(t.address, "127.0.0.1:9");
  EXPECT_EQ(t.interval_ms, 90000);
  EXPECT_EQ(t.url(), "http://127.0.0.1:9/p%20q%3F?module=m+1%262");
}

TEST(TargetLabelsTest, ChecksInPrometheusWords) {
  struct Case {
    Config rule;
    std::string error;
  };
  std::vector<Case> cases = {
      {rule(Action::kReplace, {}, "(.*)", "__address__", ""), "no address"},
      {rule(Action::kReplace, {}, "(.*)", "__address__", "h/x:1"), R"("h/x:1" is not a valid hostname)"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_interval__", "abc"),
       R"(error parsing scrape interval: not a valid duration string: "abc")"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_interval__", "0s"), "scrape interval cannot be 0"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_interval__", ""),
       "error parsing scrape interval: empty duration string"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_timeout__", "1.5s"),
       R"(error parsing scrape timeout: not a valid duration string: "1.5s")"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_timeout__", "0"), "scrape timeout cannot be 0"},
      {rule(Action::kReplace, {}, "(.*)", "__scrape_timeout__", "20s"),
       R"(scrape timeout cannot be greater than scrape interval ("20s" > "15s"))"},
      {rule(Action::kReplace, {}, "(.*)", "bad", "\xff"), R"(invalid label value for "bad": "\xff")"},
  };
  for (const Case& k : cases) {
    ScrapeConfig c = job();
    c.relabel_configs = {k.rule};
    TargetLabels t = populate_target_labels(L({"__address__", "h:1"}), Labels(), c);
    EXPECT_FALSE(t.dropped);
    EXPECT_EQ(t.error.message(), k.error);
    EXPECT_FALSE(t.active());
  }
}

TEST(TargetLabelsTest, DefaultPortOnlyInPrometheus2) {
  struct Case {
    std::string addr, scheme, v3, v2;
  };
  for (const Case& k : std::vector<Case>{{"host", "http", "host", "host:80"},
                                         {"host", "https", "host", "host:443"},
                                         {"[::1]", "http", "[::1]", "[::1]:80"},
                                         {"::1", "http", "::1", "::1"},
                                         {"host:1", "https", "host:1", "host:1"}}) {
    ScrapeConfig c = job();
    c.scheme = k.scheme;
    TargetLabels t3 = populate_target_labels(L({"__address__", k.addr}), Labels(), c);
    TargetLabels t2 = populate_target_labels(L({"__address__", k.addr}), Labels(), c, {.prometheus_v2 = true});
    EXPECT_EQ(t3.labels.get("instance"), k.v3);
    EXPECT_EQ(t2.labels.get("instance"), k.v2);
    EXPECT_EQ(t2.address, k.v2);
  }
}

TEST(TargetLabelsTest, UrlAsGoPrintsIt) {
  TargetLabels t;
  t.scheme = "http";
  t.address = "h:1";
  t.metrics_path = "metrics";
  EXPECT_EQ(t.url(), "http://h:1/metrics");
  t.metrics_path = "";
  EXPECT_EQ(t.url(), "http://h:1");
  t.metrics_path = "/a b/ü#x";
  t.params = {{"z", {"1"}}, {"a b", {"x y", "é"}}};
  EXPECT_EQ(t.url(), "http://h:1/a%20b/%C3%BC%23x?a+b=x+y&a+b=%C3%A9&z=1");
  t.scheme = "";
  t.params.clear();
  EXPECT_EQ(t.url(), "//h:1/a%20b/%C3%BC%23x");
}

TEST(TargetLabelsTest, StaticConfigs) {
  ScrapeConfig c = job();
  c.static_configs = {{{"a:1", "b:2"}, {{"env", "x"}}}, {{"c:3"}, {}}};
  std::vector<TargetLabels> ts = static_target_labels(c);
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[0].labels.to_string(), R"({env="x", instance="a:1", job="node"})");
  EXPECT_EQ(ts[2].labels.to_string(), R"({instance="c:3", job="node"})");
}

TEST(TargetLabelsTest, SplitHostPortAsGo) {
  std::string_view h, p;
  EXPECT_TRUE(net::split_host_port("a:1", &h, &p));
  EXPECT_EQ(h, "a");
  EXPECT_EQ(p, "1");
  EXPECT_TRUE(net::split_host_port("[::1]:80", &h, &p));
  EXPECT_EQ(h, "::1");
  EXPECT_TRUE(net::split_host_port("a:", &h, &p));
  EXPECT_EQ(p, "");
  EXPECT_FALSE(net::split_host_port("a", &h, &p));
  EXPECT_FALSE(net::split_host_port("a:b:c", &h, &p));
  EXPECT_FALSE(net::split_host_port("[::1]", &h, &p));
  EXPECT_FALSE(net::split_host_port("[a]b:1", &h, &p));
  EXPECT_FALSE(net::split_host_port("a]:1", &h, &p));
}

}  // namespace
}  // namespace strata::scrape
