#include "tools/promqltest/runner.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tools/promqltest/compare.h"

namespace strata::promqltest {
namespace {

bool mentions_native_histograms(const EvalCmd& cmd) {
  if (cmd.query.find("histogram_count") != std::string::npos ||
      cmd.query.find("histogram_sum") != std::string::npos ||
      cmd.query.find("histogram_avg") != std::string::npos ||
      cmd.query.find("histogram_fraction") != std::string::npos ||
      cmd.query.find("histogram_stddev") != std::string::npos ||
      cmd.query.find("histogram_stdvar") != std::string::npos)
    return true;
  for (const Line& l : cmd.series)
    if (l.text.find("{{") != std::string::npos) return true;
  return false;
}

}  // namespace

Runner::Runner(RunOptions opts) : opts_(opts) {
  char tmpl[] = "/tmp/strata-promqltest-XXXXXX";
  if (char* d = mkdtemp(tmpl)) dir_ = d;
  clear();
}

Runner::~Runner() {
  engine_.reset();
  if (db_) (void)db_->close();
  db_.reset();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

void Runner::clear() {
  engine_.reset();
  if (db_) (void)db_->close();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_ + "/db", ec);
  registry_ = std::make_unique<metrics::Registry>();
  tsdb::DBOptions dbo;
  dbo.dir = "";  // in memory: scripts are small and never restart
  auto db = tsdb::DB::open(dbo, registry_.get());
  if (!db.ok()) {
    std::fprintf(stderr, "promqltest: cannot open storage: %s\n", std::string(db.status().message()).c_str());
    std::exit(1);
  }
  db_ = std::move(*db);
  // Prometheus' test engine: lookback 5m, subquery step 1m, timeout 100s, 10000 samples,
  // experimental functions on, delayed name removal in 3.x mode.
  promql::EngineOptions eo;
  eo.compat = opts_.compat;
  eo.timeout_s = 100;
  eo.max_samples = 10000;
  eo.experimental_functions = true;
  eo.default_subquery_step_ms = 60000;
  eo.delayed_name_removal = opts_.compat == promql::Compat::kV3;
  engine_ = std::make_unique<promql::Engine>(eo, nullptr);
  histograms_loaded_ = false;
}

absl::Status Runner::load(const LoadCmd& cmd, bool* skipped) {
  auto app = db_->appender();
  for (const Line& l : cmd.series) {
    auto sd = promql::parser::parse_series_desc(l.text);
    if (!sd.ok()) return absl::InvalidArgumentError(std::to_string(l.line_no) + ": " + std::string(sd.status().message()));
    if (sd->has_histograms) {
      histograms_loaded_ = true;
      *skipped = true;
      continue;
    }
    for (size_t i = 0; i < sd->values.size(); ++i) {
      if (!sd->values[i].has_value()) continue;
      auto r = app->append(0, sd->labels, int64_t(i) * cmd.step_ms, sd->values[i].value);
      if (!r.ok()) return absl::InvalidArgumentError(std::to_string(l.line_no) + ": " + std::string(r.status().message()));
    }
  }
  return app->commit();
}

std::string Runner::eval_instant_once(const EvalCmd& cmd, const std::string& query, int64_t t_ms,
                                      bool check_annotations) {
  auto r = engine_->instant(*db_, query, t_ms);
  bool want_fail = cmd.has_expect(Expectation::Kind::kFail);
  if (!r.ok()) {
    if (!want_fail) return "error evaluating query \"" + query + "\": " + std::string(r.status().message());
    return compare_error(cmd, std::string(r.status().message()));
  }
  if (want_fail) return "expected error evaluating query \"" + query + "\" but got none";
  std::vector<SeriesDesc> expected;
  for (const Line& l : cmd.series) {
    auto sd = promql::parser::parse_series_desc(l.text);
    if (!sd.ok()) return "line " + std::to_string(l.line_no) + ": " + std::string(sd.status().message());
    expected.push_back(std::move(*sd));
  }
  std::string err;
  if (cmd.range_vector) {
    err = compare_matrix(expected, r->value, cmd.rv_start_ms, cmd.rv_step_ms, cmd.rv_end_ms);
  } else {
    err = compare_instant(cmd, expected, r->value, cmd.has_expect(Expectation::Kind::kOrdered));
  }
  if (!err.empty()) return "query \"" + query + "\" at " + std::to_string(t_ms) + "ms: " + err;
  if (check_annotations) {
    err = compare_annotations(cmd, *r);
    if (!err.empty()) return "query \"" + query + "\": " + err;
  }
  return "";
}

std::string Runner::eval_range_mode(const EvalCmd& cmd, const std::string& query, int64_t t_ms) {
  // The same query as a range query around t must give the same points at t.
  auto r = engine_->range(*db_, query, t_ms - 60000, t_ms + 60000, 60000);
  if (!r.ok()) return "range-mode evaluation of \"" + query + "\": " + std::string(r.status().message());
  const auto* m = std::get_if<promql::Matrix>(&r->value);
  if (!m) return "range-mode evaluation did not return a matrix";
  for (size_t i = 1; i < m->size(); ++i)
    if (!((*m)[i - 1].metric < (*m)[i].metric)) return "range-mode result is not sorted by labels";
  promql::Value at_t;
  if (cmd.expect_scalar) {
    promql::Scalar s{t_ms, std::nan("")};
    for (const auto& ms : *m)
      for (const auto& p : ms.points)
        if (p.t == t_ms) s.v = p.v;
    at_t = s;
  } else {
    promql::Vector v;
    for (const auto& ms : *m)
      for (const auto& p : ms.points)
        if (p.t == t_ms) v.push_back({ms.metric, p.t, p.v});
    at_t = std::move(v);
  }
  std::vector<SeriesDesc> expected;
  for (const Line& l : cmd.series) {
    auto sd = promql::parser::parse_series_desc(l.text);
    if (!sd.ok()) return std::string(sd.status().message());
    expected.push_back(std::move(*sd));
  }
  std::string err = compare_instant(cmd, expected, at_t, false);
  if (!err.empty()) return "range-mode check of \"" + query + "\" at " + std::to_string(t_ms) + "ms: " + err;
  return "";
}

std::string Runner::eval(const EvalCmd& cmd, bool* skip) {
  *skip = false;
  if (mentions_native_histograms(cmd) || (histograms_loaded_ && cmd.query.find("histogram") != std::string::npos)) {
    if (opts_.skip_unsupported) {
      *skip = true;
      return "";
    }
    return "native histograms are not supported";
  }
  bool want_fail = cmd.has_expect(Expectation::Kind::kFail);
  if (cmd.range) {
    auto r = engine_->range(*db_, cmd.query, cmd.start_ms, cmd.end_ms, cmd.step_ms);
    if (!r.ok()) {
      if (!want_fail) return "error in range query \"" + cmd.query + "\": " + std::string(r.status().message());
      return compare_error(cmd, std::string(r.status().message()));
    }
    if (want_fail) return "expected error in range query but got none";
    std::vector<SeriesDesc> expected;
    for (const Line& l : cmd.series) {
      auto sd = promql::parser::parse_series_desc(l.text);
      if (!sd.ok()) return std::string(sd.status().message());
      expected.push_back(std::move(*sd));
    }
    std::string err;
    if (cmd.expect_scalar) {
      // A scalar expectation for a range query: one series {} with that value everywhere.
      SeriesDesc sd;
      for (int64_t t = cmd.start_ms; t <= cmd.end_ms; t += cmd.step_ms) sd.values.push_back({.value = *cmd.expect_scalar});
      expected = {sd};
    }
    err = compare_matrix(expected, r->value, cmd.start_ms, cmd.step_ms, cmd.end_ms);
    if (err.empty()) err = compare_annotations(cmd, *r);
    return err;
  }
  int64_t t = cmd.range_vector ? cmd.rv_end_ms : cmd.start_ms;
  if (auto err = eval_instant_once(cmd, cmd.query, t, true); !err.empty()) return err;
  bool plain = !cmd.has_expect(Expectation::Kind::kOrdered) && !cmd.range_vector && !cmd.expect_string;
  bool range_mode = plain && !want_fail && !uses_query_bounds(cmd.query);
  if (range_mode) {
    if (auto err = eval_range_mode(cmd, cmd.query, t); !err.empty()) return err;
  }
  // Step invariance: the query pinned with `@ t` must give the same answer at other times.
  auto at_query = with_at_modifiers(cmd.query, t);
  if (!at_query.ok()) return std::string(at_query.status().message());
  if (*at_query && !cmd.range_vector) {
    std::vector<int64_t> times = t == 0 ? std::vector<int64_t>{-1000, 0, 1000}
                                        : std::vector<int64_t>{-10 * t, 0, t / 5, t, 10 * t};
    for (int64_t et : times) {
      if (auto err = eval_instant_once(cmd, **at_query, et, false); !err.empty()) return "@ variant: " + err;
      if (range_mode) {
        if (auto err = eval_range_mode(cmd, **at_query, et); !err.empty()) return "@ variant: " + err;
      }
    }
  }
  return "";
}

RunStats Runner::run(const Script& script) {
  RunStats st;
  for (const Command& c : script.commands) {
    if (const auto* l = std::get_if<LoadCmd>(&c)) {
      bool skipped = false;
      if (auto s = load(*l, &skipped); !s.ok()) {
        std::printf("%s:%s: load failed\n", script.file.c_str(), std::string(s.message()).c_str());
        ++st.failed;
      }
    } else if (std::get_if<ClearCmd>(&c)) {
      clear();
    } else if (const auto* e = std::get_if<EvalCmd>(&c)) {
      bool skip = false;
      std::string err = eval(*e, &skip);
      if (skip) {
        ++st.skipped;
      } else if (err.empty()) {
        ++st.passed;
        if (opts_.verbose) std::printf("%s:%d: ok\n", script.file.c_str(), e->line_no);
      } else {
        ++st.failed;
        std::printf("%s:%d: %s\n", script.file.c_str(), e->line_no, err.c_str());
      }
    }
  }
  return st;
}

}  // namespace strata::promqltest
