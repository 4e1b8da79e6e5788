// Lints a metrics exposition the way `promtool check metrics` does
// (Prometheus' promlint rules): help texts, counter `_total` suffixes, base
// units, abbreviated units, reserved suffixes and labels of histograms and
// summaries, types in names, ':' in names, camelCase names. The body is
// read with Strata's own scrape parser, so a body the server would refuse
// fails here with the same message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::tools {

struct LintProblem {
  std::string metric;  // the metric family
  std::string text;    // e.g. `counter metrics should have "_total" suffix`
  bool operator<(const LintProblem& o) const {
    return metric != o.metric ? metric < o.metric : text < o.text;
  }
  bool operator==(const LintProblem&) const = default;
};

// Problems sorted by metric, then text, each once; an error when the body
// does not parse (text format 0.0.4).
absl::StatusOr<std::vector<LintProblem>> lint_metrics(std::string_view body);

}  // namespace strata::tools
