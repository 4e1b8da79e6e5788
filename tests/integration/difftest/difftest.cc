// Differential test: Strata (--query.compat=v2) against Prometheus 2.42.
//
// Both servers receive the same remote-write bodies (dataset.h), then every
// query of tests/promql/corpus/*.txt runs on both as instant queries at five
// times and as two range queries, and the answers are compared (compare.h).
// Prints one FAIL line per differing query and
// `difftest: N passed, M failed of K`; the full report goes to
// difftest_report.txt in the working directory.
//
// Environment (see README.md in this folder):
//   STRATA_BINARY=/path/to/strata      the candidate (default: the build's strata)
//   DIFFTEST_CANDIDATE_ARGS="--flag ..." extra flags for the candidate
//   DIFFTEST_QUERY='rate(x[5m])'       run one query, print both raw answers
//   DIFFTEST_FILTER=substring          run only the corpus queries containing it
//   DIFFTEST_VERBOSE=1                 print every difference, not just the first
//   DIFFTEST_CANDIDATE=prometheus      self-check: Prometheus against Prometheus
//   DIFFTEST_JOBS=3                    concurrent queries
//   DIFFTEST_REPORT=path               where the full report goes
//   DIFFTEST_KEEP_TMP=1                keep data directories and server logs
#include <gtest/gtest.h>

#include "tests/integration/difftest/runner.h"

namespace strata::difftest {
namespace {

TEST(DiffTest, StrataAnswersLikePrometheus242) {
  const Settings settings = settings_from_env();
  const RunSummary sum = run_difftest(settings);
  ASSERT_TRUE(sum.setup_ok) << sum.setup_error;
  EXPECT_GT(sum.passed + sum.failed, 0) << "no queries ran";
  EXPECT_EQ(sum.failed, 0) << sum.failed << " of " << sum.passed + sum.failed
                           << " queries answer differently; see the FAIL lines above and " << settings.report_path;
}

// Generated queries (tests/promql/fuzz) over the fuzz dataset: a fixed-seed
// batch; DIFFTEST_SEED / DIFFTEST_COUNT / DIFFTEST_DURATION run campaigns
// (tools/promql_difftest_campaign.py).
TEST(DiffTest, GeneratedQueriesAnswerLikePrometheus242) {
  Settings settings = settings_from_env();
  settings.generated = true;
  if (settings.report_path == "difftest_report.txt") settings.report_path = "difftest_generated_report.txt";
  const RunSummary sum = run_difftest(settings);
  ASSERT_TRUE(sum.setup_ok) << sum.setup_error;
  const int compared = sum.passed + sum.failed;
  // Not vacuous: most queries are compared, and many answers carry data.
  EXPECT_GE(compared * 10, int(settings.gen_count) * 9) << "too many queries skipped";
  EXPECT_GE(sum.ref_with_data * 100, compared * 30)
      << "only " << sum.ref_with_data << " of " << compared << " evaluations returned data";
  EXPECT_LE(sum.ref_refused * 100, compared * 25) << "the generator produces too many invalid queries";
  EXPECT_EQ(sum.failed, 0) << sum.failed << " of " << compared << " generated queries answer differently (seed "
                           << settings.gen_seed << "); see the FAIL lines above and " << settings.report_path;
}

}  // namespace
}  // namespace strata::difftest
