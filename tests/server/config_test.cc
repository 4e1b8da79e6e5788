// prometheus.yml loading: a full example, defaults, strict field checking,
// validation errors with line numbers, and the re-marshalled YAML.
#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace strata::server {
namespace {

std::string error_of(const std::string& yaml) {
  auto c = parse_config(yaml, "test.yml");
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(ConfigTest, EmptyFileHasPrometheusDefaults) {
  auto c = parse_config("", "empty.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.scrape_interval_ms, 60000);
  EXPECT_EQ(c->global.scrape_timeout_ms, 10000);
  EXPECT_EQ(c->global.evaluation_interval_ms, 60000);
  EXPECT_TRUE(c->scrape_configs.empty());
  EXPECT_EQ(c->to_yaml(),
            "global:\n"
            "  scrape_interval: 1m\n"
            "  scrape_timeout: 10s\n"
            "  evaluation_interval: 1m\n");
}

TEST(ConfigTest, EmbeddedDefaultScrapesItself) {
  auto c = parse_config(default_config_yaml("localhost:9090"), kDefaultConfigName);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->scrape_configs.size(), 1u);
  EXPECT_EQ(c->scrape_configs[0].job_name, "strata");
  EXPECT_EQ(c->scrape_configs[0].static_configs[0].targets[0], "localhost:9090");
  EXPECT_EQ(c->to_yaml(),
            "global:\n"
            "  scrape_interval: 15s\n"
            "  scrape_timeout: 10s\n"
            "  evaluation_interval: 15s\n"
            "scrape_configs:\n"
            "- job_name: strata\n"
            "  honor_timestamps: true\n"
            "  scrape_interval: 15s\n"
            "  scrape_timeout: 10s\n"
            "  metrics_path: /metrics\n"
            "  scheme: http\n"
            "  follow_redirects: true\n"
            "  enable_http2: true\n"
            "  static_configs:\n"
            "  - targets:\n"
            "    - localhost:9090\n");
}

constexpr const char* kExample = R"(
global:
  scrape_interval: 30s
  evaluation_interval: 10s
  external_labels:
    cluster: eu-1
    replica: "1"

rule_files:
  - "rules/*.yml"

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["alertmanager:9093"]

scrape_configs:
  - job_name: node
    scrape_interval: 5s
    static_configs:
      - targets: ["node1:9100", "node2:9100"]
        labels:
          env: prod
    relabel_configs:
      - source_labels: [__address__]
        regex: "(.*):9100"
        target_label: host
        replacement: "$1"
  - job_name: api
    metrics_path: /internal/metrics
    scheme: https
    basic_auth:
      username: scraper
      password: hunter2
    tls_config:
      insecure_skip_verify: true
    file_sd_configs:
      - files: ["targets/*.json"]
    metric_relabel_configs:
      - regex: "go_.*"
        action: labeldrop

remote_write:
  - url: http://mimir:9009/api/v1/push
    name: mimir
    headers:
      X-Scope-OrgID: tenant-1
    queue_config:
      max_samples_per_send: 2000
)";

TEST(ConfigTest, ParsesAFullExample) {
  auto c = parse_config(kExample, "prometheus.yml", "/etc/prometheus");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.scrape_interval_ms, 30000);
  EXPECT_EQ(c->global.scrape_timeout_ms, 10000);
  EXPECT_EQ(c->global.evaluation_interval_ms, 10000);
  EXPECT_EQ(c->global.external_labels.at("replica"), "1");
  ASSERT_EQ(c->rule_files.size(), 1u);
  EXPECT_EQ(c->rule_files[0], "/etc/prometheus/rules/*.yml");
  ASSERT_EQ(c->alertmanagers.size(), 1u);
  EXPECT_EQ(c->alertmanagers[0].static_configs[0].targets[0], "alertmanager:9093");
  ASSERT_EQ(c->scrape_configs.size(), 2u);
  const ScrapeConfig& node = c->scrape_configs[0];
  EXPECT_EQ(node.scrape_interval_ms, 5000);
  EXPECT_EQ(node.scrape_timeout_ms, 5000);  // capped at the interval
  EXPECT_EQ(node.static_configs[0].targets.size(), 2u);
  EXPECT_EQ(node.static_configs[0].labels.at("env"), "prod");
  ASSERT_EQ(node.relabel_configs.size(), 1u);
  EXPECT_EQ(node.relabel_configs[0].target_label, "host");
  EXPECT_EQ(node.relabel_configs[0].action, tsdb::relabel::Action::kReplace);
  const ScrapeConfig& api = c->scrape_configs[1];
  EXPECT_EQ(api.scrape_interval_ms, 30000);
  EXPECT_EQ(api.scheme, "https");
  ASSERT_TRUE(api.http.basic_auth.has_value());
  EXPECT_EQ(api.http.basic_auth->password, "hunter2");
  EXPECT_TRUE(api.http.tls_config.insecure_skip_verify);
  EXPECT_EQ(api.file_sd_configs[0].files[0], "/etc/prometheus/targets/*.json");
  EXPECT_EQ(api.file_sd_configs[0].refresh_interval_ms, 300000);
  ASSERT_EQ(c->remote_write.size(), 1u);
  EXPECT_EQ(c->remote_write[0].queue_config.max_samples_per_send, 2000);
  EXPECT_EQ(c->remote_write[0].queue_config.capacity, 2500);
  EXPECT_TRUE(c->warnings.empty());

