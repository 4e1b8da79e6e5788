// The PromQL query engine: parses a query, selects series through the
// tsdb::Queryable read interface and evaluates instant and range queries.
// Thread-safe; at most max_concurrency queries run at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/metrics.h"
#include "promql/parser/compat.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace strata::promql {


struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t max_samples = 50'000'000;
  double timeout_s = 120;
  int max_concurrency = 20;
  Compat compat = Compat::kV3;
  bool experimental_functions = false;
  // Step of subqueries without one ([5m:]): the global evaluation interval.
  int64_t default_subquery_step_ms = 60 * 1000;
  // Prometheus 3's optional "delayed name removal": __name__ is dropped at the
  // end of evaluation instead of by each function (the promqltest engine).
  bool delayed_name_removal = false;
};

struct QueryParams {
  std::optional<int64_t> lookback_delta_ms;  // per-query override
  std::optional<double> timeout_s;           // min(this, engine timeout)
  std::function<bool()> cancelled;           // client went away
};

struct QueryResult {
  Value value;
  std::vector<std::string> warnings;  // "PromQL warning: ... (1:5)"
  std::vector<std::string> infos;     // "PromQL info: ... (1:5)"
};

// Errors are absl statuses whose codes map to the API's error types:
// InvalidArgument = bad_data (parse errors: "1:13: parse error: ..."),
// DeadlineExceeded = timeout, Cancelled = canceled, Internal/DataLoss =
// internal, anything else = execution.
class Engine {
 public:
  struct State;
  Engine(EngineOptions opts, metrics::Registry* registry);
  ~Engine();

  absl::StatusOr<QueryResult> instant(tsdb::Queryable& db, std::string_view query, int64_t t_ms,
                                      const QueryParams& params = {});
  absl::StatusOr<QueryResult> range(tsdb::Queryable& db, std::string_view query,
                                    int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                    const QueryParams& params = {});
  const EngineOptions& options() const { return opts_; }
  // Queries evaluating right now (not those waiting for a slot).
  int running() const;
  // A reloaded global evaluation_interval: the step of subqueries without
  // one, for queries that start afterwards. Thread-safe.
  void set_default_subquery_step_ms(int64_t ms);

 private:
  EngineOptions opts_;
  std::unique_ptr<State> state_;
};

}  // namespace strata::promql
