#include "tests/promql/fuzz/crash_checks.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace strata::promql::fuzz {
namespace {

bool is_stale(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b == 0x7ff0000000000002ULL;
}

Verdict fail(std::string why) { return {Outcome::kFailure, std::move(why)}; }

std::string labels_string(const tsdb::Labels& l) {
  std::string s = "{";
  for (const auto& x : l) s += (s.size() > 1 ? ", " : "") + x.name + "=\"" + x.value + "\"";
  return s + "}";
}

}  // namespace

bool is_known_runtime_error(std::string_view m) {
  // Prometheus' runtime errors (promql/engine.go, functions.go), as the engine words them.
  static const char* kKnown[] = {
      "found duplicate series for the match group",
      "multiple matches for labels",
      "many-to-many matching not allowed",
      "vector cannot contain metrics with the same labelset",
      "invalid regular expression in label_replace()",
      "invalid destination label name in label_",
      "invalid source label name in label_join()",
      "invalid label name",
      "Parameter value is NaN",
      "Scalar value",
      "invalid smoothing factor",
      "invalid trend factor",
      "query processing would load too many samples",
  };
  for (const char* k : kKnown)
    if (m.find(k) != std::string_view::npos) return true;
  return false;
}

Verdict check_result(const absl::StatusOr<QueryResult>& r, const EvalSpec& eval) {
  if (!r.ok()) {
    const std::string msg(r.status().message());
    switch (r.status().code()) {
      case absl::StatusCode::kInvalidArgument: return {Outcome::kRefused, msg};
      case absl::StatusCode::kResourceExhausted: return {Outcome::kRuntime, msg};
      // A function the engine does not implement yet (info()): not a crash.
      case absl::StatusCode::kUnimplemented: return {Outcome::kRuntime, msg};
      case absl::StatusCode::kDeadlineExceeded: return fail("ran past its timeout: " + msg);
      case absl::StatusCode::kCancelled: return fail("cancelled: " + msg);
      case absl::StatusCode::kUnknown:
        if (is_known_runtime_error(msg)) return {Outcome::kRuntime, msg};
        return fail("unexpected execution error: " + msg);
      case absl::StatusCode::kInternal:
      case absl::StatusCode::kDataLoss: return fail("internal error: " + msg);
      default: return fail("unexpected status " + r.status().ToString());
    }
  }
  const Value& v = r->value;
  if (const auto* vec = std::get_if<Vector>(&v)) {
    if (eval.range) return fail("range query answered with an instant vector");
    std::set<tsdb::Labels> seen;
    for (const VectorSample& s : *vec) {
      if (!seen.insert(s.metric).second) return fail("two samples with labels " + labels_string(s.metric));
      if (is_stale(s.v)) return fail("staleness marker in the answer for " + labels_string(s.metric));
      if (s.t != eval.t_ms) return fail("sample of " + labels_string(s.metric) + " not at the evaluation time");
    }
    return {};
  }
  if (const auto* mat = std::get_if<Matrix>(&v)) {
    std::set<tsdb::Labels> seen;
    for (const MatrixSeries& s : *mat) {
      if (!seen.insert(s.metric).second) return fail("two series with labels " + labels_string(s.metric));
      if (eval.range && s.points.empty()) return fail("series without points: " + labels_string(s.metric));
      for (size_t i = 0; i < s.points.size(); ++i) {
        const Point& p = s.points[i];
        if (is_stale(p.v)) return fail("staleness marker in the answer for " + labels_string(s.metric));
        if (i && p.t <= s.points[i - 1].t) return fail("points out of order in " + labels_string(s.metric));
        if (eval.range && (p.t < eval.start_ms || p.t > eval.end_ms || (p.t - eval.start_ms) % eval.step_ms != 0))
          return fail("point off the step grid at t=" + std::to_string(p.t) + " in " + labels_string(s.metric));
      }
    }
    return {};
  }
  if (eval.range) return fail("range query answered with a scalar or string");
  return {};
}

}  // namespace strata::promql::fuzz
