// The metric and label name translation against Prometheus 3's documented
// examples (the OTel-to-Prometheus compatibility spec's table and the
// translation_strategy descriptions), one named case per row.
#include "remote/otlp_names.h"

#include <gtest/gtest.h>

namespace strata::remote {
namespace {

using K = OtlpMetricKind;
using S = OtlpTranslationStrategy;

struct NameCase {
  const char* what;
  const char* name;
  const char* unit;
  K kind;
  S strategy;
  const char* want;
};

TEST(OtlpNamesTest, MetricNames) {
  const S kSuf = S::kUnderscoreEscapingWithSuffixes;
  const S kNoSuf = S::kUnderscoreEscapingWithoutSuffixes;
  const S kUtf8 = S::kNoUTF8EscapingWithSuffixes;
  const S kNone = S::kNoTranslation;
  const NameCase cases[] = {
      {"dots become underscores, unit word added", "http.server.request.duration", "s",
       K::kHistogram, kSuf, "http_server_request_duration_seconds"},
      {"bytes", "system.filesystem.usage", "By", K::kGauge, kSuf, "system_filesystem_usage_bytes"},
      {"milliseconds", "rpc.duration", "ms", K::kHistogram, kSuf, "rpc_duration_milliseconds"},
      {"annotation units are dropped", "system.network.dropped", "{packets}", K::kCounter, kSuf,
       "system_network_dropped_total"},
      {"unknown units are appended", "system.network.dropped", "packets", K::kGauge, kSuf,
       "system_network_dropped_packets"},
      {"ratio for gauges with unit 1", "system.memory.utilization", "1", K::kGauge, kSuf,
       "system_memory_utilization_ratio"},
      {"no ratio for counters with unit 1", "requests.count", "1", K::kCounter, kSuf,
       "requests_count_total"},
      {"percent", "storage.filesystem.utilization", "%", K::kGauge, kSuf,
       "storage_filesystem_utilization_percent"},
      {"per units", "astro.light.speed", "m/s", K::kGauge, kSuf,
       "astro_light_speed_meters_per_second"},
      {"annotation per unit", "requests.rate", "{requests}/s", K::kGauge, kSuf,
       "requests_rate_per_second"},
      {"counters end in total", "system.processes.created", "", K::kCounter, kSuf,
       "system_processes_created_total"},
      {"total is not doubled", "bot.api_calls_total", "", K::kCounter, kSuf,
       "bot_api_calls_total"},
      {"an inner total moves to the end", "bot.cost_total_usd", "", K::kCounter, kSuf,
       "bot_cost_usd_total"},
      {"non-monotonic sums are not counters", "queue.size", "", K::kNonMonotonicSum, kSuf,
       "queue_size"},
      {"unit already in the name", "process.runtime.duration_seconds", "s", K::kHistogram, kSuf,
       "process_runtime_duration_seconds"},
      {"underscore runs collapse, ends trimmed", "(lambda).function.executions(#)", "", K::kGauge,
       kSuf, "lambda_function_executions"},
      {"leading digit", "2xx.responses", "", K::kGauge, kSuf, "_2xx_responses"},
      {"colons kept", "ns:metric", "", K::kGauge, kSuf, "ns:metric"},
      {"without suffixes", "bot.tokens_used", "", K::kCounter, kNoSuf, "bot_tokens_used"},
      {"without suffixes keeps total where it is", "bot.cost_total_usd", "USD", K::kCounter,
       kNoSuf, "bot_cost_total_usd"},
      {"without suffixes ignores units", "http.server.duration", "ms", K::kHistogram, kNoSuf,
       "http_server_duration"},
      {"UTF-8 kept, suffixes added", "http.server.duration", "ms", K::kHistogram, kUtf8,
       "http.server.duration_milliseconds"},
      {"UTF-8 counter", "bot.api_calls", "", K::kCounter, kUtf8, "bot.api_calls_total"},
      {"UTF-8 counter already total", "bot.api_calls_total", "", K::kCounter, kUtf8,
       "bot.api_calls_total"},
      {"no translation", "http.server.duration", "ms", K::kHistogram, kNone,
       "http.server.duration"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(otlp_metric_name(c.name, c.unit, c.kind, c.strategy), c.want);
  }
}

TEST(OtlpNamesTest, LabelNames) {
  const S kSuf = S::kUnderscoreEscapingWithSuffixes;
  struct {
    const char* what;
    const char* in;
    S strategy;
    const char* want;
  } cases[] = {
      {"dots", "http.method", kSuf, "http_method"},
      {"dashes and slashes", "k8s.pod/uid-x", kSuf, "k8s_pod_uid_x"},
      {"leading digit gets key_", "0.x", kSuf, "key_0_x"},
      {"single leading underscore gets key", "_tmp", kSuf, "key_tmp"},
      {"double underscore kept", "__reserved", kSuf, "__reserved"},
      {"underscores not collapsed", "a..b", kSuf, "a__b"},
      {"without suffixes escapes the same", "service.version",
       S::kUnderscoreEscapingWithoutSuffixes, "service_version"},
      {"UTF-8 kept", "http.method", S::kNoUTF8EscapingWithSuffixes, "http.method"},
      {"no translation", "http.method", S::kNoTranslation, "http.method"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(otlp_label_name(c.in, c.strategy), c.want);
  }
}

TEST(OtlpNamesTest, StrategyNamesRoundTrip) {
  for (S s : {S::kUnderscoreEscapingWithSuffixes, S::kUnderscoreEscapingWithoutSuffixes,
              S::kNoUTF8EscapingWithSuffixes, S::kNoTranslation}) {
    auto parsed = parse_otlp_translation_strategy(otlp_translation_strategy_name(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(parse_otlp_translation_strategy("underscoreescapingwithsuffixes").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OtlpNamesTest, UnitWords) {
  EXPECT_EQ(otlp_unit_word("KiBy"), "kibibytes");
  EXPECT_EQ(otlp_unit_word("Cel"), "celsius");
  EXPECT_EQ(otlp_unit_word("furlongs"), "");
  EXPECT_EQ(otlp_per_unit_word("mo"), "month");
}

}  // namespace
}  // namespace strata::remote
