#include "api/dashlint/finding.h"

#include <nlohmann/json.hpp>

namespace strata::dashlint {
namespace {

const char* severity_name(Severity s) { return s == Severity::kError ? "error" : "warning"; }

const char* place_name(Place p) {
  switch (p) {
    case Place::kDashboard: return "dashboard";
    case Place::kPanel: return "panel";
    case Place::kTarget: return "target";
    case Place::kAnnotation: return "annotation";
    case Place::kVariable: return "variable";
  }
  return "dashboard";
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

}  // namespace

const char* check_name(Check c) {
  switch (c) {
    case Check::kPromqlSyntax: return "promql-syntax";
    case Check::kHistogramQuantileLe: return "histogram-quantile-le";
    case Check::kHistogramQuantilePhi: return "histogram-quantile-phi";
    case Check::kShortRateRange: return "short-rate-range";
    case Check::kRangeBelowScrape: return "range-below-scrape-interval";
    case Check::kRateOfAggregation: return "rate-of-aggregation";
    case Check::kUnknownVariable: return "unknown-variable";
    case Check::kUnknownFormat: return "unknown-format";
    case Check::kMultiValueEquality: return "multi-value-equality";
    case Check::kDatasource: return "datasource";
    case Check::kEmptyExpr: return "empty-expr";
    case Check::kDuplicateRefId: return "duplicate-refid";
    case Check::kInvalidField: return "invalid-field";
    case Check::kInvalidRegex: return "invalid-regex";
    case Check::kMissingMetric: return "missing-metric";
    case Check::kRateOnGauge: return "rate-on-gauge";
  }
  return "unknown";
}

std::string format_text(const Finding& f) {
  std::string out = f.file + ": ";
  switch (f.place) {
    case Place::kDashboard: out += "dashboard"; break;
    case Place::kPanel:
    case Place::kTarget:
      out += "panel \"" + f.panel_title + "\"";
      if (f.has_panel_id) out += " (id " + std::to_string(f.panel_id) + ")";
      if (f.place == Place::kTarget)
        out += f.ref_id.empty() ? " target #" + std::to_string(f.target_index + 1)
                                : " target " + f.ref_id;
      break;
    case Place::kAnnotation: out += "annotation \"" + f.name + "\""; break;
    case Place::kVariable: out += "variable \"" + f.name + "\""; break;
  }
  out += ": ";
  out += severity_name(f.severity);
  out += ": " + one_line(f.message);
  out += " [";
  out += check_name(f.check);
  out += "]";
  return out;
}

std::string format_json(const std::vector<Finding>& findings,
                        const std::vector<FileFailure>& failed_files) {
  using Json = nlohmann::ordered_json;
  Json list = Json::array();
  int errors = 0, warnings = 0;
  for (const Finding& f : findings) {
    (f.severity == Severity::kError ? errors : warnings)++;
    Json j;
    j["file"] = f.file;
    j["severity"] = severity_name(f.severity);
    j["check"] = check_name(f.check);
    j["place"] = place_name(f.place);
    if (f.place == Place::kPanel || f.place == Place::kTarget) {
      j["panel"] = {{"title", f.panel_title}};
      if (f.has_panel_id) j["panel"]["id"] = f.panel_id;
    }
    if (f.place == Place::kTarget) {
      j["refId"] = f.ref_id;
      j["targetIndex"] = f.target_index;
    }
    if (f.place == Place::kAnnotation || f.place == Place::kVariable) j["name"] = f.name;
    j["expr"] = f.expr;
    if (!f.expanded.empty()) j["expanded"] = f.expanded;
    j["message"] = f.message;
    list.push_back(std::move(j));
  }
  Json failed = Json::array();
  for (const FileFailure& ff : failed_files) failed.push_back({{"file", ff.file}, {"message", ff.message}});
  Json doc;
  doc["findings"] = std::move(list);
  doc["errors"] = errors;
  doc["warnings"] = warnings;
  doc["failed_files"] = std::move(failed);
  // Invalid UTF-8 in a dashboard must not make the report itself fail.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace strata::dashlint
