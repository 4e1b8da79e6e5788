#include "promql/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>

#include "base/clock.h"
#include "promql/evaluator.h"
#include "promql/plan_compile.h"

namespace strata::promql {

// Limits how many queries evaluate at once; waiting counts against the timeout.
struct Engine::State {
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  metrics::Gauge* queries = nullptr;
  metrics::Gauge* max_concurrent = nullptr;
  metrics::Histogram* exec_seconds = nullptr;
  metrics::Counter* failures = nullptr;
  // EngineOptions::default_subquery_step_ms, changed by reloads.
  std::atomic<int64_t> default_subquery_step_ms{0};
};

namespace {

// sort() and sort_desc() put NaN last in both directions, as Prometheus does.
bool sorts_before(double a, double b, bool desc) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return desc ? a > b : a < b;
}

// Instant vectors come back in the order the outermost sort/topk asked for,
// otherwise sorted by labels (Prometheus leaves it unspecified).
void order_instant(const PlanNode& root, Vector& v) {
  // topk/bottomk already come in Prometheus' order (see aggregate.h).
  if (root.kind == PlanNode::Kind::kAggregate &&
      (root.agg == AggOp::kTopk || root.agg == AggOp::kBottomk))
    return;
  auto by_labels = [](const VectorSample& a, const VectorSample& b) { return a.metric < b.metric; };
  std::stable_sort(v.begin(), v.end(), by_labels);
  if (root.kind != PlanNode::Kind::kCall) return;
  const FunctionId id = root.fn->id;
  if (id == FunctionId::kSort || id == FunctionId::kSortDesc) {
    bool desc = id == FunctionId::kSortDesc;
    std::stable_sort(v.begin(), v.end(), [&](const VectorSample& a, const VectorSample& b) {
      return sorts_before(a.v, b.v, desc);
    });
  } else if (id == FunctionId::kSortByLabel || id == FunctionId::kSortByLabelDesc) {
    bool desc = id == FunctionId::kSortByLabelDesc;
    std::vector<std::string> keys;
    for (size_t i = 1; i < root.args.size(); ++i) keys.push_back(root.args[i]->str);
    std::stable_sort(v.begin(), v.end(), [&](const VectorSample& a, const VectorSample& b) {
      for (const auto& k : keys) {
        int c = a.metric.get(k).compare(b.metric.get(k));
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      int c = tsdb::Labels::compare(a.metric, b.metric);
      return desc ? c > 0 : c < 0;
    });
  }
}

}  // namespace

Engine::Engine(EngineOptions opts, metrics::Registry* registry)
    : opts_(std::move(opts)), state_(std::make_unique<State>()) {
  state_->default_subquery_step_ms.store(opts_.default_subquery_step_ms);
  if (registry) {
    state_->queries = &registry->gauge("strata_engine_queries",
                                       "The current number of queries being executed or waiting.");
    state_->max_concurrent = &registry->gauge("strata_engine_queries_concurrent_max",
                                              "The max number of concurrent queries.");
    state_->max_concurrent->set(opts_.max_concurrency);
    state_->exec_seconds = &registry->histogram("strata_engine_query_duration_seconds",
                                                "Query evaluation time.", metrics::default_buckets());
    state_->failures = &registry->counter("strata_engine_query_failures_total",
                                          "Queries that ended with an error.");
  }
}

Engine::~Engine() = default;

void Engine::set_default_subquery_step_ms(int64_t ms) {
  state_->default_subquery_step_ms.store(ms, std::memory_order_relaxed);
}

int Engine::running() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->running;
}

PreparedQuery::PreparedQuery(std::string query, std::unique_ptr<PlanNode> plan)
    : query_(std::move(query)), plan_(std::move(plan)) {}
PreparedQuery::PreparedQuery(PreparedQuery&&) noexcept = default;
PreparedQuery& PreparedQuery::operator=(PreparedQuery&&) noexcept = default;
PreparedQuery::~PreparedQuery() = default;

namespace {

absl::StatusOr<QueryResult> execute(const EngineOptions& opts, Engine::State* state,
                                    tsdb::Queryable& db, std::string_view query,
                                    const PlanNode& plan, int64_t start, int64_t end,
                                    int64_t step, bool instant, const QueryParams& params);

// A range query evaluates at many steps, so its result must be a scalar or an
// instant vector.
absl::Status check_range_query_type(const PlanNode& plan) {
  if (plan.type != ValueKind::kMatrix && plan.type != ValueKind::kString) return absl::OkStatus();
  return absl::InvalidArgumentError(
      std::string("invalid expression type \"") +
      (plan.type == ValueKind::kMatrix ? "range vector" : "string") +
      "\" for range query, must be Scalar or instant Vector");
}

}  // namespace

