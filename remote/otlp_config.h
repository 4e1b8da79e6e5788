// The `otlp:` section of prometheus.yml (Prometheus 3's keys), which shapes
// how the OTLP receiver (api/remote/otlp_handler.h) turns OpenTelemetry
// metrics into series, and OtlpConfigSource, the current value of it that
// the server replaces on every reload while requests read it. Filled and
// validated by server/'s config parser; value types otherwise.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::remote {

// How OTel metric and attribute names become Prometheus names.
enum class OtlpTranslationStrategy {
  // Prometheus 3's default: invalid characters (and runs of `_`) become one
  // `_`; unit and type suffixes (`_seconds`, `_total`, `_ratio`) are added.
  kUnderscoreEscapingWithSuffixes,
  // The same escaping without suffixes: `bot.tokens_used` stays `bot_tokens_used`.
  kUnderscoreEscapingWithoutSuffixes,
  // UTF-8 names kept as they are, suffixes added.
  kNoUTF8EscapingWithSuffixes,
  // Names kept exactly as sent, no suffixes.
  kNoTranslation,
};

// The name as written in prometheus.yml, e.g. "UnderscoreEscapingWithSuffixes".
const char* otlp_translation_strategy_name(OtlpTranslationStrategy s);
// InvalidArgument naming the accepted values for anything else.
absl::StatusOr<OtlpTranslationStrategy> parse_otlp_translation_strategy(std::string_view s);

struct OtlpConfig {
  // Resource attributes added as labels to every series of their resource
  // (escaped like other attribute names); unique, non-empty.
  std::vector<std::string> promote_resource_attributes;
  OtlpTranslationStrategy translation_strategy =
      OtlpTranslationStrategy::kUnderscoreEscapingWithSuffixes;
  // Keep service.name, service.namespace and service.instance.id in
  // target_info too (they are job and instance anyway).
  bool keep_identifying_resource_attributes = false;
};

// The configuration in force; thread-safe. The server sets it at start and
// on every reload; each request takes one snapshot and uses it throughout.
class OtlpConfigSource {
 public:
  void set(OtlpConfig c) {
    auto p = std::make_shared<const OtlpConfig>(std::move(c));
    std::lock_guard<std::mutex> lock(mu_);
    config_ = std::move(p);
  }
  std::shared_ptr<const OtlpConfig> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const OtlpConfig> config_ = std::make_shared<const OtlpConfig>();
};

}  // namespace strata::remote
