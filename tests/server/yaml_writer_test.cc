// The yaml.v2-style writer used for /api/v1/status/config.
#include "server/yaml_writer.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

TEST(YamlQuoteTest, PlainWhenUnambiguous) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"localhost:9090", "localhost:9090"},
      {"(.*)", "(.*)"},
      {"$1", "$1"},
      {";", ";"},
      {"/metrics", "/metrics"},
      {"go_.*", "go_.*"},
      {"127.0.0.1:9100", "127.0.0.1:9100"},
      {"", "\"\""},
      {"1", "\"1\""},
      {"1.5", "\"1.5\""},
      {"true", "\"true\""},
      {"yes", "\"yes\""},
      {"null", "\"null\""},
      {"0x1F", "\"0x1F\""},
      {"*.json", "'*.json'"},
      {"a: b", "'a: b'"},
      {"a #b", "'a #b'"},
      {" lead", "' lead'"},
      {"it's", "it's"},
      {"'quoted'", "'''quoted'''"},
      {"- x", "'- x'"},
      {"line\nbreak", "\"line\\nbreak\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(yaml_quote(c.in), c.out);
  }
  EXPECT_EQ(yaml_quote("a,b", true), "'a,b'");
  EXPECT_EQ(yaml_quote("a,b", false), "a,b");
}

TEST(YamlNodeTest, RendersLikeYamlV2) {
  YamlNode root = YamlNode::map();
  YamlNode global = YamlNode::map();
  global.set("scrape_interval", YamlNode::raw("15s"));
  global.set("external_labels", YamlNode::string_map({{"env", "prod"}, {"replica", "1"}}));
  root.set("global", std::move(global));
  YamlNode job = YamlNode::map();
  job.set("job_name", YamlNode::str("node"));
  job.set("labels", YamlNode::flow({"a", "b"}));
  YamlNode statics = YamlNode::seq();
  YamlNode sc = YamlNode::map();
  sc.set("targets", YamlNode::strings({"x:1", "y:2"}));
  statics.push(std::move(sc));
  YamlNode empty = YamlNode::map();
  empty.set("targets", YamlNode::strings({}));
  statics.push(std::move(empty));
  job.set("static_configs", std::move(statics));
  YamlNode jobs = YamlNode::seq();
  jobs.push(std::move(job));
  root.set("scrape_configs", std::move(jobs));
  EXPECT_EQ(root.render(),
            "global:\n"
            "  scrape_interval: 15s\n"
            "  external_labels:\n"
            "    env: prod\n"
            "    replica: \"1\"\n"
            "scrape_configs:\n"
            "- job_name: node\n"
            "  labels: [a, b]\n"
            "  static_configs:\n"
            "  - targets:\n"
            "    - x:1\n"
            "    - y:2\n"
            "  - targets: []\n");
}

}  // namespace
}  // namespace strata::server
