#include "remote/otlp_config.h"

namespace strata::remote {

const char* otlp_translation_strategy_name(OtlpTranslationStrategy s) {
  switch (s) {
    case OtlpTranslationStrategy::kUnderscoreEscapingWithSuffixes:
      return "UnderscoreEscapingWithSuffixes";
    case OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes:
      return "UnderscoreEscapingWithoutSuffixes";
    case OtlpTranslationStrategy::kNoUTF8EscapingWithSuffixes:
      return "NoUTF8EscapingWithSuffixes";
    case OtlpTranslationStrategy::kNoTranslation:
      return "NoTranslation";
  }
  return "UnderscoreEscapingWithSuffixes";
}

absl::StatusOr<OtlpTranslationStrategy> parse_otlp_translation_strategy(std::string_view s) {
  constexpr OtlpTranslationStrategy kAll[] = {
      OtlpTranslationStrategy::kUnderscoreEscapingWithSuffixes,
      OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes,
      OtlpTranslationStrategy::kNoUTF8EscapingWithSuffixes,
      OtlpTranslationStrategy::kNoTranslation,
  };
  for (auto v : kAll)
    if (s == otlp_translation_strategy_name(v)) return v;
  return absl::InvalidArgumentError(
      "unsupported OTLP translation strategy \"" + std::string(s) +
      "\" (want UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, "
      "NoUTF8EscapingWithSuffixes or NoTranslation)");
}

}  // namespace strata::remote
