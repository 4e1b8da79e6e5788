// The out-of-order window (--storage.tsdb.out-of-order-time-window).
#include <gtest/gtest.h>

#include "tests/tsdb/head/head_test_util.h"

namespace strata::tsdb {
namespace {

using namespace testing;  // NOLINT

absl::Status append_one(Head& h, const Labels& l, int64_t t, double v) {
  auto app = h.appender();
  auto r = app->append(0, l, t, v);
  if (!r.ok()) return r.status();
  return app->commit();
}

TEST(HeadOooTest, DefaultRejectsOutOfOrderLikePrometheus) {
  metrics::Registry reg;
  Head h(HeadOptions{}, &reg);
  Labels a = series_labels(1);
  ASSERT_TRUE(append_one(h, a, 10000, 1).ok());
  EXPECT_EQ(std::string(append_one(h, a, 9000, 1).message()), "out of order sample");
  EXPECT_EQ(std::string(append_one(h, a, 10000, 2).message()), "duplicate sample for timestamp");
  EXPECT_TRUE(append_one(h, a, 10000, 1).ok()) << "an identical resend is not an error";
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_tsdb_head_samples_rejected_total{reason=\"out_of_order\"} 1"),
            std::string::npos)
      << text;
}

TEST(HeadOooTest, WindowAcceptsLateSamplesAndRejectsTooOld) {
  metrics::Registry reg;
  HeadOptions o;
  o.ooo_window_ms = 60000;
  Head h(o, &reg);
  Labels a = series_labels(1), b = series_labels(2);
  ASSERT_TRUE(append_one(h, a, 100000, 1).ok());
  ASSERT_TRUE(append_one(h, b, 200000, 1).ok());  // head max time 200 s
  ASSERT_TRUE(append_one(h, a, 150000, 2).ok());  // in order for a
  // The window is relative to the head's max time, not the series'.
  EXPECT_TRUE(append_one(h, a, 140000, 3).ok());
  EXPECT_EQ(std::string(append_one(h, a, 139999, 4).message()), "too old sample");
  EXPECT_EQ(std::string(append_one(h, a, 140000, 9).message()), "duplicate sample for timestamp")
      << "the OOO buffer knows its own samples";
  EXPECT_TRUE(append_one(h, a, 140000, 3).ok()) << "an identical resend is not an error";
  // In-order appends continue after the OOO ones.
  ASSERT_TRUE(append_one(h, a, 160000, 5).ok());
  Dump got = dump(h, {eq("i", "1")});
  std::vector<std::pair<int64_t, uint64_t>> want = {
      {100000, bits(1)}, {140000, bits(3)}, {150000, bits(2)}, {160000, bits(5)}};
  EXPECT_EQ(got.begin()->second, want);
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_tsdb_head_samples_rejected_total{reason=\"too_old\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("strata_tsdb_head_out_of_order_samples_appended_total 1"), std::string::npos);
}

TEST(HeadOooTest, ManyOutOfOrderSamplesMergeAtQueryTimeAndSurviveRestart) {
  TempDir d;
  HeadOptions o = head_options(d.path());
  o.ooo_window_ms = 3600 * 1000;
  std::map<int64_t, double> want;
  {
    metrics::Registry reg;
    auto h = open_head(o, &reg);
    Labels a = series_labels(1);
    // Even timestamps in order, then odd ones backwards: all but the first
    // batch go through the OOO buffer and its flushed chunks.
    for (int64_t t = 0; t <= 2000; t += 2) {
      ASSERT_TRUE(append_one(*h, a, t * 1000, double(t)).ok());
      want[t * 1000] = double(t);
    }
    for (int64_t t = 1999; t > 0; t -= 2) {
      ASSERT_TRUE(append_one(*h, a, t * 1000, double(t)).ok()) << t;
      want[t * 1000] = double(t);
    }
    Dump got = dump(*h, "m");
    ASSERT_EQ(got.begin()->second.size(), want.size());
    // A subrange query sees exactly the subrange.
    Dump part = dump(*h, {eq("__name__", "m")}, 500000, 600000);
    EXPECT_EQ(part.begin()->second.size(), 101u);
  }
  metrics::Registry reg;
  auto h = open_head(o, &reg);
  Dump got = dump(*h, "m");
  ASSERT_EQ(got.size(), 1u);
  auto& v = got.begin()->second;
  ASSERT_EQ(v.size(), want.size());
  size_t i = 0;
  for (auto& [t, val] : want) {
    EXPECT_EQ(v[i].first, t);
    EXPECT_EQ(v[i].second, bits(val));
    ++i;
  }
}

TEST(HeadOooTest, InBatchOrderFollowsTheSameRules) {
  metrics::Registry reg;
  HeadOptions o;
  o.ooo_window_ms = 10000;
  Head h(o, &reg);
  Labels a = series_labels(1);
  auto app = h.appender();
  ASSERT_TRUE(app->append(0, a, 50000, 1).ok());
  ASSERT_TRUE(app->append(0, a, 45000, 2).ok());
  EXPECT_EQ(append_error_kind(app->append(0, a, 39000, 3).status()), AppendErrorKind::kTooOld);
  ASSERT_TRUE(app->commit().ok());
  Dump got = dump(h, "m");
  EXPECT_EQ(got.begin()->second.size(), 2u);
}

TEST(HeadOooTest, TruncationDropsOldOutOfOrderChunks) {
  metrics::Registry reg;
  HeadOptions o;
  o.ooo_window_ms = 3600 * 1000;
  Head h(o, &reg);
  Labels a = series_labels(1);
  ASSERT_TRUE(append_one(h, a, 3000000, 1).ok());
  for (int t = 1; t < 100; ++t) ASSERT_TRUE(append_one(h, a, t * 1000, t).ok());
  ASSERT_TRUE(h.truncate(50000).ok());
  Dump got = dump(h, "m");
  ASSERT_EQ(got.size(), 1u);
  for (auto& [t, b] : got.begin()->second) EXPECT_GE(t, 30000) << "whole chunks before mint go";
  EXPECT_EQ(got.begin()->second.back().first, 3000000);
}

}  // namespace
}  // namespace strata::tsdb
