#include "remote/otlp_names.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace strata::remote {
namespace {

using UnitEntry = std::pair<std::string_view, std::string_view>;

// The compatibility spec's unit table (UCUM code -> Prometheus word).
constexpr std::array<UnitEntry, 26> kUnits = {{
    {"d", "days"},          {"h", "hours"},         {"min", "minutes"},
    {"s", "seconds"},       {"ms", "milliseconds"}, {"us", "microseconds"},
    {"ns", "nanoseconds"},  {"By", "bytes"},        {"KiBy", "kibibytes"},
    {"MiBy", "mebibytes"},  {"GiBy", "gibibytes"},  {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},   {"MBy", "megabytes"},   {"GBy", "gigabytes"},
    {"TBy", "terabytes"},   {"m", "meters"},        {"V", "volts"},
    {"A", "amperes"},       {"J", "joules"},        {"W", "watts"},
    {"g", "grams"},         {"Cel", "celsius"},     {"Hz", "hertz"},
    {"1", ""},              {"%", "percent"},
}};

// Units after a `/`, singular.
constexpr std::array<UnitEntry, 7> kPerUnits = {{
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
}};

template <size_t N>
const UnitEntry* find_unit(const std::array<UnitEntry, N>& table, std::string_view unit) {
  for (const auto& e : table)
    if (e.first == unit) return &e;
  return nullptr;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Tokens of [a-zA-Z0-9:] runs.
std::vector<std::string> tokens_of(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : name) {
    if (is_alnum(c) || c == ':') {
      cur.push_back(c);
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// A unit word made name-safe: other characters become `_`, runs of `_`
// collapse, leading and trailing `_` go.
std::string clean_unit(std::string_view word) {
  std::string out;
  for (char c : word) {
    char d = is_alnum(c) || c == ':' ? c : '_';
    if (d == '_' && (out.empty() || out.back() == '_')) continue;
    out.push_back(d);
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// The suffix words for a unit: {main, per}; either may be empty.
std::pair<std::string, std::string> unit_words(std::string_view unit) {
  std::string_view main = unit, per;
  if (size_t slash = unit.find('/'); slash != std::string_view::npos) {
    main = unit.substr(0, slash);
    per = unit.substr(slash + 1);
  }
  main = trim_space(main);
  per = trim_space(per);
  auto word = [](std::string_view u, auto& table) -> std::string {
    // `{packets}`-style annotations carry no unit.
    if (u.empty() || u.find_first_of("{}") != std::string_view::npos) return "";
    const UnitEntry* e = find_unit(table, u);
    return clean_unit(e ? e->second : u);
  };
  return {word(main, kUnits), word(per, kPerUnits)};
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out.push_back('_');
    out += t;
  }
  if (!out.empty() && is_digit(out[0])) out.insert(out.begin(), '_');
  return out;
}

std::string escaped_with_suffixes(std::string_view name, std::string_view unit,
                                  OtlpMetricKind kind) {
  std::vector<std::string> tokens = tokens_of(name);
  auto [main, per] = unit_words(unit);
  if (!main.empty() && !contains(tokens, main)) tokens.push_back(main);
  if (!per.empty() && !contains(tokens, per)) {
    tokens.push_back("per");
    tokens.push_back(per);
  }
  auto move_last = [&tokens](std::string_view word) {
    tokens.erase(std::remove(tokens.begin(), tokens.end(), word), tokens.end());
    tokens.emplace_back(word);
  };
  if (kind == OtlpMetricKind::kCounter) move_last("total");
  if (kind == OtlpMetricKind::kGauge && unit == "1") move_last("ratio");
  return join(tokens);
}

bool ends_with_word(std::string_view name, std::string_view word) {
  return name.size() > word.size() && name.ends_with(word) &&
         !is_alnum(name[name.size() - word.size() - 1]);
}

// UTF-8 names: kept, the suffix words appended after `_`.
std::string utf8_with_suffixes(std::string_view name, std::string_view unit,
                               OtlpMetricKind kind) {
  std::string out(name);
  auto [main, per] = unit_words(unit);
  if (!main.empty() && !ends_with_word(out, main) && out != main) out += "_" + main;
  if (!per.empty() && !ends_with_word(out, per)) out += "_per_" + per;
  if (kind == OtlpMetricKind::kCounter && !ends_with_word(out, "total")) out += "_total";
  if (kind == OtlpMetricKind::kGauge && unit == "1" && !ends_with_word(out, "ratio"))
    out += "_ratio";
  return out;
}

}  // namespace

std::string_view otlp_unit_word(std::string_view unit) {
  const UnitEntry* e = find_unit(kUnits, unit);
  return e ? e->second : std::string_view();
}

std::string_view otlp_per_unit_word(std::string_view unit) {
  const UnitEntry* e = find_unit(kPerUnits, unit);
  return e ? e->second : std::string_view();
}

std::string otlp_metric_name(std::string_view name, std::string_view unit, OtlpMetricKind kind,
                             OtlpTranslationStrategy strategy) {
  switch (strategy) {
    case OtlpTranslationStrategy::kUnderscoreEscapingWithSuffixes:
      return escaped_with_suffixes(name, unit, kind);
    case OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes:
      return join(tokens_of(name));
    case OtlpTranslationStrategy::kNoUTF8EscapingWithSuffixes:
      return utf8_with_suffixes(name, unit, kind);
    case OtlpTranslationStrategy::kNoTranslation:
      break;
  }
  return std::string(name);
}

std::string otlp_label_name(std::string_view name, OtlpTranslationStrategy strategy) {
  if (strategy == OtlpTranslationStrategy::kNoUTF8EscapingWithSuffixes ||
      strategy == OtlpTranslationStrategy::kNoTranslation)
    return std::string(name);
  std::string out(name);
  for (char& c : out)
    if (!is_alnum(c) && c != '_') c = '_';
  if (out.empty()) return out;
  if (is_digit(out[0])) return "key_" + out;
  if (out[0] == '_' && !out.starts_with("__")) return "key" + out;
  return out;
}

}  // namespace strata::remote
