// promql_crash_fuzz: generated PromQL queries against the real engine and
// storage, in process, built with AddressSanitizer and UBSan (see
// CMakeLists.txt). Loads the fuzz dataset into an in-memory tsdb::DB, then
// evaluates each generated query (instant or range, as generated) in the v2
// dialect, the v3 dialect and v3 with delayed name removal, experimental
// functions on. A crash or sanitizer report, a query running past its
// timeout, an unexpected error or an answer breaking an invariant
// (crash_checks.h) is a failure; it prints the seed, the query index, the
// mode and the query. Exits 1 on any failure, or when fewer well-typed
// queries succeed than --min-ok-percent (a fuzzer that only produces errors
// tests nothing).
//
//   promql_crash_fuzz                        seed 1, 2000 queries (ctest: --count=5000)
//   promql_crash_fuzz --seed=random --duration=600 --count=0    a campaign
//   promql_crash_fuzz --seed=7 --index=1234 --verbose   replay one query
//   promql_crash_fuzz --seed=7 --start=1235 --count=0 --duration=600   resume
//        after a crash (tools/promql_fuzz_campaign.py does this in a loop)
//   promql_crash_fuzz --query='rate(fz_half[5m])'   one hand-written query:
//        instant at the data's end and range over the data at 60 s, every mode
// Environment: PROMQL_FUZZ_SEED, PROMQL_FUZZ_COUNT, PROMQL_FUZZ_DURATION give
// the defaults of --seed, --count, --duration.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include "base/metrics.h"
#include "promql/engine.h"
#include "tests/promql/fuzz/crash_checks.h"
#include "tests/promql/fuzz/fuzz_dataset.h"
#include "tests/promql/fuzz/query_generator.h"
#include "tsdb/db.h"

namespace strata::promql::fuzz {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  uint64_t seed = 1;
  int64_t count = 2000;       // 0 = until --duration runs out
  double duration_s = 0;      // 0 = no time limit
  int64_t index = -1;         // replay just this query
  int64_t start = 0;          // first index (a campaign resuming after a crash)
  std::string query;          // evaluate just this hand-written query
  std::string modes = "v2,v3,v3d";
  double timeout_s = 10;      // the engine's query timeout
  double hang_s = 60;         // the watchdog's: the engine ignored its timeout
  int min_ok_percent = 30;
  int max_failures = 50;      // stop reporting (and running) after this many
  bool verbose = false;
};

// What is running now, for the crash and hang reports. Written before each
// evaluation; read from signal handlers and the sanitizer's death callback,
// hence a fixed buffer.
char g_current[8192];
std::atomic<int64_t> g_started_ns{0};

void set_current(const std::string& s) {
  const size_t n = std::min(s.size(), sizeof g_current - 2);
  std::memcpy(g_current, s.data(), n);
  g_current[n] = '\n';
  g_current[n + 1] = 0;
}

void print_current() {
  const char head[] = "\npromql_crash_fuzz: FAILURE while evaluating\n";
  (void)!write(2, head, sizeof head - 1);
  (void)!write(2, g_current, std::strlen(g_current));
}

void on_signal(int sig) {
  print_current();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

struct Mode {
  std::string name;
  std::unique_ptr<Engine> engine;
  QueryGenerator* gen;
};


bool parse_flags(int argc, char** argv, Flags* f) {
  auto env = [](const char* n) { const char* v = std::getenv(n); return v && *v ? std::string(v) : std::string(); };
  std::string seed = env("PROMQL_FUZZ_SEED");
  if (!env("PROMQL_FUZZ_COUNT").empty()) f->count = std::atoll(env("PROMQL_FUZZ_COUNT").c_str());
  if (!env("PROMQL_FUZZ_DURATION").empty()) f->duration_s = std::atof(env("PROMQL_FUZZ_DURATION").c_str());
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    const size_t eq = a.find('=');
    if (eq != std::string::npos) v = a.substr(eq + 1), a = a.substr(0, eq);
    else if (a != "--verbose" && i + 1 < argc) v = argv[++i];
    if (a == "--seed") seed = v;
    else if (a == "--count") f->count = std::atoll(v.c_str());
    else if (a == "--duration") f->duration_s = std::atof(v.c_str());
    else if (a == "--index") f->index = std::atoll(v.c_str());
    else if (a == "--start") f->start = std::atoll(v.c_str());
    else if (a == "--query") f->query = v;
    else if (a == "--modes") f->modes = v;
    else if (a == "--timeout") f->timeout_s = std::atof(v.c_str());
    else if (a == "--min-ok-percent") f->min_ok_percent = std::atoi(v.c_str());
    else if (a == "--max-failures") f->max_failures = std::atoi(v.c_str());
    else if (a == "--verbose") f->verbose = true;
    else {
      std::fprintf(stderr, "unknown flag %s (see the comment at the top of crash_fuzz_main.cc)\n", argv[i]);
      return false;
    }
  }
  if (seed == "random") {
    f->seed = uint64_t(std::chrono::system_clock::now().time_since_epoch().count()) ^ uint64_t(getpid());
  } else if (!seed.empty()) {
    f->seed = std::strtoull(seed.c_str(), nullptr, 10);
  }
  return true;
}

