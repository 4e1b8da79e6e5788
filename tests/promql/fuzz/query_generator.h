// Random PromQL expressions for the fuzzers: well-typed ones from the whole
// grammar (selectors with every matcher kind, offsets, `@`, range selectors,
// subqueries, every function and aggregation with valid and edge parameters,
// binary operators with every matching modifier, unary minus, parentheses)
// and, at a configurable rate, ill-typed or malformed ones that must be
// refused cleanly. Names and label values come from the fuzz dataset's
// schema, so most queries select data.
//
// A query is a pure function of (options, seed, index): generate(seed, i)
// reseeds from both, so any query of a campaign can be regenerated alone.
// The generator also evaluates where to run the query (instant time, or
// range start/end/step), within bounds that keep evaluation small.
//
// Not thread-safe (coverage counters); use one per thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/promql/fuzz/fuzz_dataset.h"
#include "tests/promql/fuzz/fuzz_rng.h"

namespace strata::promql::fuzz {

enum class GenType { kScalar, kVector, kMatrix, kString };

struct GenOptions {
  bool v3 = false;                 // the dialect: Prometheus 3 (true) or 2 (false)
  bool experimental = true;        // experimental functions (limitk, mad_over_time, ...)
  // Only what Prometheus 2.42 knows (differential mode): no function or
  // aggregation added after 2.42, even if Strata offers it in v2 mode.
  bool prometheus_242 = false;
  int max_depth = 4;               // nesting of calls, operators and aggregations
  int ill_typed_percent = 8;       // share of deliberately wrong queries
  // Upper bound on evaluation points a query's subqueries multiply to (per
  // outer step), so nested subqueries with tiny steps stay cheap.
  int64_t subquery_budget = 2000;
  int max_range_points = 200;      // points of a generated range query
  int64_t data_start_ms = 0;       // the dataset's time frame, for `@` and eval times
  int64_t data_end_ms = 0;
};

// Where a query is evaluated.
struct EvalSpec {
  bool range = false;
  int64_t t_ms = 0;                            // instant queries
  int64_t start_ms = 0, end_ms = 0, step_ms = 0;  // range queries
  std::string describe() const;  // "instant @1700000000.5" / "range 1..2 step 15s"
};

struct GeneratedQuery {
  std::string text;
  GenType type = GenType::kVector;  // intended type (meaningless if ill_typed)
  bool ill_typed = false;           // deliberately wrong: an error is expected
  EvalSpec eval;
};

// One row of the generator's function table (mirrors promql/parser/functions.cc;
// the generator's unit test checks they agree).
struct FuncSpec {
  const char* name;
  const char* args;  // one letter per argument: v(ector) m(atrix) s(calar) t(string)
  int variadic;      // as parser::Function::variadic
  char ret;          // 'v' or 's'
  bool experimental;
  bool in_v2;        // known to Strata's v2 dialect
  bool in_v3;
  bool in_242;       // known to Prometheus 2.42 itself
};
const std::vector<FuncSpec>& func_specs();

class QueryGenerator {
 public:
  QueryGenerator(FuzzSchema schema, GenOptions opts);

  // The index-th query of the campaign `seed`.
  GeneratedQuery generate(uint64_t seed, uint64_t index);

  // How often each node kind was produced ("selector", "subquery",
  // "call:rate", "agg:topk", "bin:+", "ill:...", ...), over all calls.
  const std::map<std::string, int>& coverage() const { return coverage_; }
  const GenOptions& options() const { return opts_; }

 private:
  class Impl;
  FuzzSchema schema_;
  GenOptions opts_;
  std::map<std::string, int> coverage_;
};

}  // namespace strata::promql::fuzz
