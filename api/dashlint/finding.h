// What the dashboard linter reports: one Finding per problem, where it is
// (file, panel and target, annotation or variable), the expression as written
// and as linted, and the message; and the two ways of printing them (lines a
// CI can read, and JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::dashlint {

enum class Severity { kWarning, kError };

// Stable identifiers of the checks, printed in JSON so that tools (and
// tests) need not read the messages.
enum class Check {
  kPromqlSyntax,        // the expression does not parse (Prometheus' message)
  kHistogramQuantileLe, // histogram_quantile over an aggregation without `le`
  kHistogramQuantilePhi,// a literal φ outside [0, 1]
  kShortRateRange,      // rate() & co. over less than 4 scrape intervals
  kRangeBelowScrape,    // a range selector shorter than one scrape interval
  kRateOfAggregation,   // rate() over a subquery of an aggregation
  kUnknownVariable,     // $name that is neither a variable nor a built-in
  kUnknownFormat,       // ${name:format} with a format Grafana does not have
  kMultiValueEquality,  // a multi-value/All variable inside = "..." instead of =~
  kDatasource,          // a datasource reference that does not resolve
  kEmptyExpr,           // a visible Prometheus target without an expression
  kDuplicateRefId,      // two targets of a panel with one refId
  kInvalidField,        // a query field of the wrong JSON type
  kInvalidRegex,        // metrics(regex) that does not compile
  kMissingMetric,       // --url: no series has this metric name
  kRateOnGauge,         // --url: rate/increase/irate of a metric typed gauge
};
const char* check_name(Check c);

// Where a finding is. Panels are named by title and id, targets by refId.
enum class Place { kDashboard, kPanel, kTarget, kAnnotation, kVariable };

struct Finding {
  Severity severity = Severity::kError;
  Check check = Check::kPromqlSyntax;
  std::string file;
  Place place = Place::kDashboard;
  std::string panel_title;
  int64_t panel_id = 0;
  bool has_panel_id = false;
  std::string ref_id;  // targets; "" when the target has none
  int target_index = 0;  // 0-based, for targets without a refId
  std::string name;    // annotation or variable name
  std::string expr;    // as written in the dashboard
  std::string expanded;  // after variable substitution ("" if the same)
  std::string message;
};

// `FILE: panel "Title" (id 3) target A: error: MESSAGE`, one line per finding
// (newlines in messages become spaces).
std::string format_text(const Finding& f);

// {"findings": [...], "errors": N, "warnings": N} with every field of each
// finding; `failed_files` lists files that could not be read or parsed.
struct FileFailure {
  std::string file;
  std::string message;
};
std::string format_json(const std::vector<Finding>& findings,
                        const std::vector<FileFailure>& failed_files);

}  // namespace strata::dashlint
