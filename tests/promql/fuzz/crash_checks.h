// What the crash fuzzer counts as a failure of one evaluation, apart from a
// crash or a sanitizer report: an error status that is neither a refusal of
// the query (bad_data) nor a known PromQL runtime error, a timeout, or an
// answer that breaks an invariant every PromQL result keeps (no two series
// with the same labels, range points on the step grid and in order, no
// staleness marker leaking out, the right value type).
//
// Pure functions over engine results; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "promql/engine.h"
#include "tests/promql/fuzz/query_generator.h"

namespace strata::promql::fuzz {

enum class Outcome {
  kOk,          // an answer that keeps every invariant
  kRefused,     // InvalidArgument: parse or type error, bad parameter (bad_data)
  kRuntime,     // a known PromQL runtime error (execution), or the sample limit
  kFailure,     // a bug: see `why`
};

struct Verdict {
  Outcome outcome = Outcome::kOk;
  std::string why;  // for kFailure (and the error text for kRefused/kRuntime)
};

// Classifies the result of evaluating `q` at `eval`.
Verdict check_result(const absl::StatusOr<QueryResult>& r, const EvalSpec& eval);

// Whether `message` is one of the runtime errors PromQL defines (the engine
// reports them as absl::StatusCode::kUnknown, the API's "execution").
bool is_known_runtime_error(std::string_view message);

}  // namespace strata::promql::fuzz
