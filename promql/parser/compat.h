// Which Prometheus dialect the PromQL front end and the engine follow. Lives in
// the parser folder because the parser needs it too (quoted UTF-8 names, the
// function table, number/duration literals) and the engine includes it from
// here; the enum stays in namespace strata::promql.
#pragma once

namespace strata::promql {

// kV3 follows Prometheus 3.x, kV2 follows Prometheus 2.42 (window boundaries,
// regex `.`, holt_winters vs double_exponential_smoothing, parser dialect).
enum class Compat { kV3, kV2 };

}  // namespace strata::promql
