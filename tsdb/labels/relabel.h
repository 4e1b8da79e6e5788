// Relabeling rules (`relabel_configs`, `metric_relabel_configs`,
// `write_relabel_configs`, `alert_relabel_configs` in prometheus.yml) as
// their components use them: the action resolved to an enum and the regex
// compiled once, when the configuration is loaded. Scraping, the
// remote-write sender and the notifier share this type; server/ fills it
// from YAML and validates it as Prometheus does.
//
// Value type; the compiled regex is immutable and shared between copies
// (RE2 is thread-safe for matching).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace strata::tsdb::relabel {

enum class Action {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// Prometheus' lower-case name ("replace", "keepequal", ...).
const char* action_name(Action a);
// The action for a name as prometheus.yml spells it (case-insensitive, as
// Prometheus accepts "Replace"); nullopt for unknown names.
std::optional<Action> parse_action(std::string_view name);

struct Config {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::string replacement = "$1";
  uint64_t modulus = 0;
  Action action = Action::kReplace;
  // The regex as written (unanchored) and compiled fully anchored.
  std::string regex_text = "(.*)";
  std::shared_ptr<const re2::RE2> regex;
};

// Compiles `text` anchored, as Prometheus does; the error reads
// `error parsing regexp: <RE2's message>`.
absl::StatusOr<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& text);

// A Config with Prometheus' defaults and its default regex compiled.
Config default_config();

}  // namespace strata::tsdb::relabel
