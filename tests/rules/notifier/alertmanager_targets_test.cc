#include "rules/notifier/alertmanager_targets.h"
#include "tests/testutil/relabel_rule.h"

#include <gtest/gtest.h>

namespace strata::rules::notifier {
namespace {

using tsdb::Labels;
namespace relabel = tsdb::relabel;

scrape::TargetGroup group(std::vector<std::string> addresses, Labels common = {},
                          const std::string& source = "0") {
  scrape::TargetGroup g;
  g.source = source;
  for (auto& a : addresses) g.targets.push_back(Labels::from_strings({"__address__", a}));
  g.labels = std::move(common);
  return g;
}

TEST(AlertmanagerTargetsTest, AlertsPathUnderPrefix) {
  EXPECT_EQ(alerts_path(""), "/api/v2/alerts");
  EXPECT_EQ(alerts_path("/am"), "/am/api/v2/alerts");
  EXPECT_EQ(alerts_path("/am///"), "/am/api/v2/alerts");
  EXPECT_EQ(alerts_path("am/"), "am/api/v2/alerts");
}

TEST(AlertmanagerTargetsTest, BuildsLabelsAndUrls) {
  AlertmanagerConfig cfg;
  cfg.scheme = "https";
  cfg.path_prefix = "/prefix/";
  auto t = alertmanagers_from_groups(
      {group({"am1:9093", "am2:9093"}, Labels::from_strings({"__meta_x", "y", "dc", "eu"}))}, cfg);
  ASSERT_EQ(t.active.size(), 2u);
  EXPECT_EQ(t.active[0].url, "https://am1:9093/prefix/api/v2/alerts");
  EXPECT_EQ(t.active[1].url, "https://am2:9093/prefix/api/v2/alerts");
  EXPECT_EQ(t.active[0].labels, Labels::from_strings({"__address__", "am1:9093", "__alerts_path__",
                                                      "/prefix/api/v2/alerts", "__meta_x", "y",
                                                      "__scheme__", "https", "dc", "eu"}));
  EXPECT_TRUE(t.dropped.empty());
  EXPECT_TRUE(t.errors.empty());
}

TEST(AlertmanagerTargetsTest, ConfigSchemeWinsOverDiscoveredButGroupLabelsDoNot) {
  AlertmanagerConfig cfg;
  scrape::TargetGroup g;
  g.source = "0";
  g.targets.push_back(
      Labels::from_strings({"__address__", "a:1", "__scheme__", "https", "x", "own"}));
  g.labels = Labels::from_strings({"x", "group", "y", "group"});
  auto t = alertmanagers_from_groups({g}, cfg);
  ASSERT_EQ(t.active.size(), 1u);
  EXPECT_EQ(t.active[0].url, "http://a:1/api/v2/alerts");
  EXPECT_EQ(t.active[0].labels.get("x"), "own");
  EXPECT_EQ(t.active[0].labels.get("y"), "group");
}

TEST(AlertmanagerTargetsTest, RelabelingRewritesDropsAndEmptiesAddresses) {
  AlertmanagerConfig cfg;
  cfg.relabel_configs = {
      testutil::relabel_rule(relabel::Action::kDrop, {"__address__"}, "dropme:.*"),
      testutil::relabel_rule(relabel::Action::kReplace, {"__address__"}, "(.*):9093", "__address__", "$1:19093"),
      testutil::relabel_rule(relabel::Action::kReplace, {"__address__"}, "empty:.*", "__address__", ""),
      testutil::relabel_rule(relabel::Action::kReplace, {"role"}, "(.+)", "__alerts_path__", "/$1/api/v2/alerts"),
  };
  scrape::TargetGroup g = group({"am:9093", "dropme:9093", "empty:1"});
  g.targets.push_back(Labels::from_strings({"__address__", "r:1", "role", "x"}));
  auto t = alertmanagers_from_groups({g}, cfg);
  ASSERT_EQ(t.active.size(), 2u);
  EXPECT_EQ(t.active[0].url, "http://am:19093/api/v2/alerts");
  EXPECT_EQ(t.active[1].url, "http://r:1/x/api/v2/alerts");
  ASSERT_EQ(t.dropped.size(), 2u);
  // Dropped ones are listed as discovered, before relabeling.
  EXPECT_EQ(t.dropped[0].url, "http://dropme:9093/api/v2/alerts");
  EXPECT_EQ(t.dropped[1].url, "http://empty:1/api/v2/alerts");
}

TEST(AlertmanagerTargetsTest, DeduplicatesUrlsAndRefusesPaths) {
  AlertmanagerConfig cfg;
  auto t = alertmanagers_from_groups({group({"gone:9093", "bad/host:1"}, {}, "0"),
                                      group({"am:9093", "other:9093", "am:9093"}, {}, "1")},
                                     cfg);
  // The group with the invalid address is left out whole.
  ASSERT_EQ(t.active.size(), 2u);
  EXPECT_EQ(t.active[0].url, "http://am:9093/api/v2/alerts");
  EXPECT_EQ(t.active[1].url, "http://other:9093/api/v2/alerts");
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0], "\"bad/host:1\" is not a valid hostname");
}

}  // namespace
}  // namespace strata::rules::notifier