std::unique_ptr<tsdb::DB> load(const FuzzDataset& data, metrics::Registry* reg) {
  tsdb::DBOptions o;
  o.dir = "";  // in memory, like stratatool promqltest
  o.maintenance_interval_ms = 0;
  auto db = tsdb::DB::open(o, reg);
  if (!db.ok()) {
    std::fprintf(stderr, "cannot open storage: %s\n", db.status().ToString().c_str());
    std::exit(2);
  }
  auto app = (*db)->appender();
  for (const FuzzSeries& s : data.series) {
    std::vector<tsdb::Label> ls;
    for (const auto& [k, v] : s.labels) ls.push_back({k, v});
    const tsdb::Labels labels = tsdb::Labels::from_unsorted(std::move(ls));
    for (const FuzzSample& p : s.samples) {
      auto r = app->append(0, labels, p.t_ms, p.value);
      if (!r.ok()) {
        std::fprintf(stderr, "cannot load the dataset: %s\n", r.status().ToString().c_str());
        std::exit(2);
      }
    }
  }
  if (auto st = app->commit(); !st.ok()) {
    std::fprintf(stderr, "cannot commit the dataset: %s\n", st.ToString().c_str());
    std::exit(2);
  }
  return std::move(*db);
}

struct Totals {
  int64_t evaluations = 0, ok = 0, refused = 0, runtime = 0, failures = 0;
  int64_t well_typed = 0, well_typed_ok = 0, well_typed_refused = 0, ill_typed_ok = 0;
  std::map<std::string, int> refusals;  // messages of refused well-typed queries
};

