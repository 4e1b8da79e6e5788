// The dashboard linter's core, used by `stratatool lint dashboard`
// (tools/dashlint/lint_main.h) and the server's /api/v1/strata/lint/dashboard:
// checks every Prometheus query of a Grafana
// dashboard (panel targets, annotations, query variables) after substituting
// template variables with sample values, and reports Findings.
//
// Per query: Prometheus' parse errors with the position in the query as
// written (interpolate.h maps it back through the substitutions), the
// expression checks of expr_checks.h, datasource references (datasource.h),
// unknown variables and formats; with ServerFacts also metrics without series
// and rate()/increase()/irate() of gauges. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "promql/parser/parser.h"
#include "api/dashlint/dashboard.h"
#include "api/dashlint/finding.h"
#include "api/dashlint/server_facts.h"

namespace strata::dashlint {

struct LintOptions {
  promql::parser::ParseOptions parse;
  // The scrape interval the range checks assume; the server's when known.
  int64_t scrape_interval_ms = 15'000;
  // Literal datasource uids/names that exist where the dashboard goes.
  std::vector<std::string> datasource_uids;
  const ServerFacts* server = nullptr;  // --url; nullptr: no server checks
};

// Findings for one dashboard, in the order of the file (variables,
// annotations, panels); `file` names it in each finding.
std::vector<Finding> lint_dashboard(const Dashboard& d, const std::string& file,
                                    const LintOptions& opts);

}  // namespace strata::dashlint
