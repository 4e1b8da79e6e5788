#include "tools/check/metrics_lint.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "scrape/textparse/parser.h"

namespace strata::tools {
namespace {

// One metric family as the exposition groups it: the name in its TYPE/HELP
// lines (or the sample's name without them) and every label name seen.
struct Family {
  std::string type = "untyped";
  bool has_help = false;
  std::set<std::string> label_names;
};

std::vector<std::string_view> tokens(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('_', start);
    if (end == std::string_view::npos) end = name.size();
    out.push_back(name.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool camel_case(std::string_view s) {
  for (size_t i = 1; i < s.size(); ++i)
    if (s[i - 1] >= 'a' && s[i - 1] <= 'z' && s[i] >= 'A' && s[i] <= 'Z') return true;
  return false;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The base unit a unit token should be, or "" when it is fine.
std::string_view base_unit_for(std::string_view token) {
  static constexpr std::array<std::string_view, 4> kTime = {"minutes", "hours", "days", "weeks"};
  if (std::find(kTime.begin(), kTime.end(), token) != kTime.end()) return "seconds";
  if (token == "bits") return "bytes";
  static constexpr std::array<std::string_view, 10> kBase = {
      "amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds", "volts"};
  static constexpr std::array<std::string_view, 18> kPrefixes = {
      "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
      "kibi", "mega", "mibi", "giga",  "gibi",  "tera", "tebi", "peta",  "pebi"};
  for (std::string_view base : kBase) {
    if (token.size() <= base.size() || !ends_with(token, base)) continue;
    std::string_view prefix = token.substr(0, token.size() - base.size());
    if (std::find(kPrefixes.begin(), kPrefixes.end(), prefix) != kPrefixes.end()) return base;
  }
  return "";
}

void lint_family(const std::string& name, const Family& f, std::set<LintProblem>* out) {
  auto add = [&](std::string text) { out->insert({name, std::move(text)}); };
  if (!f.has_help) add("no help text");
  std::vector<std::string_view> toks = tokens(name);
  for (std::string_view t : toks) {
    if (std::string_view base = base_unit_for(t); !base.empty())
      add("use base unit \"" + std::string(base) + "\" instead of \"" + std::string(t) + "\"");
  }
  if (f.type == "counter" && !ends_with(name, "_total")) add("counter metrics should have \"_total\" suffix");
  if (f.type != "counter" && ends_with(name, "_total")) add("non-counter metrics should not have \"_total\" suffix");
  if (f.type != "histogram") {
    if (ends_with(name, "_bucket")) add("non-histogram metrics should not have \"_bucket\" suffix");
    if (f.label_names.count("le")) add("non-histogram metrics should not have \"le\" label");
  }
  if (f.type != "histogram" && f.type != "summary") {
    if (ends_with(name, "_count")) add("non-histogram and non-summary metrics should not have \"_count\" suffix");
    if (ends_with(name, "_sum")) add("non-histogram and non-summary metrics should not have \"_sum\" suffix");
  }
  if (f.type != "summary" && f.label_names.count("quantile"))
    add("non-summary metrics should not have \"quantile\" label");
  for (const char* type : {"counter", "gauge", "histogram", "summary", "untyped"}) {
    if (std::find(toks.begin(), toks.end(), type) != toks.end())
      add(std::string("metric name should not include type '") + type + "'");
  }
  if (name.find(':') != std::string::npos) add("metric names should not contain ':'");
  if (camel_case(name)) add("metric names should be written in 'snake_case' not 'camelCase'");
  for (const auto& l : f.label_names)
    if (camel_case(l)) add("label names should be written in 'snake_case' not 'camelCase'");
  static constexpr std::array<std::string_view, 14> kAbbreviations = {
      "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"};
  // The first token is the metric's subject, not a unit ("b_bucket", "h").
  for (size_t i = 1; i < toks.size(); ++i) {
    if (std::find(kAbbreviations.begin(), kAbbreviations.end(), toks[i]) != kAbbreviations.end()) {
      add("metric names should not contain abbreviated units");
      break;
    }
  }
}

// The family a sample belongs to: the current TYPE/HELP family when the
// sample's name is it or one of its type's suffixes, else its own name.
std::string family_of(std::string_view sample, const std::string& current, const Family* cur) {
  if (!current.empty() && cur) {
    if (sample == current) return current;
    static constexpr std::array<std::string_view, 3> kSuffixes = {"_bucket", "_sum", "_count"};
    if (cur->type == "histogram" || cur->type == "summary") {
      for (std::string_view s : kSuffixes)
        if (sample.size() == current.size() + s.size() && sample.substr(0, current.size()) == current &&
            ends_with(sample, s))
          return current;
    }
  }
  return std::string(sample);
}

}  // namespace

absl::StatusOr<std::vector<LintProblem>> lint_metrics(std::string_view body) {
  namespace tp = scrape::textparse;
  // As promtool: the text format, le/quantile as written.
  tp::ParseOptions po;
  po.normalize_float_labels = false;
  std::unique_ptr<tp::Parser> p = tp::Parser::create(tp::Format::kPrometheusText, body, po);
  std::map<std::string, Family> families;
  std::string current;
  std::vector<tsdb::LabelView> labels;
  while (true) {
    absl::StatusOr<tp::Entry> e = p->next();
    if (!e.ok()) return e.status();
    if (*e == tp::Entry::kEof) break;
    switch (*e) {
      case tp::Entry::kType:
        current = std::string(p->metric_family());
        families[current].type = tp::metric_type_name(p->type());
        if (families[current].type == "unknown") families[current].type = "untyped";
        break;
      case tp::Entry::kHelp:
        current = std::string(p->metric_family());
        families[current].has_help = !p->help().empty();
        break;
      case tp::Entry::kSeries: {
        labels.clear();
        p->labels(&labels);
        auto it = families.find(current);
        std::string name = family_of(labels[0].second, current, it == families.end() ? nullptr : &it->second);
        Family& f = families[name];
        for (size_t i = 1; i < labels.size(); ++i) f.label_names.insert(std::string(labels[i].first));
        break;
      }
      default:
        break;
    }
  }
  std::set<LintProblem> problems;
  for (const auto& [name, f] : families) lint_family(name, f, &problems);
  return std::vector<LintProblem>(problems.begin(), problems.end());
}

}  // namespace strata::tools
