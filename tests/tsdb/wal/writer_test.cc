#include "tsdb/wal/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/testutil/fault_fs.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/wal/reader.h"

namespace strata::tsdb {
namespace {

using testing::TempDir;
using testutil::FaultInjectionFileSystem;

WalBatch batch_of(const std::string& payload) {
  WalBatch b;
  b.add(WalRecordType::kMetadata, payload);
  return b;
}

// Payloads of every intact record in dir, in order.
std::vector<std::string> read_back(FileSystem* fs, const std::string& dir,
                                   std::optional<WalDamage>* damage = nullptr) {
  auto r = WalReader::open(fs, dir);
  EXPECT_TRUE(r.ok());
  std::vector<std::string> out;
  WalFrame f;
  while ((*r)->next(&f)) out.emplace_back(f.payload);
  EXPECT_TRUE((*r)->status().ok());
  if (damage) *damage = (*r)->damage();
  return out;
}

TEST(WalWriterTest, StartsANewSegmentOnOpenAndWhenFull) {
  TempDir d;
  metrics::Registry reg;
  WalOptions o;
  o.segment_bytes = 100;
  o.sync = WalSyncPolicy::kNever;
  {
    auto w = WalWriter::open(posix_file_system(), d.path(), o, &reg);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->write(batch_of(std::string(30, 'a' + i))).ok());
    // 39-byte records, two per 100-byte segment.
    EXPECT_EQ((*w)->current_segment(), 4u);
    EXPECT_EQ((*w)->size_bytes(), 390u);
  }
  auto segs = list_wal_segments(posix_file_system(), d.path());
  EXPECT_EQ(segs->size(), 5u);
  metrics::Registry reg2;
  auto w = WalWriter::open(posix_file_system(), d.path(), o, &reg2);
  EXPECT_EQ((*w)->current_segment(), 5u) << "never appends to an old, maybe damaged, segment";
  auto got = read_back(posix_file_system(), d.path());
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[9], std::string(30, 'j'));
}

TEST(WalWriterTest, SyncPolicies) {
  for (WalSyncPolicy p : {WalSyncPolicy::kAlways, WalSyncPolicy::kNever}) {
    TempDir d;
    FaultInjectionFileSystem fs;
    metrics::Registry reg;
    WalOptions o;
    o.sync = p;
    auto w = WalWriter::open(&fs, d.path(), o, &reg);
    ASSERT_TRUE(w.ok());
    uint64_t before = fs.syncs();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*w)->write(batch_of("x")).ok());
    if (p == WalSyncPolicy::kAlways) {
      EXPECT_EQ(fs.syncs() - before, 5u);
      // Power loss right now loses nothing.
      ASSERT_TRUE(fs.drop_unsynced_data().ok());
      EXPECT_EQ(read_back(&fs, d.path()).size(), 5u);
    } else {
      EXPECT_EQ(fs.syncs(), before);
      ASSERT_TRUE(fs.drop_unsynced_data().ok());
      EXPECT_EQ(read_back(&fs, d.path()).size(), 0u);
    }
  }
}

TEST(WalWriterTest, IntervalPolicySyncsInTheBackground) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.sync_interval_ms = 10;
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  ASSERT_TRUE((*w)->write(batch_of("x")).ok());
  uint64_t before = fs.syncs();
  for (int i = 0; i < 500 && fs.syncs() == before; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GT(fs.syncs(), before);
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  EXPECT_EQ(read_back(&fs, d.path()).size(), 1u);
}

TEST(WalWriterTest, ConcurrentWritersAreGroupedAndNothingIsLost) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kAlways;
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        ASSERT_TRUE((*w)->write(batch_of(std::to_string(t) + ":" + std::to_string(i))).ok());
    });
  }
  for (auto& t : ts) t.join();
  auto got = read_back(&fs, d.path());
  ASSERT_EQ(got.size(), size_t(kThreads * kPerThread));
  // Each writer's records are in its own order.
  std::vector<int> next(kThreads, 0);
  for (const std::string& s : got) {
    int t = std::stoi(s.substr(0, s.find(':')));
    EXPECT_EQ(std::stoi(s.substr(s.find(':') + 1)), next[t]++);
  }
  EXPECT_LE(fs.syncs(), uint64_t(kThreads * kPerThread) + 2);
}

TEST(WalWriterTest, FailedWriteLeavesAWellFormedLog) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kNever;
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  ASSERT_TRUE((*w)->write(batch_of("first")).ok());
  fs.tear_next_write(7);
  EXPECT_FALSE((*w)->write(batch_of("torn")).ok());
  fs.set_fail_writes(true);
  EXPECT_FALSE((*w)->write(batch_of("failed")).ok());
  fs.set_fail_writes(false);
  ASSERT_TRUE((*w)->write(batch_of("second")).ok());
  std::optional<WalDamage> damage;
  auto got = read_back(&fs, d.path(), &damage);
  EXPECT_FALSE(damage.has_value()) << damage->reason;
  EXPECT_EQ(got, (std::vector<std::string>{"first", "second"}));
}

