// tsdb::DB over a FaultInjectionFileSystem, in process: what survives a power
// loss, and a failing disk during maintenance, at the level of the whole
// database (head, WAL, blocks and their interplay).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/metrics.h"
#include "tests/testutil/fault_fs.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/db.h"

namespace strata::tsdb {
namespace {

using testing::TempDir;
using testutil::FaultInjectionFileSystem;

constexpr int64_t kHour = 3600 * 1000;

class DBFaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> open(const std::string& wal_sync) {
    DBOptions o;
    o.dir = dir_.path();
    o.wal_sync = wal_sync;
    o.maintenance_interval_ms = 0;  // the test calls maintain()
    auto db = DB::open(o, &reg_, &fs_);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }
  // One sample of series "m" every minute in [from_ms, to_ms).
  static void fill(DB& db, int64_t from_ms, int64_t to_ms) {
    Labels l = Labels::from_strings({"__name__", "m", "job", "a"});
    for (int64_t t = from_ms; t < to_ms; t += 60000) {
      auto app = db.appender();
      ASSERT_TRUE(app->append(0, l, t, double(t)).ok());
      ASSERT_TRUE(app->commit().ok());
    }
  }
  // The power goes while `db` runs: only what was fsynced is left, and the
  // dying process writes nothing more. Then the machine restarts.
  void power_loss(std::unique_ptr<DB>& db) {
    ASSERT_TRUE(fs_.drop_unsynced_data().ok());
    fs_.set_fail_writes(true);
    fs_.set_fail_syncs(true);
    db.reset();
    fs_.set_fail_writes(false);
    fs_.set_fail_syncs(false);
    db = open("always");
  }
  // Samples of "m" that read back with value == timestamp.
  static size_t count(DB& db) {
    auto q = db.querier(INT64_MIN / 2, INT64_MAX / 2);
    EXPECT_TRUE(q.ok());
    auto res = read_all(*(*q)->select({}, {testing::eq("__name__", "m")}));
    EXPECT_TRUE(res.ok()) << res.status();
    size_t n = 0;
    for (const Series& s : *res) {
      auto it = s.iterator();
      while (it.next()) n += it.v() == double(it.t());
      EXPECT_TRUE(it.status().ok());
    }
    return n;
  }

  TempDir dir_;
  metrics::Registry reg_;
  FaultInjectionFileSystem fs_;
};

TEST_F(DBFaultTest, PowerLossKeepsEveryCommitWithSyncAlways) {
  auto db = open("always");
  fill(*db, 0, 100 * 60000);
  power_loss(db);
  ASSERT_TRUE(db);
  EXPECT_EQ(count(*db), 100u);
}

TEST_F(DBFaultTest, FailingDiskDuringMaintenanceLosesNothing) {
  auto db = open("always");
  fill(*db, 0, 5 * kHour);  // more than 1.5 block ranges: a block is due
  // Writing the block fails: maintenance reports it and the head keeps the
  // samples, still readable.
  fs_.set_fail_writes(true);
  EXPECT_FALSE(db->maintain().ok());
  fs_.set_fail_writes(false);
  EXPECT_EQ(db->head_stats().min_time_ms, 0);  // the head was not truncated
  EXPECT_EQ(count(*db), 300u);
  // Once the disk recovers, the next round cuts the block; blocks and head
  // together still hold every sample, also after a power loss and reopen.
  ASSERT_TRUE(db->maintain().ok());
  EXPECT_GE(db->head_stats().min_time_ms, 2 * kHour);  // now in a block
  EXPECT_EQ(count(*db), 300u);
  power_loss(db);
  ASSERT_TRUE(db);
  EXPECT_EQ(count(*db), 300u);
}

// A commit whose WAL fsync fails is refused with kUnavailable and its
// sample never becomes visible; commits after the disk recovers succeed
// without a reopen, and after a power loss every acknowledged sample is
// replayed and nothing torn stops the replay.
TEST_F(DBFaultTest, FailedFsyncIsNotAcknowledgedAndReplayKeepsEveryAcknowledgedSample) {
  auto db = open("always");
  fill(*db, 0, 10 * 60000);
  Labels l = Labels::from_strings({"__name__", "m", "job", "a"});
  fs_.set_fail_syncs(true);
  for (int i = 0; i < 3; ++i) {
    auto app = db->appender();
    ASSERT_TRUE(app->append(0, l, 10 * 60000, -1).ok());  // would spoil the count if replayed
    absl::Status s = app->commit();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  }
  EXPECT_EQ(count(*db), 10u);  // not visible
  fs_.set_fail_syncs(false);
  fill(*db, 10 * 60000, 20 * 60000);  // the same timestamp again, now acknowledged
  EXPECT_EQ(count(*db), 20u);
  power_loss(db);
  ASSERT_TRUE(db);
  EXPECT_EQ(count(*db), 20u);
  std::string m;
  reg_.write_text(&m);
  EXPECT_THAT(m, ::testing::HasSubstr("strata_tsdb_wal_corruptions_total 0"));
}

}  // namespace
}  // namespace strata::tsdb
