// Internal to rules/template/: Prometheus' number and time formatting
// functions (humanize, humanize1024, humanizeDuration, humanizePercentage,
// humanizeTimestamp, toTime) and the argument conversion they share.
#pragma once

#include "absl/status/statusor.h"
#include "rules/template/functions.h"
#include "rules/template/value.h"

namespace strata::rules::tmpl {

// Prometheus' convertToFloat: float64, int, and strings that parse as
// floats; "can't convert bool to float" otherwise; strconv's error texts.
absl::StatusOr<double> convert_to_float(const Value& v);

// One of kHumanize, kHumanize1024, kHumanizeDuration, kHumanizePercentage,
// kHumanizeTimestamp, kToTime applied to `v`.
absl::StatusOr<Value> humanize(FuncId id, const Value& v);

}  // namespace strata::rules::tmpl
