// The difftest run: start the reference (Prometheus 2.42) and the candidate
// (Strata in --query.compat=v2, or a second Prometheus for the harness
// self-check), remote-write the same dataset to both, run every corpus query
// as instant and range queries on both, compare, report.
//
// Single entry point, called by the gtest in difftest.cc.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace strata::difftest {

struct Settings {
  std::string prometheus_binary;         // DIFFTEST_PROMETHEUS
  std::string strata_binary;             // STRATA_BINARY
  std::vector<std::string> candidate_args;  // DIFFTEST_CANDIDATE_ARGS (extra flags)
  bool candidate_is_prometheus = false;  // DIFFTEST_CANDIDATE=prometheus
  std::string corpus_dir;                // DIFFTEST_CORPUS_DIR
  std::string known_differences;         // DIFFTEST_KNOWN_DIFFERENCES
  std::string only_query;                // DIFFTEST_QUERY: run just this, verbosely
  std::string filter;                    // DIFFTEST_FILTER: substring of the queries to run
  bool verbose = false;                  // DIFFTEST_VERBOSE=1: every diff on stdout
  int jobs = 3;                          // DIFFTEST_JOBS: concurrent queries
  std::string report_path;               // DIFFTEST_REPORT
  bool keep_tmp = false;                 // DIFFTEST_KEEP_TMP=1: keep data dirs and logs
  // Generated-query mode (generated.h): the fuzz dataset and generated queries.
  bool generated = false;                // DIFFTEST_GENERATED=1
  uint64_t gen_seed = 1;                 // DIFFTEST_SEED: a number, or "random"
  int64_t gen_first = 0;                 // DIFFTEST_FIRST: index of the first query
  int64_t gen_count = 2000;              // DIFFTEST_COUNT
  double gen_duration_s = 0;             // DIFFTEST_DURATION: start no query after this (0: no limit)
  std::string gen_known_differences;     // DIFFTEST_GENERATED_KNOWN_DIFFERENCES
};

// Reads the settings from the environment, with compiled-in defaults.
Settings settings_from_env();

struct RunSummary {
  bool setup_ok = false;
  std::string setup_error;  // why the run could not happen
  int total = 0, passed = 0, failed = 0, skipped = 0;
  std::map<std::string, int> failure_kinds;  // diff kind -> number of failing queries
  // Evaluations where the reference answered with data / refused the query
  // (bad_data) / failed at run time: a run must not pass on errors alone.
  int ref_with_data = 0, ref_refused = 0, ref_runtime_errors = 0;
};

RunSummary run_difftest(const Settings& settings);

}  // namespace strata::difftest