// kAlways: the batch whose fsync failed is refused (kUnavailable) and never
// reappears; the writer does not sync that segment again but cuts it back
// and goes on in a fresh one once syncs work, so a power loss keeps every
// acknowledged record and nothing torn.
TEST(WalWriterTest, FailedFsyncUnderAlwaysRefusesTheBatchAndMovesOn) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kAlways;
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  ASSERT_TRUE((*w)->write(batch_of("a")).ok());
  uint32_t seg = (*w)->current_segment();
  fs.set_fail_syncs(true);
  absl::Status s = (*w)->write(batch_of("b"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(std::string(s.message()), ::testing::StartsWith("storage unavailable: I/O error"));
  EXPECT_FALSE((*w)->writable());
  // Still failing: every write is refused, the recovery retried.
  EXPECT_EQ((*w)->write(batch_of("c")).code(), absl::StatusCode::kUnavailable);
  fs.set_fail_syncs(false);
  ASSERT_TRUE((*w)->write(batch_of("d")).ok());
  EXPECT_TRUE((*w)->writable());
  EXPECT_EQ((*w)->current_segment(), seg + 1);
  std::string m;
  reg.write_text(&m);
  EXPECT_THAT(m, ::testing::HasSubstr("strata_tsdb_wal_recoveries_total 1"));
  EXPECT_THAT(m, ::testing::HasSubstr("strata_tsdb_storage_writable 1"));
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  std::optional<WalDamage> damage;
  EXPECT_EQ(read_back(&fs, d.path(), &damage), (std::vector<std::string>{"a", "d"}));
  EXPECT_FALSE(damage.has_value()) << damage->reason;
}

// kInterval: batches acknowledged before a failed fsync are kept in memory
// and rewritten into a fresh segment, because the failed segment's unsynced
// bytes may never reach the disk even if a later fsync "succeeds" (the
// fault file system zeroes them at the power loss). Retrying the fsync on
// the same file would lose "a" and "b" here.
TEST(WalWriterTest, FailedFsyncUnderIntervalRewritesAcknowledgedBatches) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.sync_interval_ms = 3600 * 1000;  // the test syncs
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  ASSERT_TRUE((*w)->write(batch_of("0")).ok());
  ASSERT_TRUE((*w)->sync().ok());
  ASSERT_TRUE((*w)->write(batch_of("a")).ok());
  ASSERT_TRUE((*w)->write(batch_of("b")).ok());
  fs.set_fail_syncs(true);
  EXPECT_EQ((*w)->sync().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE((*w)->writable());
  EXPECT_EQ((*w)->write(batch_of("refused")).code(), absl::StatusCode::kUnavailable);
  fs.set_fail_syncs(false);
  ASSERT_TRUE((*w)->write(batch_of("c")).ok());
  ASSERT_TRUE((*w)->sync().ok());
  // A process crash now: everything acknowledged, once, in order.
  EXPECT_EQ(read_back(&fs, d.path()), (std::vector<std::string>{"0", "a", "b", "c"}));
  // A power loss: the same.
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  std::optional<WalDamage> damage;
  EXPECT_EQ(read_back(&fs, d.path(), &damage), (std::vector<std::string>{"0", "a", "b", "c"}));
  EXPECT_FALSE(damage.has_value()) << damage->reason;
}

// Closing while the recovery cannot run reports it; the records written
// through the OS still survive a process crash.
TEST(WalWriterTest, CloseAfterFailedFsyncRetriesTheRecovery) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kNever;
  auto w = WalWriter::open(&fs, d.path(), o, &reg);
  ASSERT_TRUE((*w)->write(batch_of("a")).ok());
  fs.set_fail_syncs(true);
  EXPECT_FALSE((*w)->sync().ok());
  fs.set_fail_syncs(false);
  ASSERT_TRUE((*w)->close().ok());
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  EXPECT_EQ(read_back(&fs, d.path()), (std::vector<std::string>{"a"}));
}

TEST(WalReaderTest, StopsAtDamageAndRepairCutsThere) {
  TempDir d;
  metrics::Registry reg;
  WalOptions o;
  o.segment_bytes = 60;
  o.sync = WalSyncPolicy::kNever;
  {
    auto w = WalWriter::open(posix_file_system(), d.path(), o, &reg);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE((*w)->write(batch_of(std::string(20, 'a' + i))).ok());
  }
  // Two 29-byte records per segment: 00000000..00000002.
  ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(d.path() + "/00000001", 40).ok());
  std::optional<WalDamage> damage;
  auto got = read_back(posix_file_system(), d.path(), &damage);
  EXPECT_EQ(got.size(), 3u);
  ASSERT_TRUE(damage.has_value());
  EXPECT_EQ(damage->segment, 1u);
  EXPECT_EQ(damage->offset, 29u);
  EXPECT_EQ(damage->reason, "checksum mismatch");
  ASSERT_TRUE(repair_wal(posix_file_system(), *damage).ok());
  EXPECT_EQ(*posix_file_system()->file_size(d.path() + "/00000001"), 29u);
  EXPECT_FALSE(posix_file_system()->exists(d.path() + "/00000002"));
  EXPECT_EQ(read_back(posix_file_system(), d.path(), &damage).size(), 3u);
  EXPECT_FALSE(damage.has_value());
}

}  // namespace
}  // namespace strata::tsdb
