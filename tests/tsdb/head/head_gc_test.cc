// Head truncation (head_gc.cc): after a truncation the head's min time is
// its oldest remaining sample, not the truncation point, so that the next
// block cut starts where data is; a stop request abandons the checkpoint.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "base/metrics.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

using testing::TempDir;

constexpr int64_t kHour = 3600 * 1000;

void append(Head& h, const Labels& l, int64_t t, double v) {
  auto app = h.appender();
  ASSERT_TRUE(app->append(0, l, t, v).ok());
  ASSERT_TRUE(app->commit().ok());
}

TEST(HeadGcTest, MinTimeJumpsToOldestRemainingSample) {
  metrics::Registry reg;
  Head h(HeadOptions{}, &reg);
  append(h, testing::series_labels(1), -5, 1);
  append(h, testing::series_labels(2), 500 * kHour + 7, 2);
  append(h, testing::series_labels(3), 900 * kHour, 3);
  ASSERT_TRUE(h.truncate(0).ok());
  EXPECT_EQ(h.stats().min_time_ms, 500 * kHour + 7);
  EXPECT_EQ(h.min_valid_time_ms(), 0);  // appends between stay possible
  EXPECT_EQ(h.stats().num_series, 2u);
  ASSERT_TRUE(h.truncate(500 * kHour + 8).ok());
  EXPECT_EQ(h.stats().min_time_ms, 900 * kHour);
  // A later append older than the oldest sample lowers it again.
  append(h, testing::series_labels(4), 600 * kHour, 4);
  EXPECT_EQ(h.stats().min_time_ms, 600 * kHour);
}

TEST(HeadGcTest, EmptyHeadKeepsTruncationPoint) {
  metrics::Registry reg;
  Head h(HeadOptions{}, &reg);
  append(h, testing::series_labels(1), 10, 1);
  ASSERT_TRUE(h.truncate(2 * kHour).ok());
  EXPECT_EQ(h.stats().num_series, 0u);
  EXPECT_EQ(h.stats().min_time_ms, 2 * kHour);
}

TEST(HeadGcTest, OutOfOrderChunksCountForMinTime) {
  metrics::Registry reg;
  HeadOptions o;
  o.ooo_window_ms = 1000 * kHour;
  Head h(o, &reg);
  Labels l = testing::series_labels(1);
  append(h, l, 10 * kHour, 1);
  append(h, l, 5 * kHour, 2);  // out of order, kept in the OOO buffer
  append(h, testing::series_labels(2), 1, 3);
  ASSERT_TRUE(h.truncate(2).ok());
  EXPECT_EQ(h.stats().min_time_ms, 5 * kHour);
}

TEST(HeadGcTest, StopRequestAbandonsCheckpoint) {
  TempDir dir;
  metrics::Registry reg;
  auto h = testing::open_head(testing::head_options(dir.path()), &reg);
  ASSERT_NE(h, nullptr);
  for (int i = 0; i < 10; ++i) append(*h, testing::series_labels(i), i * kHour, i);
  std::atomic<bool> stop{true};
  absl::Status s = h->truncate(5 * kHour, &stop);
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  // At most an unfinished checkpoint.N.tmp, which the next one removes.
  for (const auto& e : std::filesystem::directory_iterator(dir.wal())) {
    std::string n = e.path().filename().string();
    if (n.rfind("checkpoint.", 0) == 0) {
      EXPECT_EQ(n.substr(n.size() - 4), ".tmp") << n;
    }
  }
  EXPECT_EQ(reg.counter("strata_tsdb_wal_truncations_failed_total", "").value(), 0);
  // The next truncation checkpoints normally, and a restart holds exactly
  // the samples from 5 h on.
  ASSERT_TRUE(h->truncate(5 * kHour).ok());
  ASSERT_TRUE(h->close().ok());
  h.reset();
  metrics::Registry reg2;
  auto o = testing::head_options(dir.path());
  o.min_valid_time_ms = 5 * kHour;
  auto h2 = testing::open_head(o, &reg2);
  ASSERT_NE(h2, nullptr);
  EXPECT_EQ(testing::dump(*h2, "m").size(), 5u);
}

}  // namespace
}  // namespace strata::tsdb
