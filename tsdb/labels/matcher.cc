#include "tsdb/labels/matcher.h"

#include <algorithm>

#include "re2/re2.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {
namespace {

// Go's regexp/syntax error texts for RE2's error codes, so that invalid regexes
// are rejected with Prometheus' wording.
const char* go_error_text(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "invalid regexp";
  }
}

bool is_meta(char c) {
  return std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos;
}

// Splits "a|b|c" into literals when no alternative contains a metacharacter.
bool split_literals(std::string_view v, std::vector<std::string>* out) {
  std::string cur;
  for (char c : v) {
    if (c == '|') {
      out->push_back(cur);
      cur.clear();
    } else if (is_meta(c)) {
      return false;
    } else {
      cur.push_back(c);
    }
  }
  out->push_back(cur);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return true;
}

}  // namespace

absl::StatusOr<Matcher> Matcher::make(MatchType type, std::string name, std::string value,
                                      RegexOptions opts) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  auto c = std::make_shared<Compiled>();
  if (m.is_regex()) {
    std::string_view v = m.value_;
    // `.*` matches anything only when `.` matches newlines too.
    if (v == ".*" && opts.dot_matches_newline) {
      c->shape = Shape::kAny;
    } else if (v == ".+" && opts.dot_matches_newline) {
      c->shape = Shape::kAnyNonEmpty;
    } else if (split_literals(v, &c->set)) {
      c->shape = Shape::kSet;
    } else if (opts.dot_matches_newline && v.size() >= 2 && v.substr(v.size() - 2) == ".*" &&
               std::none_of(v.begin(), v.end() - 2, is_meta)) {
      c->shape = Shape::kPrefixAny;
      c->prefix = std::string(v.substr(0, v.size() - 2));
    } else {
      c->set.clear();
      RE2::Options ro;
      ro.set_log_errors(false);
      // Same wrapping as Prometheus, so error texts quote the same pattern.
      std::string anchored =
          (opts.dot_matches_newline ? "^(?s:" : "^(?:") + m.value_ + ")$";
      auto re = std::make_shared<RE2>(anchored, ro);
      if (!re->ok()) {
        std::string arg = re->error_arg();
        return absl::InvalidArgumentError(std::string("error parsing regexp: ") +
                                          go_error_text(re->error_code()) + ": `" +
                                          (arg.empty() ? anchored : arg) + "`");
      }
      c->re = std::move(re);
      // A literal prefix lets postings lookups skip values quickly.
      size_t i = 0;
      while (i < v.size() && !is_meta(v[i])) ++i;
      if (i < v.size() && (v[i] == '?' || v[i] == '*' || v[i] == '{') && i > 0) --i;
      if (v.find('|') == std::string_view::npos) c->prefix = std::string(v.substr(0, i));
    }
  }
  m.shape_ = std::move(c);
  return m;
}

bool Matcher::regex_matches(std::string_view v) const {
  const Compiled& c = *shape_;
  switch (c.shape) {
    case Shape::kAny: return true;
    case Shape::kAnyNonEmpty: return !v.empty();
    case Shape::kSet: return std::binary_search(c.set.begin(), c.set.end(), v);
    case Shape::kPrefixAny: return v.substr(0, c.prefix.size()) == c.prefix;
    case Shape::kRegex:
      if (!c.prefix.empty() && v.substr(0, c.prefix.size()) != c.prefix) return false;
      return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *c.re);
  }
  return false;
}

bool Matcher::matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch: return regex_matches(v);
    case MatchType::kRegexNoMatch: return !regex_matches(v);
  }
  return false;
}

const char* Matcher::op_string(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "=";
}

std::string Matcher::to_string() const {
  return name_ + op_string(type_) + go_quote(value_);
}

void require_non_empty(Matchers* ms) {
  if (ms->empty() || std::any_of(ms->begin(), ms->end(), [](const Matcher& m) { return !m.matches_empty(); }))
    return;
  ms->push_back(*Matcher::make(MatchType::kNotEqual, std::string(kMetricName), ""));
}

}  // namespace strata::tsdb