absl::StatusOr<PreparedQuery> Engine::prepare(std::string_view query) const {
  auto plan = compile_query(query, opts_);
  if (!plan.ok()) return plan.status();
  return PreparedQuery(std::string(query), std::move(*plan));
}

absl::StatusOr<QueryResult> Engine::instant(tsdb::Queryable& db, const PreparedQuery& query,
                                            int64_t t_ms, const QueryParams& params) {
  return execute(opts_, state_.get(), db, query.query(), *query.plan_, t_ms, t_ms, 1, true, params);
}

absl::StatusOr<QueryResult> Engine::range(tsdb::Queryable& db, const PreparedQuery& query,
                                          int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                          const QueryParams& params) {
  if (auto st = check_range_query_type(*query.plan_); !st.ok()) return st;
  return execute(opts_, state_.get(), db, query.query(), *query.plan_, start_ms, end_ms, step_ms,
                 false, params);
}

absl::StatusOr<QueryResult> Engine::instant(tsdb::Queryable& db, std::string_view query,
                                            int64_t t_ms, const QueryParams& params) {
  auto prepared = prepare(query);
  if (!prepared.ok()) return prepared.status();
  return instant(db, *prepared, t_ms, params);
}

absl::StatusOr<QueryResult> Engine::range(tsdb::Queryable& db, std::string_view query,
                                          int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                          const QueryParams& params) {
  auto prepared = prepare(query);
  if (!prepared.ok()) return prepared.status();
  return range(db, *prepared, start_ms, end_ms, step_ms, params);
}

namespace {

absl::StatusOr<QueryResult> execute(const EngineOptions& opts, Engine::State* state,
                                    tsdb::Queryable& db, std::string_view query,
                                    const PlanNode& plan, int64_t start, int64_t end,
                                    int64_t step, bool instant, const QueryParams& params) {
  double timeout_s = opts.timeout_s;
  if (params.timeout_s && *params.timeout_s > 0) timeout_s = std::min(timeout_s, *params.timeout_s);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::microseconds(int64_t(timeout_s * 1e6));
  // Admission: at most max_concurrency queries evaluate at once.
  {
    std::unique_lock<std::mutex> lock(state->mu);
    if (state->queries) state->queries->add(1);
    bool admitted = state->cv.wait_until(lock, deadline, [&] {
      return state->running < std::max(1, opts.max_concurrency);
    });
    if (!admitted) {
      if (state->queries) state->queries->add(-1);
      return absl::DeadlineExceededError("query timed out in query queue");
    }
    ++state->running;
  }
  // Frees the slot when the last holder lets go: the result keeps it (see
  // QueryResult::slot), every other return frees it here.
  struct Slot {
    explicit Slot(Engine::State* st) : s(st) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Engine::State* s;
    ~Slot() {
      {
        std::lock_guard<std::mutex> lock(s->mu);
        --s->running;
        if (s->queries) s->queries->add(-1);
      }
      s->cv.notify_one();
    }
  };
  auto slot = std::make_shared<Slot>(state);

  double t0 = monotonic_seconds();
  EvalOptions eo;
  eo.engine = opts;
  eo.engine.default_subquery_step_ms = state->default_subquery_step_ms.load(std::memory_order_relaxed);
  eo.lookback_ms = params.lookback_delta_ms.value_or(opts.lookback_delta_ms);
  if (eo.lookback_ms <= 0) eo.lookback_ms = opts.lookback_delta_ms;
  eo.delayed_name_removal = opts.delayed_name_removal;
  eo.query_start_ms = start;
  eo.query_end_ms = end;
  eo.query = query;
  eo.deadline = deadline;
  eo.cancelled = params.cancelled;
  Evaluator ev(db, eo);
  auto value = ev.run(plan, Grid::make(start, end, step), instant);
  if (state->exec_seconds) state->exec_seconds->observe(monotonic_seconds() - t0);
  if (!value.ok()) {
    if (state->failures) state->failures->inc();
    return value.status();
  }
  if (auto* v = std::get_if<Vector>(&*value)) order_instant(plan, *v);
  QueryResult r;
  r.value = std::move(*value);
  r.slot = std::move(slot);
  // Prometheus 2.x had no PromQL annotations; its API shows none.
  if (opts.compat == Compat::kV3) {
    r.warnings = ev.annotations().warnings();
    r.infos = ev.annotations().infos();
  }
  return r;
}

}  // namespace

}  // namespace strata::promql