  std::string y = c->to_yaml();
  EXPECT_NE(y.find("  external_labels:\n    cluster: eu-1\n    replica: \"1\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("  relabel_configs:\n  - source_labels: [__address__]\n    separator: ;\n"
                   "    regex: (.*):9100\n    target_label: host\n    replacement: $1\n"
                   "    action: replace\n"),
            std::string::npos)
      << y;
  EXPECT_NE(y.find("  basic_auth:\n    username: scraper\n    password: <secret>\n"), std::string::npos) << y;
  EXPECT_EQ(y.find("hunter2"), std::string::npos);
  EXPECT_NE(y.find("  tls_config:\n    insecure_skip_verify: true\n"), std::string::npos) << y;
  EXPECT_NE(y.find("    regex: go_.*\n"), std::string::npos) << y;
  EXPECT_NE(y.find("alerting:\n  alertmanagers:\n  - follow_redirects: true\n"), std::string::npos) << y;
  EXPECT_NE(y.find("    max_samples_per_send: 2000\n    batch_send_deadline: 5s\n"), std::string::npos) << y;
  // What we print parses back to the same thing.
  auto again = parse_config(y, "roundtrip.yml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << y;
  EXPECT_EQ(again->to_yaml(), y);
}

TEST(ConfigTest, UnknownFieldsAreErrorsWithLines) {
  struct Case {
    const char* name;
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"top level", "global: {}\nfoo: 1\n",
       "parsing YAML file test.yml: line 2: field foo not found in type config.plain"},
      {"global", "global:\n  scrape_intervall: 1m\n",
       "line 2: field scrape_intervall not found in type config.plain"},
      {"scrape config", "scrape_configs:\n  - job_name: a\n    targets: [x]\n",
       "line 3: field targets not found in type config.ScrapeConfig"},
      {"relabel", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - sourcelabels: [a]\n",
       "line 4: field sourcelabels not found in type relabel.plain"},
      {"repeated key", "global:\n  scrape_interval: 1m\n  scrape_interval: 2m\n",
       "line 3: mapping key \"scrape_interval\" already defined at line 2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_NE(error_of(c.yaml).find(c.error), std::string::npos) << error_of(c.yaml);
  }
}

TEST(ConfigTest, InvalidValuesAreErrors) {
  struct Case {
    const char* name;
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"bad duration", "global:\n  scrape_interval: 1x\n",
       "line 2: not a valid duration string: \"1x\""},
      {"float duration", "global:\n  evaluation_interval: 1.5m\n", "not a valid duration string"},
      {"timeout above interval", "global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n",
       "global scrape timeout greater than scrape interval"},
      {"job timeout", "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n",
       "scrape timeout greater than scrape interval for scrape config with job name \"a\""},
      {"no job name", "scrape_configs:\n  - scrape_interval: 5s\n", "job_name is empty"},
      {"duplicate job", "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
       "found multiple scrape configs with job name \"a\""},
      {"url target", "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [\"http://x:1/metrics\"]\n",
       "\"http://x:1/metrics\" is not a valid hostname"},
      {"bool", "scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n",
       "line 3: cannot unmarshal !!str `maybe` into bool"},
      {"relabel action", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: frobnicate\n",
       "unknown relabel action \"frobnicate\""},
      {"relabel regex", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: \"(\"\n        action: keep\n",
       "error parsing regexp"},
      {"relabel target", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n",
       "relabel configuration for replace action requires 'target_label' value"},
      {"hashmod", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n",
       "relabel configuration for hashmod requires non-zero modulus"},
      {"labeldrop extra", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labeldrop\n        regex: x\n        target_label: y\n",
       "labeldrop action requires only 'regex', and no other fields"},
      {"auth conflict", "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n",
       "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"},
      {"remote write url", "remote_write:\n  - name: x\n", "url for remote_write is empty"},
      {"reserved header", "remote_write:\n  - url: http://a/b\n    headers: {User-Agent: x}\n",
       "User-Agent is a reserved header. It must not be changed"},
      {"protobuf message", "remote_write:\n  - url: http://a/b\n    protobuf_message: prometheus.WriteRequestV3\n",
       "unknown remote write protobuf message prometheus.WriteRequestV3"},
      {"label name", "global:\n  external_labels:\n    \"\": x\n", "\"\" is not a valid label name"},
      {"rule path", "rule_files: [\"a/*/b/*.yml\"]\n", "invalid rule file path \"a/*/b/*.yml\""},
      {"am version", "alerting:\n  alertmanagers:\n    - api_version: v1\n",
       "expected Alertmanager api version to be one of [v2] but got v1"},
      {"type", "scrape_configs: {job_name: a}\n", "cannot unmarshal"},
      {"syntax", "global:\n  scrape_interval: [1m\n", "parsing YAML file test.yml: line"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string err = error_of(c.yaml);
    EXPECT_NE(err.find(c.error), std::string::npos) << err;
  }
}

TEST(ConfigTest, RemoteWriteProtobufMessageChoosesTheProtocol) {
  auto c = parse_config(
      "remote_write:\n  - url: http://a/1\n  - url: http://a/2\n    protobuf_message: io.prometheus.write.v2.Request\n"
      "  - url: http://a/3\n    protobuf_message: prometheus.WriteRequest\n",
      "test.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->remote_write[0].protocol, remote::RemoteWriteConfig::Protocol::kV1);
  EXPECT_EQ(c->remote_write[1].protocol, remote::RemoteWriteConfig::Protocol::kV2);
  EXPECT_EQ(c->remote_write[2].protocol, remote::RemoteWriteConfig::Protocol::kV1);
  EXPECT_TRUE(c->warnings.empty());
  EXPECT_NE(c->to_yaml().find("protobuf_message: io.prometheus.write.v2.Request"), std::string::npos);
}

// Numbers and booleans are read as gopkg.in/yaml.v2 reads them into Go's
// uint, int and bool. The values are what Prometheus 2.42 loaded for each
// (its /api/v1/status/config), the errors what its promtool printed.
TEST(ConfigTest, NumbersAndBooleansDecodeAsYamlV2) {
  auto scrape = [](const std::string& key, const std::string& v) {
    return parse_config("scrape_configs:\n- job_name: x\n  " + key + ": " + v + "\n", "t.yml");
  };
  const std::pair<const char*, uint64_t> uints[] = {
      {"0x10", 16}, {"1e3", 1000}, {"1_000", 1000}, {"+5", 5}, {"010", 8}, {"0o10", 8},
      {"0b101", 5}, {"1.5", 1}, {"-1.5", UINT64_MAX}, {"1e19", 10000000000000000000u},
      {"18446744073709551615", UINT64_MAX}, {"18446744073709551616", uint64_t(1) << 63},
      {".5", 0}, {"5.", 5}, {"!!int 5", 5}, {"!!float 5", 5}, {"-0", 0}, {"1__0", 10},
      {"0x_1", 1}, {"9e18", 9000000000000000000u}, {"-1e19", uint64_t(1) << 63},
      {"-.inf", uint64_t(1) << 63}, {"08", 8},
  };
  for (const auto& [v, want] : uints) {
    auto c = scrape("sample_limit", v);
    ASSERT_TRUE(c.ok()) << v << ": " << c.status();
    EXPECT_EQ(c->scrape_configs[0].sample_limit, want) << v;
  }
  const std::pair<const char*, const char*> uint_errors[] = {
      {"-1", "line 3: cannot unmarshal !!int `-1` into uint"},
      {"'5'", "line 3: cannot unmarshal !!str `5` into uint"},
      {"!!str 5", "line 3: cannot unmarshal !!str `5` into uint"},
      {"true", "line 3: cannot unmarshal !!bool `true` into uint"},
      {"_1", "line 3: cannot unmarshal !!str `_1` into uint"},
      {".inf", "line 3: cannot unmarshal !!float `.inf` into uint"},
      {".nan", "line 3: cannot unmarshal !!float `.nan` into uint"},
      {"0b2", "line 3: cannot unmarshal !!str `0b2` into uint"},
      {"2001-12-14T01:02:03Z", "line 3: cannot unmarshal !!timestamp `2001-12...` into uint"},
      {"2001-2-30", "line 3: cannot unmarshal !!str `2001-2-30` into uint"},
      {"!foo 5", "line 3: cannot unmarshal !foo `5` into uint"},
      {"[1]", "line 3: cannot unmarshal !!seq into uint"},
  };
  for (const auto& [v, want] : uint_errors) {
    auto c = scrape("sample_limit", v);
    ASSERT_FALSE(c.ok()) << v;
    EXPECT_NE(std::string(c.status().message()).find(want), std::string::npos) << v << ": " << c.status();
  }
  auto capacity = [](const std::string& v) {
    return parse_config("remote_write:\n- url: http://127.0.0.1:1/w\n  queue_config:\n    capacity: " + v + "\n",
                        "t.yml");
  };
  const std::pair<const char*, int64_t> ints[] = {
      {"-1", -1}, {"-1.5", -1}, {"1.9", 1}, {"-1.9", -1}, {"9223372036854775807", INT64_MAX},
      {"-1e19", INT64_MIN}, {"-9223372036854775809", INT64_MIN}, {"-0x10", -16}, {"+0x10", 16},
      {"-0b11", -3}, {"1e+3", 1000}, {"1E3", 1000}, {"1.e3", 1000}, {"0.5e1", 5},
  };
  for (const auto& [v, want] : ints) {
    auto c = capacity(v);
    ASSERT_TRUE(c.ok()) << v << ": " << c.status();
    EXPECT_EQ(c->remote_write[0].queue_config.capacity, want) << v;
  }
  const std::pair<const char*, const char*> int_errors[] = {
      {"2001-12-14", "line 4: cannot unmarshal !!timestamp `2001-12-14` into int"},
      {"yes", "line 4: cannot unmarshal !!bool `yes` into int"},
      {"9223372036854775808", "line 4: cannot unmarshal !!int `9223372...` into int"},
      {"0x8000000000000000", "line 4: cannot unmarshal !!int `0x80000...` into int"},
      {"1e19", "line 4: cannot unmarshal !!float `1e19` into int"},
      {"9.3e18", "line 4: cannot unmarshal !!float `9.3e18` into int"},
      {".e3", "line 4: cannot unmarshal !!str `.e3` into int"},
      {"!!binary AQ==", "line 4: cannot unmarshal !!binary `AQ==` into int"},
      {"{a: 1}", "line 4: cannot unmarshal !!map into int"},
  };
  for (const auto& [v, want] : int_errors) {
    auto c = capacity(v);
    ASSERT_FALSE(c.ok()) << v;
    EXPECT_NE(std::string(c.status().message()).find(want), std::string::npos) << v << ": " << c.status();
  }
  for (const char* v : {"yes", "Y", "y", "on", "!!bool true"}) {
    auto c = scrape("honor_labels", v);
    ASSERT_TRUE(c.ok()) << v << ": " << c.status();
    EXPECT_TRUE(c->scrape_configs[0].honor_labels) << v;
  }
  const std::pair<const char*, const char*> bool_errors[] = {
      {"'true'", "line 3: cannot unmarshal !!str `true` into bool"},
      {"!!str true", "line 3: cannot unmarshal !!str `true` into bool"},
      {"1", "line 3: cannot unmarshal !!int `1` into bool"},
      {"!!float 37501", "line 3: cannot unmarshal !!float `37501` into bool"},
      {"!!int 12345678901.5", "parsing YAML file t.yml: yaml: cannot decode !!float `12345678901.5` as a !!int"},
  };
  for (const auto& [v, want] : bool_errors) {
    auto c = scrape("honor_labels", v);
    ASSERT_FALSE(c.ok()) << v;
    EXPECT_NE(std::string(c.status().message()).find(want), std::string::npos) << v << ": " << c.status();
  }
}

// A node of the wrong kind names its yaml.v2 tag, a scalar its text, and the
// Go type Prometheus decodes into; each as promtool 2.42 printed it.
TEST(ConfigTest, TypeErrorsNameTheGoType) {
  const std::pair<const char*, const char*> cases[] = {
      {"5\n", "line 1: cannot unmarshal !!int `5` into config.plain"},
      {"global:\n  external_labels: 5\n", "line 2: cannot unmarshal !!int `5` into map[string]string"},
      {"global:\n  external_labels:\n    a: [b]\n", "line 3: cannot unmarshal !!seq into string"},
      {"scrape_configs: 5\n", "line 1: cannot unmarshal !!int `5` into []*config.ScrapeConfig"},
      {"scrape_configs:\n- 5\n", "line 2: cannot unmarshal !!int `5` into config.ScrapeConfig"},
      {"scrape_configs:\n- job_name: x\n  zz: 1\n", "line 3: field zz not found in type config.ScrapeConfig"},
      {"scrape_configs:\n- job_name: x\n  params: 5\n", "line 3: cannot unmarshal !!int `5` into url.Values"},
      {"scrape_configs:\n- job_name: x\n  static_configs: x\n",
       "line 3: cannot unmarshal !!str `x` into []*targetgroup.Group"},
      {"scrape_configs:\n- job_name: x\n  static_configs:\n  - labels:\n      a: [b]\n",
       "line 5: cannot unmarshal !!seq into model.LabelValue"},
      {"scrape_configs:\n- job_name: x\n  relabel_configs:\n  - source_labels: 5\n",
       "line 4: cannot unmarshal !!int `5` into model.LabelNames"},
      {"scrape_configs:\n- job_name: x\n  basic_auth: [a]\n", "line 3: cannot unmarshal !!seq into config.plain"},
      {"scrape_configs:\n- job_name: x\n  basic_auth:\n    password: [a]\n",
       "line 4: cannot unmarshal !!seq into config.plain"},
      {"scrape_configs:\n- job_name: x\n  oauth2:\n    zz: 1\n", "line 4: field zz not found in type config.OAuth2"},
      {"scrape_configs:\n- job_name: x\n  body_size_limit: [5]\n",
       "line 3: cannot unmarshal !!seq into units.Base2Bytes"},
      {"remote_write:\n- url: http://a/b\n  queue_config: true\n",
       "line 3: cannot unmarshal !!bool `true` into config.QueueConfig"},
      {"remote_write:\n- url: http://a/b\n  metadata_config:\n    zz: 1\n",
       "line 4: field zz not found in type config.MetadataConfig"},
      {"alerting:\n  alertmanagers: 5\n", "line 2: cannot unmarshal !!int `5` into config.AlertmanagerConfigs"},
      {"alerting:\n  alertmanagers:\n  - zz: 1\n", "line 3: field zz not found in type config.AlertmanagerConfig"},
      {"rule_files: 1.5\n", "line 1: cannot unmarshal !!float `1.5` into []string"},
      {"global: !!int 1.5\n", "parsing YAML file t.yml: yaml: cannot decode !!float `1.5` as a !!int"},
  };
  for (const auto& [yaml, want] : cases) {
    auto c = parse_config(yaml, "t.yml");
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_NE(std::string(c.status().message()).find(want), std::string::npos) << yaml << c.status();
  }
}

TEST(ConfigTest, ScrapeDefaultsComeFromGlobal) {
  auto c = parse_config(
      "global:\n  scrape_interval: 5s\n  sample_limit: 1000\n"
      "scrape_configs:\n  - job_name: a\n  - job_name: b\n    scrape_interval: 1m\n    sample_limit: 10\n",
      "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.scrape_timeout_ms, 5000);  // min(10s, interval)
  EXPECT_EQ(c->scrape_configs[0].scrape_interval_ms, 5000);
  EXPECT_EQ(c->scrape_configs[0].scrape_timeout_ms, 5000);
  EXPECT_EQ(c->scrape_configs[0].sample_limit, 1000u);
  EXPECT_EQ(c->scrape_configs[1].scrape_timeout_ms, 5000);
  EXPECT_EQ(c->scrape_configs[1].sample_limit, 10u);
}

TEST(ConfigTest, UnsupportedSectionsAreWarnings) {
  auto c = parse_config(
      "remote_read:\n  - url: http://x/read\n"
      "scrape_configs:\n  - job_name: k8s\n    kubernetes_sd_configs:\n      - role: pod\n",
      "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->warnings.size(), 2u);
  EXPECT_EQ(c->warnings[0],
            "scrape job \"k8s\": kubernetes_sd_configs is not supported by Strata; its targets are ignored");
  EXPECT_EQ(c->warnings[1], "remote_read is not supported by Strata and is ignored");
}

TEST(ConfigTest, OtlpSection) {
  auto c = parse_config(
      "otlp:\n  promote_resource_attributes: [' deployment.environment ', k8s.pod.name]\n"
      "  translation_strategy: UnderscoreEscapingWithoutSuffixes\n"
      "  keep_identifying_resource_attributes: true\n"
      "  promote_scope_metadata: true\n",
      "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->otlp.promote_resource_attributes,
            (std::vector<std::string>{"deployment.environment", "k8s.pod.name"}));
  EXPECT_EQ(c->otlp.translation_strategy,
            remote::OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes);
  EXPECT_TRUE(c->otlp.keep_identifying_resource_attributes);
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0], "otlp.promote_scope_metadata is not supported by Strata and is ignored");
  EXPECT_NE(c->to_yaml().find("translation_strategy: UnderscoreEscapingWithoutSuffixes"),
            std::string::npos);
  // Defaults, and nothing in the config page unless set.
  auto d = parse_config("", "t.yml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->otlp.translation_strategy,
            remote::OtlpTranslationStrategy::kUnderscoreEscapingWithSuffixes);
  EXPECT_EQ(d->to_yaml().find("otlp"), std::string::npos);

  EXPECT_NE(error_of("otlp:\n  translation_strategy: Dots\n").find(
                "unsupported OTLP translation strategy \"Dots\""),
            std::string::npos);
  EXPECT_NE(error_of("otlp:\n  promote_resource_attributes: [a, ' a']\n")
                .find("duplicated promoted OTel resource attribute \"a\""),
            std::string::npos);
  EXPECT_NE(error_of("otlp:\n  promote_resource_attributes: ['']\n")
                .find("empty promoted OTel resource attribute"),
            std::string::npos);
  EXPECT_NE(error_of("otlp:\n  foo: 1\n").find("field foo not found in type config.OTLPConfig"),
            std::string::npos);
}

TEST(ConfigTest, BearerTokenBecomesAuthorization) {
  auto c = parse_config("scrape_configs:\n  - job_name: a\n    bearer_token: abc\n", "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->scrape_configs[0].http.authorization.has_value());
  EXPECT_EQ(c->scrape_configs[0].http.authorization->type, "Bearer");
  EXPECT_EQ(c->scrape_configs[0].http.authorization->credentials, "abc");
  EXPECT_NE(c->to_yaml().find("  authorization:\n    type: Bearer\n    credentials: <secret>\n"),
            std::string::npos);
}

TEST(ConfigTest, LoadsScrapeConfigFilesAndReportsMissingFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-config-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "jobs");
  std::ofstream(dir / "jobs" / "extra.yml") << "scrape_configs:\n  - job_name: extra\n";
  std::ofstream(dir / "main.yml") << "scrape_config_files: [\"jobs/*.yml\"]\n"
                                     "scrape_configs:\n  - job_name: main\n";
  auto c = load_config_file((dir / "main.yml").string());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->scrape_configs.size(), 2u);
  EXPECT_EQ(c->scrape_configs[1].job_name, "extra");
  EXPECT_EQ(c->to_yaml().find("job_name: extra"), std::string::npos);  // shown as the file glob

  auto missing = load_config_file((dir / "nope.yml").string());
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("no such file or directory"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// http_sd_configs and dns_sd_configs: defaults, the HTTP client settings
// of an HTTP SD, and the YAML Prometheus 2.42 prints for them (sorted by
// key after the job's own fields: dns_sd, file_sd, http_sd, static).
TEST(ConfigTest, ParsesHttpAndDnsServiceDiscovery) {
  auto c = parse_config(
      "scrape_configs:\n"
      "  - job_name: sd\n"
      "    static_configs: [{targets: ['a:1']}]\n"
      "    http_sd_configs:\n"
      "      - url: http://sd.example:8080/targets\n"
      "      - url: https://sd.example/t\n"
      "        refresh_interval: 15s\n"
      "        basic_auth: {username: u, password: hunter2}\n"
      "        tls_config: {ca_file: ca.pem}\n"
      "    dns_sd_configs:\n"
      "      - names: [_metrics._tcp.example]\n"
      "      - names: [a.example, b.example]\n"
      "        type: aaaa\n"
      "        port: 9100\n"
      "        refresh_interval: 1m\n",
      "t.yml", "/etc/strata");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->warnings.empty());
  const auto& sc = c->scrape_configs[0];
  ASSERT_EQ(sc.http_sd_configs.size(), 2u);
  EXPECT_EQ(sc.http_sd_configs[0].url, "http://sd.example:8080/targets");
  EXPECT_EQ(sc.http_sd_configs[0].refresh_interval_ms, 60000);
  EXPECT_EQ(sc.http_sd_configs[1].refresh_interval_ms, 15000);
  ASSERT_TRUE(sc.http_sd_configs[1].http.basic_auth.has_value());
  EXPECT_EQ(sc.http_sd_configs[1].http.basic_auth->password, "hunter2");
  EXPECT_EQ(sc.http_sd_configs[1].http.tls_config.ca_file, "/etc/strata/ca.pem");
  ASSERT_EQ(sc.dns_sd_configs.size(), 2u);
  EXPECT_EQ(sc.dns_sd_configs[0].type, "SRV");
  EXPECT_EQ(sc.dns_sd_configs[0].port, 0);
  EXPECT_EQ(sc.dns_sd_configs[0].refresh_interval_ms, 30000);
  EXPECT_EQ(sc.dns_sd_configs[1].type, "aaaa");  // kept as written
  EXPECT_EQ(sc.dns_sd_configs[1].port, 9100);
  EXPECT_EQ(sc.dns_sd_configs[1].names, (std::vector<std::string>{"a.example", "b.example"}));

  std::string y = c->to_yaml();
  EXPECT_NE(y.find("  dns_sd_configs:\n"
                   "  - names:\n"
                   "    - _metrics._tcp.example\n"
                   "    refresh_interval: 30s\n"
                   "    type: SRV\n"
                   "    port: 0\n"
                   "  - names:\n"
                   "    - a.example\n"
                   "    - b.example\n"
                   "    refresh_interval: 1m\n"
                   "    type: aaaa\n"
                   "    port: 9100\n"
                   "  http_sd_configs:\n"
                   "  - follow_redirects: true\n"
                   "    enable_http2: true\n"
                   "    refresh_interval: 1m\n"
                   "    url: http://sd.example:8080/targets\n"
                   "  - basic_auth:\n"
                   "      username: u\n"
                   "      password: <secret>\n"
                   "    tls_config:\n"
                   "      ca_file: /etc/strata/ca.pem\n"
                   "      insecure_skip_verify: false\n"
                   "    follow_redirects: true\n"
                   "    enable_http2: true\n"
                   "    refresh_interval: 15s\n"
                   "    url: https://sd.example/t\n"
                   "  static_configs:\n"),
            std::string::npos)
      << y;
  EXPECT_EQ(y.find("hunter2"), std::string::npos);
  auto again = parse_config(y, "roundtrip.yml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << y;
  EXPECT_EQ(again->to_yaml(), y);
}

TEST(ConfigTest, InvalidHttpAndDnsServiceDiscoveryAreErrors) {
  struct Case {
    const char* name;
    const char* yaml;
    const char* error;
  };
  const std::string job = "scrape_configs:\n  - job_name: a\n";
  const Case cases[] = {
      {"no url", "    http_sd_configs: [{refresh_interval: 1m}]\n", "line 3: URL is missing"},
      {"url scheme", "    http_sd_configs: [{url: 'ftp://x/y'}]\n", "URL scheme must be 'http' or 'https'"},
      {"url without scheme", "    http_sd_configs: [{url: 'sd.example:80/targets'}]\n",
       "URL scheme must be 'http' or 'https'"},
      {"url host", "    http_sd_configs: [{url: 'http:///targets'}]\n", "host is missing in URL"},
      {"url opaque", "    http_sd_configs: [{url: 'http:targets'}]\n", "host is missing in URL"},
      {"url colon", "    http_sd_configs: [{url: ':80'}]\n", "missing protocol scheme"},
      {"http unknown field", "    http_sd_configs: [{url: 'http://x/', names: [a]}]\n",
       "field names not found in type http.plain"},
      {"http client", "    http_sd_configs: [{url: 'http://x/', bearer_token: a, bearer_token_file: b}]\n",
       "at most one of bearer_token & bearer_token_file must be configured"},
      {"http duration", "    http_sd_configs: [{url: 'http://x/', refresh_interval: 5}]\n",
       "not a valid duration string: \"5\""},
      {"no names", "    dns_sd_configs: [{type: SRV}]\n",
       "line 3: DNS-SD config must contain at least one SRV record name"},
      {"bad type", "    dns_sd_configs: [{names: [x], type: TXT}]\n", "invalid DNS-SD records type TXT"},
      {"NS is newer than 2.42", "    dns_sd_configs: [{names: [x], type: NS, port: 1}]\n",
       "invalid DNS-SD records type NS"},
      {"A without port", "    dns_sd_configs: [{names: [x], type: A}]\n",
       "a port is required in DNS-SD configs for all record types except SRV"},
      {"MX without port", "    dns_sd_configs: [{names: [x], type: mx}]\n",
       "a port is required in DNS-SD configs for all record types except SRV"},
      {"port type", "    dns_sd_configs: [{names: [x], type: A, port: http}]\n",
       "cannot unmarshal !!str `http` into int"},
      {"dns unknown field", "    dns_sd_configs: [{names: [x], server: 127.0.0.1}]\n",
       "field server not found in type dns.plain"},
      {"dns list", "    dns_sd_configs: {names: [x]}\n", "cannot unmarshal !!map into []*dns.SDConfig"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string err = error_of(job + c.yaml);
    EXPECT_NE(err.find(c.error), std::string::npos) << err;
  }
}

// Only scraping discovers through HTTP and DNS: an alertmanagers entry
// still warns and ignores them.
TEST(ConfigTest, HttpAndDnsServiceDiscoveryOfAlertmanagersAreWarnings) {
  auto c = parse_config(
      "alerting:\n  alertmanagers:\n    - dns_sd_configs: [{names: [am.example]}]\n"
      "scrape_configs:\n  - job_name: a\n    dns_sd_configs: [{names: [x.example]}]\n",
      "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0],
            "alertmanager config: dns_sd_configs is not supported by Strata; its targets are ignored");
}

}  // namespace
}  // namespace strata::server
