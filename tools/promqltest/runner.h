// Runs parsed promqltest scripts against a fresh in-memory tsdb::DB and a
// promql::Engine configured like Prometheus' test engine, and checks every
// eval's expectations (`expect` lines, as in Prometheus' promqltest).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "promql/engine.h"
#include "promql/parser/series_desc.h"
#include "tools/promqltest/script.h"
#include "tsdb/db.h"

namespace strata::promqltest {

struct RunOptions {
  promql::Compat compat = promql::Compat::kV3;
  bool skip_unsupported = false;  // count evals needing native histograms as skipped
  bool verbose = false;
};

struct RunStats {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// One series line of the load/expect notation, as the PromQL front end parses it.
using SeriesDesc = promql::parser::SeriesDesc;
// The query with `@ <t>` added to every selector and subquery lacking one;
// nullopt when the query uses a function whose value depends on the evaluation
// time (then the runner skips the @ variants).
absl::StatusOr<std::optional<std::string>> with_at_modifiers(const std::string& query,
                                                             int64_t t_ms);
// Whether the query mentions start(), end(), range() or step().
bool uses_query_bounds(const std::string& query);

class Runner {
 public:
  explicit Runner(RunOptions opts);
  ~Runner();
  // Runs one file; prints failures as file:line and returns the counts.
  RunStats run(const Script& script);

 private:
  absl::Status load(const LoadCmd& cmd, bool* skipped);
  void clear();
  // Empty string = pass; otherwise the failure message. Sets *skip.
  std::string eval(const EvalCmd& cmd, bool* skip);
  std::string eval_instant_once(const EvalCmd& cmd, const std::string& query, int64_t t_ms,
                                bool check_annotations);
  std::string eval_range_mode(const EvalCmd& cmd, const std::string& query, int64_t t_ms);

  RunOptions opts_;
  std::string dir_;
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<promql::Engine> engine_;
  bool histograms_loaded_ = false;
};

}  // namespace strata::promqltest