int run(const Flags& f) {
  const FuzzDataset data = build_fuzz_dataset(kFuzzFixedEndMs);
  metrics::Registry reg;
  std::unique_ptr<tsdb::DB> db = load(data, &reg);
  GenOptions go;
  go.data_start_ms = data.start_ms;
  go.data_end_ms = data.end_ms;
  go.v3 = false;
  QueryGenerator gen_v2(fuzz_schema(data), go);
  go.v3 = true;
  QueryGenerator gen_v3(fuzz_schema(data), go);

  std::vector<Mode> modes;
  std::vector<std::string> wanted;
  for (size_t a = 0; a <= f.modes.size();) {
    size_t b = f.modes.find(',', a);
    if (b == std::string::npos) b = f.modes.size();
    wanted.push_back(f.modes.substr(a, b - a));
    a = b + 1;
  }
  for (const std::string m : {"v2", "v3", "v3d"}) {
    if (std::find(wanted.begin(), wanted.end(), m) == wanted.end()) continue;
    EngineOptions eo;
    eo.compat = m == "v2" ? Compat::kV2 : Compat::kV3;
    eo.timeout_s = f.timeout_s;
    eo.max_samples = 5'000'000;  // generous, but keeps a runaway subquery cheap
    eo.experimental_functions = true;
    eo.delayed_name_removal = m == "v3d";
    modes.push_back({m, std::make_unique<Engine>(eo, nullptr), m == "v2" ? &gen_v2 : &gen_v3});
  }
  if (modes.empty()) {
    std::fprintf(stderr, "--modes: none of v2, v3, v3d\n");
    return 2;
  }

  // The watchdog: an evaluation running far past the engine's own timeout is a hang.
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const int64_t s = g_started_ns.load();
      if (s && Clock::now().time_since_epoch().count() - s > int64_t(f.hang_s * 1e9)) {
        std::fprintf(stderr, "\npromql_crash_fuzz: HANG (more than %.0f s)\n", f.hang_s);
        print_current();
        std::_Exit(3);
      }
    }
  });

  Totals t;
  const auto t0 = Clock::now();
  auto evaluate = [&](Mode& m, const GeneratedQuery& q, const std::string& where) {
    set_current(where + " mode=" + m.name + " " + q.eval.describe() + "\n  query: " + q.text);
    g_started_ns = Clock::now().time_since_epoch().count();
    absl::StatusOr<QueryResult> r =
        q.eval.range ? m.engine->range(*db, q.text, q.eval.start_ms, q.eval.end_ms, q.eval.step_ms)
                     : m.engine->instant(*db, q.text, q.eval.t_ms);
    g_started_ns = 0;
    const Verdict v = check_result(r, q.eval);
    ++t.evaluations;
    if (!q.ill_typed) ++t.well_typed;
    switch (v.outcome) {
      case Outcome::kOk:
        ++t.ok;
        if (q.ill_typed) ++t.ill_typed_ok;
        else ++t.well_typed_ok;
        break;
      case Outcome::kRefused:
        ++t.refused;
        if (!q.ill_typed) {
          ++t.well_typed_refused;
          ++t.refusals[v.why.substr(0, 120)];
        }
        break;
      case Outcome::kRuntime: ++t.runtime; break;
      case Outcome::kFailure:
        ++t.failures;
        std::printf("FAIL %s mode=%s %s\n  query: %s\n  why: %s\n", where.c_str(), m.name.c_str(),
                    q.eval.describe().c_str(), q.text.c_str(), v.why.c_str());
        break;
    }
    if (f.verbose)
      std::printf("%s mode=%s %s%s: %s\n  -> %s\n", where.c_str(), m.name.c_str(), q.eval.describe().c_str(),
                  q.ill_typed ? " (ill-typed)" : "", q.text.c_str(),
                  v.outcome == Outcome::kOk ? "ok" : v.why.c_str());
  };

  if (!f.query.empty()) {
    GeneratedQuery q;
    q.text = f.query;
    for (Mode& m : modes) {
      q.eval = {false, data.end_ms};
      evaluate(m, q, "hand-written");
      q.eval = {true, 0, data.start_ms, data.end_ms, 60'000};
      evaluate(m, q, "hand-written");
    }
  } else {
    const int64_t first = f.index >= 0 ? f.index : f.start;
    const int64_t last = f.index >= 0 ? f.index + 1 : f.count > 0 ? f.start + f.count : INT64_MAX;
    std::printf("promql_crash_fuzz: seed %llu, queries %lld..%lld, %s, dataset %zu series / %zu samples\n",
                (unsigned long long)f.seed, (long long)first, (long long)(last == INT64_MAX ? -1 : last - 1),
                f.modes.c_str(), data.series.size(), data.sample_count());
    std::fflush(stdout);
    for (int64_t i = first; i < last && t.failures < f.max_failures; ++i) {
      if (f.duration_s > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > f.duration_s) break;
      const std::string where = "seed=" + std::to_string(f.seed) + " index=" + std::to_string(i);
      for (Mode& m : modes) evaluate(m, m.gen->generate(f.seed, uint64_t(i)), where);
      if (i % 10000 == 9999) {
        std::printf("promql_crash_fuzz: %lld queries, %lld failures, %.0f s\n", (long long)(i + 1),
                    (long long)t.failures, std::chrono::duration<double>(Clock::now() - t0).count());
        std::fflush(stdout);
      }
    }
  }
  done = true;
  watchdog.join();

  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const int64_t ok_percent = t.well_typed ? 100 * t.well_typed_ok / t.well_typed : 0;
  std::printf("promql_crash_fuzz: seed %llu: %lld evaluations in %.1f s: %lld ok, %lld refused (bad_data), "
              "%lld runtime errors, %lld failures; well-typed: %lld%% ok, %lld refused; ill-typed accepted: %lld\n",
              (unsigned long long)f.seed, (long long)t.evaluations, secs, (long long)t.ok, (long long)t.refused,
              (long long)t.runtime, (long long)t.failures, (long long)ok_percent, (long long)t.well_typed_refused,
              (long long)t.ill_typed_ok);
  if (f.verbose || t.well_typed_refused > t.well_typed / 10) {
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [msg, n] : t.refusals) top.push_back({n, msg});
    std::sort(top.rbegin(), top.rend());
    for (size_t i = 0; i < top.size() && i < 10; ++i) std::printf("  refused well-typed x%d: %s\n", top[i].first, top[i].second.c_str());
  }
  int rc = t.failures ? 1 : 0;
  if (f.query.empty() && f.index < 0 && ok_percent < f.min_ok_percent) {
    std::printf("promql_crash_fuzz: only %lld%% of well-typed queries succeed (want >= %d%%): the run tests too little\n",
                (long long)ok_percent, f.min_ok_percent);
    rc = 1;
  }
  db->close().IgnoreError();
  return rc;
}

}  // namespace
}  // namespace strata::promql::fuzz

// Sanitizer defaults (the environment's ASAN_OPTIONS/UBSAN_OPTIONS still win):
// UBSan's runtime is separate from ASan's and ignores its death callback, so
// it aborts, and the SIGABRT handler prints the query.
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1:abort_on_error=1"; }
extern "C" const char* __asan_default_options() { return "detect_leaks=1"; }

int main(int argc, char** argv) {
  using namespace strata::promql::fuzz;
  Flags f;
  if (!parse_flags(argc, argv, &f)) return 2;
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_set_death_callback(print_current);
#else
  std::signal(SIGSEGV, on_signal);
  std::signal(SIGBUS, on_signal);
  std::signal(SIGFPE, on_signal);
#endif
  std::signal(SIGABRT, on_signal);
  std::set_terminate([] {
    print_current();
    std::abort();
  });
  return run(f);
}
