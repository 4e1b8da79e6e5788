// PromQL engine micro-benchmarks over an in-memory head: 10,000 series, 6 h at
// 15 s, the shapes of the query-latency comparison in bench/compare.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>

#include "base/malloc_tuning.h"
#include "promql/engine.h"
#include "tsdb/db.h"

namespace strata {
namespace {

constexpr int kSeries = 10000;
constexpr int64_t kStep = 15000;
constexpr int kSamples = 6 * 3600 * 1000 / kStep;

struct Fixture {
  metrics::Registry registry;
  std::unique_ptr<tsdb::DB> db;
  std::unique_ptr<promql::Engine> engine;
  Fixture() {
    db = std::move(*tsdb::DB::open(tsdb::DBOptions{""}, &registry));
    engine = std::make_unique<promql::Engine>(promql::EngineOptions{}, &registry);
    std::mt19937_64 rng(1);
    std::vector<tsdb::Labels> labels;
    for (int i = 0; i < kSeries; ++i) {
      labels.push_back(tsdb::Labels::from_strings(
          {"__name__", "http_requests_total", "instance", "host-" + std::to_string(i % 100),
           "job", "api", "method", i % 2 ? "GET" : "POST", "status", std::to_string(200 + i % 7),
           "pod", "pod-" + std::to_string(i)}));
    }
    std::vector<double> values(kSeries, 0);
    for (int s = 0; s < kSamples; ++s) {
      auto app = db->appender();
      for (int i = 0; i < kSeries; ++i) {
        values[i] += double(rng() % 100);
        (void)app->append(0, labels[i], int64_t(s) * kStep, values[i]);
      }
      (void)app->commit();
    }
    auto n = engine->instant(*db, "count(http_requests_total)", int64_t(kSamples - 1) * kStep);
    std::fprintf(stderr, "engine_bench: %s series loaded\n",
                 n.ok() && !std::get<promql::Vector>(n->value).empty()
                     ? std::to_string(std::get<promql::Vector>(n->value)[0].v).c_str()
                     : "no");
  }
};

Fixture& fixture() {
  // The server's malloc settings: without them timings depend on where the
  // heap happens to end and each query may fault its memory in anew.
  static const bool tuned = (tune_malloc_for_queries(), true);
  (void)tuned;
  static Fixture f;
  return f;
}

void run_range(benchmark::State& state, const char* query) {
  Fixture& f = fixture();
  int64_t end = int64_t(kSamples - 1) * kStep;
  for (auto _ : state) {
    auto r = f.engine->range(*f.db, query, 0, end, state.range(0) * 1000);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kSeries * kSamples);
}

void BM_Engine_SumRate(benchmark::State& s) { run_range(s, "sum(rate(http_requests_total[5m]))"); }
void BM_Engine_SumByRate(benchmark::State& s) {
  run_range(s, "sum by (instance) (rate(http_requests_total[5m]))");
}
void BM_Engine_TopkRate(benchmark::State& s) { run_range(s, "topk(10, rate(http_requests_total[5m]))"); }
void BM_Engine_Regex(benchmark::State& s) {
  run_range(s, "sum(http_requests_total{instance=~\"host-1.*\"})");
}
void BM_Engine_AvgOverTime(benchmark::State& s) { run_range(s, "avg_over_time(http_requests_total[1h])"); }

BENCHMARK(BM_Engine_SumRate)->Arg(15)->Arg(60)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_SumByRate)->Arg(15)->Arg(60)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_TopkRate)->Arg(15)->Arg(60)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_Regex)->Arg(15)->Arg(60)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_AvgOverTime)->Arg(15)->Arg(60)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
