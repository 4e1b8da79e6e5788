// tsdb::DB maintenance against samples with wild timestamps (issue 8): one
// sample in 1970 or decades ahead must cost a handful of block cuts and WAL
// checkpoints, not one per empty 2 h range; and close() must stop a round
// of maintenance at its next step.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/clock.h"
#include "base/metrics.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/db.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

using testing::TempDir;

constexpr int64_t kHour = 3600 * 1000;

struct DirCounts {
  int blocks = 0;       // block directories (ULIDs) in the data dir
  int checkpoints = 0;  // wal/checkpoint.N
  int segments = 0;     // wal/0000000N
};

DirCounts count_dirs(const std::string& dir) {
  DirCounts c;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() == 26 && e.is_directory()) ++c.blocks;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir + "/wal")) {
    std::string n = e.path().filename().string();
    if (n.rfind("checkpoint.", 0) == 0) {
      ++c.checkpoints;
    } else {
      ++c.segments;
    }
  }
  return c;
}

class DBBoundsTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> open(int64_t future_window_ms = 0) {
    DBOptions o;
    o.dir = dir_.path();
    o.wal_sync = "never";
    o.maintenance_interval_ms = 0;  // the test calls maintain()
    o.too_far_in_future_window_ms = future_window_ms;
    auto db = DB::open(o, &reg_);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static void append(DB& db, const std::string& name, int64_t t, double v) {
    auto app = db.appender();
    auto r = app->append(0, Labels::from_strings({"__name__", name}), t, v);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(app->commit().ok());
  }
  double truncations() {
    return reg_.counter("strata_tsdb_wal_truncations_total", "").value();
  }
  static size_t count(DB& db, const std::string& name) {
    auto q = db.querier(INT64_MIN / 2, INT64_MAX / 2);
    EXPECT_TRUE(q.ok());
    auto res = read_all(*(*q)->select({}, {testing::eq("__name__", name)}));
    EXPECT_TRUE(res.ok());
    size_t n = 0;
    for (const Series& s : *res) {
      auto it = s.iterator();
      while (it.next()) ++n;
    }
    return n;
  }

  TempDir dir_;
  metrics::Registry reg_;
};

TEST_F(DBBoundsTest, SampleBeforeEpochCostsOneCut) {
  auto db = open();
  const int64_t now = now_ms();
  append(*db, "now", now, 1);
  append(*db, "early", -5, 2);
  ASSERT_TRUE(db->maintain().ok());
  // The 1970 range becomes a block; the head then starts at "now" and spans
  // less than 1.5 block ranges: nothing more to cut.
  DirCounts c = count_dirs(dir_.path());
  EXPECT_LE(c.blocks, 1);
  EXPECT_LE(c.checkpoints, 1);
  EXPECT_LE(c.segments, 3);
  EXPECT_LE(truncations(), 1);
  EXPECT_EQ(db->head_stats().min_time_ms, now);
  EXPECT_EQ(count(*db, "now"), 1u);
  // A second round finds nothing to do.
  ASSERT_TRUE(db->maintain().ok());
  EXPECT_LE(truncations(), 1);
  EXPECT_EQ(count(*db, "now"), 1u);
}

TEST_F(DBBoundsTest, SampleDecadesAheadCostsOneCutWithoutWindow) {
  auto db = open(/*future_window_ms=*/0);
  const int64_t now = now_ms();
  const int64_t far = now + int64_t(1'000'000'000'000);  // 31 years ahead
  append(*db, "now", now, 1);
  append(*db, "far", far, 2);
  ASSERT_TRUE(db->maintain().ok());
  DirCounts c = count_dirs(dir_.path());
  EXPECT_LE(c.blocks, 1);
  EXPECT_LE(c.checkpoints, 1);
  EXPECT_LE(truncations(), 1);
  EXPECT_EQ(db->head_stats().min_time_ms, far);
  EXPECT_EQ(count(*db, "now"), 1u);  // in the block
  EXPECT_EQ(count(*db, "far"), 1u);  // in the head
}

TEST_F(DBBoundsTest, CutsOnlyRangesThatHoldData) {
  auto db = open();
  // Three samples 10 days apart: two cuts (the newest stays in the head),
  // not 240 range-by-range truncations.
  const int64_t t0 = 1000 * kHour;
  for (int i = 0; i < 3; ++i) append(*db, "sparse", t0 + i * 240 * kHour, i);
  ASSERT_TRUE(db->maintain().ok());
  EXPECT_EQ(truncations(), 2);
  EXPECT_EQ(count_dirs(dir_.path()).blocks, 2);
  EXPECT_EQ(count(*db, "sparse"), 3u);
}

TEST_F(DBBoundsTest, TooFarInFutureIsRejectedPerSample) {
  auto db = open(/*future_window_ms=*/10 * 60 * 1000);
  const int64_t now = now_ms();
  auto app = db->appender();
  Labels l = Labels::from_strings({"__name__", "m"});
  ASSERT_TRUE(app->append(0, l, now, 1).ok());
  ASSERT_TRUE(app->append(0, l, now + 5 * 60 * 1000, 2).ok());  // inside the window
  auto r = app->append(0, l, now + int64_t(1'000'000'000'000), 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(append_error_kind(r.status()), AppendErrorKind::kTooFarInFuture);
  EXPECT_EQ(r.status().message(), kErrTooFarInFuture);
  // The transaction stays usable.
  ASSERT_TRUE(app->append(0, l, now + 6 * 60 * 1000, 4).ok());
  ASSERT_TRUE(app->commit().ok());
  EXPECT_EQ(count(*db, "m"), 3u);
  EXPECT_EQ(reg_.counter_family("strata_tsdb_head_samples_rejected_total", "", {"reason"})
                .with({"too_far_in_future"})
                .value(),
            1);
}

TEST_F(DBBoundsTest, MaintainAfterCloseReturnsCancelledWithoutWork) {
  auto db = open();
  for (int i = 0; i < 10; ++i) append(*db, "m", i * 2 * kHour, i);
  ASSERT_TRUE(db->close().ok());
  absl::Status s = db->maintain();
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  EXPECT_EQ(count_dirs(dir_.path()).blocks, 0);
  EXPECT_EQ(truncations(), 0);
}

TEST_F(DBBoundsTest, BackgroundMaintenanceStopsOnClose) {
  DBOptions o;
  o.dir = dir_.path();
  o.wal_sync = "never";
  o.maintenance_interval_ms = 1;
  {
    auto db = DB::open(o, &reg_);
    ASSERT_TRUE(db.ok()) << db.status();
    for (int i = 0; i < 50; ++i) append(**db, "m", i * 2 * kHour, i);
    // Returns whether or not a round was running; the join must not hang.
    ASSERT_TRUE((*db)->close().ok());
  }
  // Whatever was cut is consistent: reopening serves every sample once.
  auto db = open();
  EXPECT_EQ(count(*db, "m"), 50u);
}

}  // namespace
}  // namespace strata::tsdb
