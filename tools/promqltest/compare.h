// Result comparison of the promqltest runner: float tolerance and the checks
// of vectors, matrices and annotations against an eval's expectations.
#pragma once

#include <string>
#include <vector>

#include "promql/engine.h"
#include "tools/promqltest/runner.h"
#include "tools/promqltest/script.h"

namespace strata::promqltest {

// Prometheus' almost.Equal with epsilon 1e-6; stale NaN only equals stale NaN.
bool almost_equal(double a, double b, double eps = 1e-6);

// "" when `got` satisfies the expected series/scalar/string of `cmd` for an
// instant evaluation (`ordered` as requested), else a description.
std::string compare_instant(const EvalCmd& cmd, const std::vector<SeriesDesc>& expected,
                            const promql::Value& got, bool ordered);
// "" when a matrix result matches expected series positioned at start + i*step.
std::string compare_matrix(const std::vector<SeriesDesc>& expected, const promql::Value& got,
                           int64_t start_ms, int64_t step_ms, int64_t end_ms);
// "" when warnings/infos satisfy the expect warn/info/no_warn/no_info lines.
std::string compare_annotations(const EvalCmd& cmd, const promql::QueryResult& r);
// "" when an error satisfies `expect fail` (message/regex when given).
std::string compare_error(const EvalCmd& cmd, const std::string& error);

}  // namespace strata::promqltest
