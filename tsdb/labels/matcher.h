// Label matchers `=`, `!=`, `=~`, `!~` with Prometheus semantics: regexes are
// RE2, fully anchored; in Prometheus 3 mode `.` also matches a newline.
// Common regex shapes (literal, `a|b|c`, `prefix.*`, `.*`, `.+`) are matched
// without running RE2. Matchers are immutable and cheap to copy.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace strata::tsdb {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// Which regex dialect Prometheus version to follow.
struct RegexOptions {
  bool dot_matches_newline = true;  // Prometheus 3; false for 2.x
};

class Matcher {
 public:
  // Compiles regexes; an invalid one gives Go's message, e.g.
  // "error parsing regexp: missing closing ): `(foo`".
  static absl::StatusOr<Matcher> make(MatchType type, std::string name, std::string value,
                                      RegexOptions opts = {});

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  bool is_regex() const { return type_ == MatchType::kRegexMatch || type_ == MatchType::kRegexNoMatch; }
  bool is_negative() const { return type_ == MatchType::kNotEqual || type_ == MatchType::kRegexNoMatch; }

  bool matches(std::string_view v) const;
  // Whether the empty string (an absent label) matches.
  bool matches_empty() const { return matches(""); }

  // For `=~` regexes that are a plain alternation of literals ("a|b|c" or one
  // literal), the set of literals; empty otherwise. Used by postings lookups.
  const std::vector<std::string>& literal_set() const { return shape_->set; }
  // A literal prefix every match must start with ("" when none is known).
  const std::string& prefix() const { return shape_->prefix; }

  // name="value", name!~"value" with Go quoting: used in error messages and printing.
  std::string to_string() const;
  static const char* op_string(MatchType t);

 private:
  enum class Shape { kRegex, kSet, kPrefixAny, kAny, kAnyNonEmpty };
  struct Compiled {
    Shape shape = Shape::kRegex;
    std::vector<std::string> set;  // sorted literals for kSet
    std::string prefix;            // kPrefixAny: prefix then `.*`
    std::shared_ptr<const re2::RE2> re;
  };
  Matcher() = default;
  bool regex_matches(std::string_view v) const;

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const Compiled> shape_;
};

using Matchers = std::vector<Matcher>;

// Storage selects want a matcher that rejects the empty string. When every
// matcher of `ms` accepts it (`{job=""}`, `{a=~".*"}`), adds `__name__!=""`:
// every stored series has a name, so the same series match — what Prometheus
// answers for such sets where they are allowed (/federate, remote read).
// Leaves an empty list empty (it selects nothing).
void require_non_empty(Matchers* ms);

}  // namespace strata::tsdb
