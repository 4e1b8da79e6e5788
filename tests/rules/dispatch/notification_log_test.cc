// The notification log: what survives a reopen, a power loss right after a
// record (fsync'd file and directory), a torn write of the next record (the
// previous log stays), expiry, and generated sequences of records.
#include "rules/dispatch/notification_log.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/testutil/fault_fs.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::dispatch {
namespace {

TEST(NotificationLogTest, SurvivesReopenAndPowerLoss) {
  testutil::TempDir dir("nflog-");
  testutil::FaultInjectionFileSystem fs;
  {
    auto log = NotificationLog::open(&fs, dir.path() + "/d");
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE((*log)->record("g1|r|webhook/0", {3, 1}, {2}, 1000).ok());
  }
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  auto log = NotificationLog::open(&fs, dir.path() + "/d");
  ASSERT_TRUE(log.ok()) << log.status();
  const LogEntry* e = (*log)->find("g1|r|webhook/0");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->firing, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(e->resolved, (std::vector<uint64_t>{2}));
  EXPECT_EQ(e->at_ms, 1000);
  EXPECT_EQ((*log)->find("other"), nullptr);
}

TEST(NotificationLogTest, TornWriteKeepsThePreviousLog) {
  testutil::TempDir dir("nflog-");
  testutil::FaultInjectionFileSystem fs;
  auto log = NotificationLog::open(&fs, dir.path());
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->record("a", {1}, {}, 1000).ok());
  fs.tear_next_write(10);
  EXPECT_FALSE((*log)->record("a", {1, 2}, {}, 2000).ok());
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  auto reopened = NotificationLog::open(&fs, dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  const LogEntry* e = (*reopened)->find("a");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->firing, std::vector<uint64_t>{1});
}

TEST(NotificationLogTest, EntriesExpire) {
  testutil::TempDir dir("nflog-");
  auto log = NotificationLog::open(posix_file_system(), dir.path(), /*retention_ms=*/100);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->record("a", {1}, {}, 1000).ok());
  ASSERT_TRUE((*log)->record("b", {1}, {}, 1050).ok());
  ASSERT_TRUE((*log)->gc(1100).ok());
  EXPECT_EQ((*log)->find("a"), nullptr);
  EXPECT_NE((*log)->find("b"), nullptr);
  auto reopened = NotificationLog::open(posix_file_system(), dir.path(), 100);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->size(), 1u);
}

TEST(NotificationLogTest, GeneratedRecordsRoundTrip) {
  testutil::TempDir dir("nflog-");
  std::mt19937_64 rng(3);
  std::map<std::string, LogEntry> want;
  auto log = NotificationLog::open(posix_file_system(), dir.path());
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 200; ++i) {
    std::string key = "{}/{a=\"" + std::to_string(rng() % 20) + "\"}:{x=\"\\\"y\"}|r|slack/0";
    std::vector<uint64_t> f, r;
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) f.push_back(rng());
    for (int k = static_cast<int>(rng() % 3); k > 0; --k) r.push_back(rng());
    int64_t t = 1'000'000 + i;
    ASSERT_TRUE((*log)->record(key, f, r, t).ok());
    std::sort(f.begin(), f.end());
    std::sort(r.begin(), r.end());
    want[key] = LogEntry{f, r, t, 0};
  }
  auto reopened = NotificationLog::open(posix_file_system(), dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->size(), want.size());
  for (const auto& [key, e] : want) {
    SCOPED_TRACE(key);
    const LogEntry* got = (*reopened)->find(key);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->firing, e.firing);
    EXPECT_EQ(got->resolved, e.resolved);
    EXPECT_EQ(got->at_ms, e.at_ms);
  }
}

}  // namespace
}  // namespace strata::rules::dispatch
