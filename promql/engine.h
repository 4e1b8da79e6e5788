// The PromQL query engine: parses and plans a query (once, for a prepared
// query), selects series through the tsdb::Queryable read interface and
// evaluates instant and range queries.
// Thread-safe; at most max_concurrency queries run at once (see
// QueryResult::slot: a query's slot can outlast its evaluation).
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
  // The query's max_concurrency slot, freed when the last copy of this
  // pointer goes. Rendering a result (the API's JSON is larger than the
  // samples) costs as much memory as evaluating it, so a caller that renders
  // keeps it until done; otherwise max_concurrency would bound evaluation
  // but not the results waiting to be rendered, one per client. Must not
  // outlive the Engine.
  std::shared_ptr<void> slot;
};

struct PlanNode;

// A query parsed, type-checked and planned once (Engine::prepare), to be
// evaluated any number of times, e.g. by a rule every evaluation interval.
// Immutable; threads may evaluate one PreparedQuery at the same time. It is
// planned with its engine's options and is evaluated by that engine.
class PreparedQuery {
 public:
  PreparedQuery(PreparedQuery&&) noexcept;
  PreparedQuery& operator=(PreparedQuery&&) noexcept;
  ~PreparedQuery();
  const std::string& query() const { return query_; }

 private:
  friend class Engine;
  PreparedQuery(std::string query, std::unique_ptr<PlanNode> plan);
  std::string query_;  // annotations point into it
  std::unique_ptr<PlanNode> plan_;
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

  // Parses and plans `query`; parse and type errors are InvalidArgument.
  absl::StatusOr<PreparedQuery> prepare(std::string_view query) const;
  absl::StatusOr<QueryResult> instant(tsdb::Queryable& db, const PreparedQuery& query,
                                      int64_t t_ms, const QueryParams& params = {});
  // A query whose type is a range vector or a string is InvalidArgument here.
  absl::StatusOr<QueryResult> range(tsdb::Queryable& db, const PreparedQuery& query,
                                    int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                    const QueryParams& params = {});
  // prepare() and then evaluate, for a query run once.
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
