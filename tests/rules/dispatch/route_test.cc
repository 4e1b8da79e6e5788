// Routing: a table of label sets and the receivers they reach (nested
// routes, continue, matchers, match_re, negative matchers), the same
// against `amtool config routes test` on generated label sets, and the
// route and group keys.
#include "rules/dispatch/route.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <random>

#include "tests/rules/dispatch/amtool.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::dispatch {
namespace {

constexpr char kConfig[] = R"(
route:
  receiver: default
  group_by: [alertname]
  routes:
  - matchers: ['team="db"']
    receiver: db
    continue: true
    group_by: [alertname, instance]
    routes:
    - matchers: ['severity="page"']
      receiver: db-pager
  - matchers: ['team=~"db|web"', 'env!="dev"']
    receiver: web
    group_by: ['...']
  - match_re: {service: "api.*"}
    receiver: api
receivers:
- name: default
- name: db
- name: db-pager
- name: web
- name: api
)";

std::string receivers(const RoutingTree& t, const tsdb::Labels& l) {
  std::string out;
  for (const RouteNode* r : t.match(l)) {
    if (!out.empty()) out += ",";
    out += r->config->receiver;
  }
  return out;
}

TEST(DispatchRouteTest, Table) {
  auto c = parse_config(kConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  RoutingTree tree(c->route);
  struct Case {
    std::vector<std::string_view> labels;
    std::string want;
  };
  const std::vector<Case> table = {
      {{"team", "db", "severity", "page"}, "db-pager,web"},
      {{"team", "db", "env", "dev"}, "db"},
      {{"team", "web"}, "web"},
      {{"team", "web", "env", "dev"}, "default"},
      {{"service", "apix"}, "api"},
      {{"service", "xapi"}, "default"},
      {{"foo", "bar"}, "default"},
      {{"team", "db", "env", "dev", "service", "api"}, "db,api"},
  };
  for (const auto& tc : table) {
    tsdb::Labels l = tsdb::Labels::from_strings({});
    std::vector<tsdb::Label> items;
    for (size_t i = 0; i + 1 < tc.labels.size(); i += 2) {
      items.push_back({std::string(tc.labels[i]), std::string(tc.labels[i + 1])});
    }
    l = tsdb::Labels::from_unsorted(items);
    SCOPED_TRACE(l.to_string());
    EXPECT_EQ(receivers(tree, l), tc.want);
  }
}

TEST(DispatchRouteTest, KeysAndGroupLabels) {
  auto c = parse_config(kConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  RoutingTree tree(c->route);
  auto l = tsdb::Labels::from_strings(
      {"alertname", "Down", "team", "db", "instance", "h:1", "severity", "page"});
  auto routes = tree.match(l);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0]->key, "{}/{team=\"db\"}/{severity=\"page\"}");
  EXPECT_EQ(group_key(*routes[0], routes[0]->group_labels(l)),
            "{}/{team=\"db\"}/{severity=\"page\"}:{alertname=\"Down\", instance=\"h:1\"}");
  // `...` groups by every label.
  EXPECT_EQ(routes[1]->group_labels(l), l);
  EXPECT_EQ(routes[1]->key, "{}/{env!=\"dev\",team=~\"db|web\"}");
  auto other = tsdb::Labels::from_strings({"alertname", "X", "foo", "bar"});
  EXPECT_EQ(group_key(tree.root(), tree.root().group_labels(other)), "{}:{alertname=\"X\"}");
}

// Generated label sets routed by Strata and by amtool give the same receivers.
TEST(DispatchRouteTest, SameReceiversAsAmtool) {
  if (!amtool_available()) GTEST_SKIP() << "amtool not installed";
  testutil::TempDir dir("dispatch-route-");
  const std::string path = dir.path() + "/am.yml";
  std::ofstream(path) << kConfig;
  auto c = parse_config(kConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  RoutingTree tree(c->route);
  const std::vector<std::pair<std::string, std::vector<std::string>>> dims = {
      {"team", {"db", "web", "ops", ""}},
      {"severity", {"page", "warn", ""}},
      {"env", {"dev", "prod", ""}},
      {"service", {"api", "apix", "web", ""}}};
  std::mt19937 rng(7);
  for (int i = 0; i < 30; ++i) {
    std::vector<tsdb::Label> items = {{"alertname", "A"}};
    std::string args = "alertname=A";
    for (const auto& [name, values] : dims) {
      const std::string& v = values[rng() % values.size()];
      if (v.empty()) continue;
      items.push_back({name, v});
      args += " " + name + "=" + v;
    }
    SCOPED_TRACE(args);
    EXPECT_EQ(receivers(tree, tsdb::Labels::from_unsorted(items)), amtool_route(path, args));
  }
}

// Generated routing trees (random matchers of every kind, nesting,
// continue) and label sets: the same receivers as amtool.
TEST(DispatchRouteTest, GeneratedTreesRouteLikeAmtool) {
  if (!amtool_available()) GTEST_SKIP() << "amtool not installed";
  testutil::TempDir dir("dispatch-route-");
  std::mt19937 rng(11);
  const std::vector<std::string> names = {"a", "b", "c"};
  const std::vector<std::string> values = {"x", "y", "xy", ""};
  const char* ops[] = {"=", "!=", "=~", "!~"};
  int receiver_count = 0;
  std::function<std::string(int, const std::string&)> route = [&](int depth,
                                                                  const std::string& indent) {
    std::string out;
    int n = static_cast<int>(rng() % 3) + (depth == 0 ? 1 : 0);
    for (int i = 0; i < n && depth < 3; ++i) {
      out += indent + "- receiver: r" + std::to_string(receiver_count++ % 6) + "\n";
      out += indent + "  continue: " + (rng() % 2 ? "true" : "false") + "\n";
      out += indent + "  matchers: [";
      int m = static_cast<int>(rng() % 3);
      for (int k = 0; k < m; ++k) {
        const char* op = ops[rng() % 4];
        std::string v = values[rng() % values.size()];
        if (op[1] == '~' && rng() % 2) v += ".*";
        out +=
            std::string(k ? ", " : "") + "'" + names[rng() % names.size()] + op + "\"" + v + "\"'";
      }
      out += "]\n";
      std::string children = route(depth + 1, indent + "  ");
      if (!children.empty()) out += indent + "  routes:\n" + children;
    }
    return out;
  };
  for (int tree_i = 0; tree_i < 8; ++tree_i) {
    receiver_count = 0;
    std::string yaml = "route:\n  receiver: root\n  routes:\n" + route(0, "  ") +
                       "receivers: [{name: root}, {name: r0}, {name: r1}, {name: r2}, {name: r3}, "
                       "{name: r4}, {name: r5}]\n";
    SCOPED_TRACE(yaml);
    auto c = parse_config(yaml);
    ASSERT_TRUE(c.ok()) << c.status();
    const std::string path = dir.path() + "/am.yml";
    std::ofstream(path) << yaml;
    RoutingTree tree(c->route);
    for (int j = 0; j < 8; ++j) {
      std::vector<tsdb::Label> items = {{"alertname", "A"}};
      std::string args = "alertname=A";
      for (const auto& name : names) {
        const std::string& v = values[rng() % values.size()];
        if (v.empty()) continue;
        items.push_back({name, v});
        args += " " + name + "=" + v;
      }
      SCOPED_TRACE(args);
      EXPECT_EQ(receivers(tree, tsdb::Labels::from_unsorted(items)), amtool_route(path, args));
    }
  }
}

}  // namespace
}  // namespace strata::rules::dispatch
