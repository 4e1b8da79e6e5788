// `stratatool test rules`: the unit-test files of `promtool test rules`.
//
//   rule_files: [alerts.yml]          # relative to the test file; globs
//   evaluation_interval: 1m
//   group_eval_order: [g1, g2]         # optional; then it must list all
//   tests:
//     - name: api errors
//       interval: 1m
//       external_labels: {cluster: eu}
//       external_url: http://strata.example
//       input_series:
//         - series: 'http_errors_total{job="api"}'
//           values: '0+10x20'           # promqltest's expanding notation
//       alert_rule_test:
//         - eval_time: 10m
//           alertname: HighErrorRate
//           exp_alerts:
//             - exp_labels: {job: api, severity: page}
//               exp_annotations: {summary: "..."}
//       promql_expr_test:
//         - expr: job:http_errors:rate5m
//           eval_time: 5m
//           exp_samples:
//             - labels: 'job:http_errors:rate5m{job="api"}'
//               value: 0.1667
//
// As promtool does it: the input series are loaded into an empty in-memory
// storage at 0, interval, 2×interval, ...; every group is evaluated every
// evaluation_interval from 0 to the largest eval_time (alerting rules count
// as restored from the start); the firing alerts of an alert test are those
// of the evaluation at the latest instant <= eval_time; promql tests query
// at eval_time afterwards. A rule that fails to evaluate ends the test
// group. Values and annotations compare exactly. The report has promtool's
// words: "Unit Testing:  FILE" and "SUCCESS" on stdout, "FAILED:" and each
// problem on stderr.
#pragma once

#include <string>
#include <vector>

#include "promql/parser/compat.h"

namespace strata::ruletest {

struct Options {
  promql::Compat compat = promql::Compat::kV3;
};

// The problems of one test file (empty = it passed), each as promtool
// prints it (several lines, indented).
std::vector<std::string> run_rule_unit_test(const std::string& path, const Options& opts);

// Runs the files, prints the report; exit code 0 when all passed, 1 if not.
int test_rules_main(const std::vector<std::string>& files, const Options& opts);

}  // namespace strata::ruletest
