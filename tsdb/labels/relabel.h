// Relabeling rules (`relabel_configs`, `metric_relabel_configs`,
// `write_relabel_configs`, `alert_relabel_configs` in prometheus.yml) and the
// engine that applies them, with the semantics of Prometheus' relabel.Process.
//
// Config: the action resolved to an enum and the regex compiled once, when
// the configuration is loaded. Scraping, the remote-write sender and the
// notifier share this type; server/ fills it from YAML and validates it as
// Prometheus does (so process() trusts e.g. a non-zero hashmod modulus).
//
// process() applies a list of Configs in order to one label set:
//
//   replace     source values joined by `separator`, matched fully against
//               `regex`; on a match `target_label` and `replacement` are
//               expanded as Go's regexp.Expand does ($1, ${1}, $name, ${name};
//               `$1x` names the group "1x"; $$ is a literal $; a malformed
//               reference stays literal text; an unknown or unmatched group is
//               empty). A target that expands to an invalid label name skips
//               the rule; an empty replacement deletes the target label.
//   keep, drop  the set survives only if the joined value matches / does not.
//   keepequal, dropequal   ... only if the joined value equals / differs from
//               the value of `target_label`.
//   hashmod     target = md5(joined value), its last 8 bytes as a big-endian
//               uint64, mod `modulus` (decimal).
//   labelmap    every label whose name matches: a copy named by expanding
//               `replacement` against the name. The rule reads the label set
//               as it was before the rule, in name order; when two names map
//               to the same new name the later one wins. (Prometheus 2.x
//               does the same; 3.x walks its builder's order, which for
//               target labels follows Go map iteration, so a collision there
//               has no fixed answer.)
//   labeldrop, labelkeep   labels whose name matches are removed / kept.
//   lowercase, uppercase   target = the joined value with Unicode simple case
//               mapping, as Go's strings.ToLower/ToUpper.
// Setting a label to "" removes it, as Prometheus' labels.Builder does, and
// reading an absent label gives "".
//
// Performance: the scrape loop runs process() for every new series (metric
// relabeling) and every target, so a LabelsBuilder keeps one sorted vector of
// labels and the engine's scratch buffers (joined value, expansions,
// submatches, labelmap's pending labels) across rules and calls; no Labels is
// built between rules. RE2 runs without submatches unless a template needs
// them, and the default regex `(.*)` is not run at all.
//
// Value types; the compiled regex is immutable and shared between copies
// (RE2 is thread-safe for matching). process() is thread-safe for distinct
// builders; one LabelsBuilder belongs to one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/matcher.h"

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
  // The same rule: every field, the regex as written and as compiled (its
  // dialect), not the compiled object's identity.
  bool operator==(const Config& o) const;
};

// Compiles `text` fully anchored as Prometheus does: `^(?s:text)$` (Prometheus
// 3, where `.` matches a newline too) or, with !opts.dot_matches_newline,
// `^(?:text)$` (2.x). Errors carry Go's wording, e.g.
// "error parsing regexp: missing closing ): `^(?s:(foo)$`".
absl::StatusOr<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& text,
                                                              RegexOptions opts = {});

// A Config with Prometheus' defaults and its default regex compiled.
Config default_config();

// Where Prometheus 2.x and 3.x differ inside the engine.
struct Options {
  // A replace target that expands ($1, ${name}) to a name outside
  // [a-zA-Z_][a-zA-Z0-9_]* skips the rule, as in Prometheus 2.x. Off
  // (Prometheus 3): any non-empty valid UTF-8 name is set.
  bool legacy_label_names = false;
};

class Processor;

// A label set being edited: sorted by name, unique names, no empty values.
// Reading is by name; set() with an empty value deletes. Holds the engine's
// scratch buffers, so keep one per thread (or per scrape loop) and reuse it.
// Not thread-safe.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { reset(base); }

  // Starts over from `base`; labels with empty values are left out.
  void reset(const Labels& base);
  void clear() { items_.clear(); }

  // The value of `name`, "" when absent. Valid until the next edit.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Sets `name` to `value` (copied; they may point into this builder); an
  // empty value removes the label.
  void set(std::string_view name, std::string_view value);
  void del(std::string_view name);
  // Removes every label for which pred(const Label&) is true.
  template <class Pred>
  void erase_if(Pred pred) {
    std::erase_if(items_, pred);
  }

  // The current labels, sorted by name.
  const std::vector<Label>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // A copy of the current set.
  Labels labels() const { return Labels(items_); }
  // Moves the current set out; the builder is empty afterwards (its scratch
  // buffers are kept).
  Labels release();

 private:
  friend class Processor;
  std::vector<Label>::iterator find_slot(std::string_view name);

  std::vector<Label> items_;
  // Scratch for process(): the joined source values, the expanded target
  // and replacement, labelmap's pending copies.
  std::string joined_, target_, value_;
  std::vector<Label> pending_;
  std::vector<std::string_view> groups_;
};

// Applies `rules` in order to `lb`. Returns false as soon as a rule drops the
// set (`lb` then holds whatever the earlier rules made of it); true with the
// relabeled set in `lb` otherwise.
bool process(LabelsBuilder& lb, std::span<const Config> rules, const Options& opts = {});

// Convenience form: the relabeled set, or nullopt when it was dropped. Labels
// with empty values in `in` count as absent.
std::optional<Labels> process(const Labels& in, std::span<const Config> rules,
                              const Options& opts = {});

// Building blocks, exposed for tests and for other users of Prometheus'
// conventions.

// Go's regexp.Expand: appends `tmpl` with $-references resolved against
// `groups` (groups[i] is submatch i; a null data() means "did not
// participate") and the regex's named groups.
void expand(std::string_view tmpl, const re2::RE2& re, std::span<const std::string_view> groups,
            std::string* out);
// The hashmod value of `value`: md5, last 8 bytes big-endian, mod `modulus`
// (0 when modulus is 0, which configuration validation rejects).
uint64_t hash_mod(std::string_view value, uint64_t modulus);
// MD5 of `data` (RFC 1321), 16 bytes.
std::array<uint8_t, 16> md5(std::string_view data);
// Go's strings.ToLower / strings.ToUpper (Unicode simple case mapping;
// invalid UTF-8 bytes become U+FFFD when the string is not all ASCII).
void to_lower(std::string_view s, std::string* out);
void to_upper(std::string_view s, std::string* out);
// [a-zA-Z_][a-zA-Z0-9_]*
bool is_legacy_label_name(std::string_view s);

}  // namespace strata::tsdb::relabel
