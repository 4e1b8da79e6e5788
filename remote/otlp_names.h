// OpenTelemetry metric and attribute names as Prometheus names, per the
// translation strategy of prometheus.yml's `otlp:` section (Prometheus 3's
// documented rules, the OpenTelemetry-to-Prometheus compatibility spec):
//
//   UnderscoreEscapingWithSuffixes (default): the name is cut into tokens at
//     every character outside [a-zA-Z0-9:] (so `_` runs collapse and leading
//     and trailing `_` go); the unit's Prometheus word is appended unless a
//     token already is it (`s` -> `seconds`, `By` -> `bytes`, `{packets}`
//     dropped, `m/s` -> `meters_per_second`); monotonic sums end in `total`
//     (other `total` tokens removed), gauges with unit `1` in `ratio`; a
//     leading digit gets a `_` prefix.
//   UnderscoreEscapingWithoutSuffixes: the same tokens joined, no suffixes.
//   NoUTF8EscapingWithSuffixes: the name kept, suffixes appended.
//   NoTranslation: the name kept as sent.
// Attribute names with underscore escaping: characters outside [a-zA-Z0-9_]
// become `_`; a leading digit gets `key_`, a single leading `_` gets `key`
// (`__`-prefixed names are kept); the UTF-8 strategies keep names as sent.
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "remote/otlp_config.h"

namespace strata::remote {

// What a metric is, as far as its name is concerned.
enum class OtlpMetricKind {
  kGauge,
  kCounter,        // a monotonic cumulative sum
  kNonMonotonicSum,  // named like a gauge
  kHistogram,
  kSummary,
};

std::string otlp_metric_name(std::string_view name, std::string_view unit, OtlpMetricKind kind,
                             OtlpTranslationStrategy strategy);

std::string otlp_label_name(std::string_view name, OtlpTranslationStrategy strategy);

// The Prometheus word for an OTel (UCUM) unit ("s" -> "seconds"), or "" when
// the table has none.
std::string_view otlp_unit_word(std::string_view unit);
// The same for the unit after a `/` ("s" -> "second").
std::string_view otlp_per_unit_word(std::string_view unit);

}  // namespace strata::remote
