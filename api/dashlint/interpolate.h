// Grafana's template variable substitution for Prometheus queries, with a
// map from the substituted text back to the text as written.
//
// References are found as Grafana finds them: `$name`, `${name}`,
// `${name:format}`, `${name.field}`, `[[name]]`, `[[name:format]]` (name =
// [A-Za-z0-9_]+), in one pass; a name that is neither a dashboard variable
// nor a built-in is left as written. Values are formatted as Grafana's
// Prometheus datasource does without a format (a single-valued variable:
// `\` and `'` escaped; a multi-value or include-All one: regex-escaped for
// a PromQL string, several values as `(a|b)`), with Grafana's formats
// otherwise (regex, pipe, csv, json, doublequote, singlequote, raw, glob,
// lucene, percentencode, queryparam, sqlstring, text; an unknown format
// falls back to glob, as in Grafana). "All" stands for every option, or for
// the variable's custom all value, which is inserted unformatted.
//
// The built-ins get sample values (SampleTimes): $__interval,
// $__interval_ms, $__rate_interval, $__rate_interval_ms, $__range,
// $__range_s, $__range_ms, $__from, $__to, $__dashboard, $__user, $__org.
//
// VariableScope resolves every dashboard variable's sample values once;
// interpolate() is then a scan of one text. Not thread-safe to build; const
// use is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/dashlint/dashboard.h"

namespace strata::dashlint {

// The sample values the built-in variables stand for.
struct SampleTimes {
  int64_t scrape_interval_ms = 15'000;
  int64_t range_ms = 6 * 3'600'000;  // Grafana's default time range, now-6h
  int64_t interval_ms = 15'000;
  int64_t rate_interval_ms = 60'000;
  int64_t to_ms = 1'700'000'000'000;  // a fixed "now", so output is reproducible
};

// Grafana's $__interval and $__rate_interval for a time range: the range over
// ~1000 points, at least the panel's min interval and the scrape interval;
// the rate interval is max(interval + scrape interval, 4 x scrape interval).
SampleTimes sample_times(int64_t scrape_interval_ms, int64_t range_ms, int64_t min_interval_ms);

enum class Builtin {
  kNone, kInterval, kIntervalMs, kRateInterval, kRateIntervalMs, kRange, kRangeS, kRangeMs,
  kFrom, kTo, kDashboard, kUser, kOrg, kAutoInterval,
};

// A dashboard variable with the values it is linted with.
struct ResolvedVariable {
  const Variable* var = nullptr;
  std::vector<std::string> values;  // "All" expanded to the options
  std::vector<std::string> texts;
  std::optional<std::string> custom_all;  // set when All is selected and allValue is set
  bool multi_or_all = false;              // Grafana regex-escapes these by default
};

class VariableScope {
 public:
  explicit VariableScope(const Dashboard& d);
  const ResolvedVariable* find(std::string_view name) const;

 private:
  std::vector<ResolvedVariable> vars_;
  std::unordered_map<std::string, size_t> by_name_;  // the first variable of a name wins
};

// One substituted reference.
struct Reference {
  int out_start = 0, out_end = 0;  // in Interpolated::text
  int in_start = 0, in_end = 0;    // in the text as written
  std::string name;
  Builtin builtin = Builtin::kNone;
  const ResolvedVariable* variable = nullptr;
  bool unknown_format = false;
};

struct Interpolated {
  std::string text;
  std::vector<Reference> refs;  // substituted references, in order
  // References to names that are neither variables nor built-ins (left as
  // written), with their position in the text as written.
  std::vector<std::pair<int, std::string>> unknown;

  // The offset in the text as written for an offset into `text`: the same
  // character outside substitutions, the start of the reference inside one.
  int source_pos(int out_pos) const;
  // The first substitution overlapping [out_start, out_end), or nullptr.
  const Reference* overlapping(int out_start, int out_end) const;
};

Interpolated interpolate(std::string_view src, const VariableScope& scope, const SampleTimes& t);

}  // namespace strata::dashlint
