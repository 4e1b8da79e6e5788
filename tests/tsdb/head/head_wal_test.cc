// Durability of the head: replay after a clean close, a process crash
// (SIGKILL) and a power loss, damaged WAL files, and truncation with
// checkpoints.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/testutil/fault_fs.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/record.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {
namespace {

using namespace testing;  // NOLINT
using testutil::FaultInjectionFileSystem;

std::string seg(const TempDir& d, uint32_t i) { return d.wal() + "/" + wal_segment_name(i); }

// Offsets at which records start in a segment file.
std::vector<size_t> record_starts(const std::string& bytes) {
  std::vector<size_t> out;
  size_t off = 0;
  while (off + kWalHeaderBytes <= bytes.size()) {
    out.push_back(off);
    uint32_t len;
    std::memcpy(&len, bytes.data() + off + 1, 4);
    off += kWalHeaderBytes + len;
  }
  return out;
}

// Replay brings back every acknowledged series even when a restart lowers
// --storage.tsdb.max-series below what the WAL holds; only new series are
// refused afterwards.
TEST(HeadWalTest, ReplayIgnoresALowerSeriesLimit) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 50, 3, 1000, 1000);
    ASSERT_TRUE(h->close().ok());
  }
  metrics::Registry reg;
  HeadOptions o = head_options(d.path());
  o.max_series = 10;
  auto h = open_head(o, &reg);
  EXPECT_EQ(h->stats().num_series, 50u);
  auto app = h->appender();
  EXPECT_TRUE(app->append(0, series_labels(7), 500000, 1).ok());
  EXPECT_EQ(append_error_kind(app->append(0, series_labels(50), 500000, 1).status()),
            AppendErrorKind::kSeriesLimit);
  ASSERT_TRUE(app->commit().ok());
}

TEST(HeadWalTest, ReplayAfterCleanCloseKeepsEverything) {
  TempDir d;
  std::vector<SeriesRef> refs;
  Dump before;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 50, 300, 1000, 1000);  // 3 chunks per series
    auto app = h->appender();
    for (int i = 0; i < 50; ++i) refs.push_back(*app->append(0, series_labels(i), 400000, 1));
    app->update_metadata("m", {"gauge", "help text", ""});
    ASSERT_TRUE(app->commit().ok());
    before = dump(*h, "m");
    ASSERT_TRUE(h->close().ok());
  }
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  EXPECT_EQ(dump(*h, "m"), before);
  EXPECT_EQ(h->stats().num_series, 50u);
  EXPECT_EQ(h->stats().min_time_ms, 1000);
  EXPECT_EQ(h->stats().max_time_ms, 400000);
  EXPECT_EQ(h->metadata().get("m", 0, 0)[0].second[0].help, "help text");
  // Refs are stable: a cached ref still addresses its series after a restart.
  auto app = h->appender();
  for (int i = 0; i < 50; ++i) {
    auto r = app->append(refs[i], series_labels(i), 500000, 2);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, refs[i]);
  }
  ASSERT_TRUE(app->commit().ok());
  EXPECT_EQ(h->stats().num_series, 50u);
}

// A WAL big enough that replay hands batches to its shard threads (more
// than 8192 samples per shard), with a tombstone and new series logged
// after those threads started: the head comes back as it was. (Smaller
// logs, as in the test above, are applied without the threads.)
TEST(HeadWalTest, ReplayThroughShardThreadsKeepsTheOrderOfRecords) {
  TempDir d;
  Dump before;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 40, 1000, 1000, 1000);  // 20,000 samples per shard
    ASSERT_TRUE(h->delete_series({eq("i", "3")}, 100000, 200000).ok());
    append_rounds(*h, 60, 5, 2000000, 1000);  // 20 new series
    before = dump(*h, "m");
    ASSERT_TRUE(h->close().ok());
  }
  ASSERT_EQ(before.size(), 60u);
  EXPECT_EQ(before[series_labels(3).to_string()].size(), 1000u - 101u + 5u);
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  EXPECT_EQ(dump(*h, "m"), before);
  EXPECT_EQ(h->stats().num_series, 60u);
  EXPECT_EQ(h->stats().min_time_ms, 1000);
  EXPECT_EQ(h->stats().max_time_ms, 2004000);
}

// What SIGKILL leaves: the OS has every byte commit() wrote. The child
// reports each acknowledged commit over a pipe until the parent kills it.
TEST(HeadWalTest, SurvivesSigkillAfterEveryAcknowledgedCommit) {
  TempDir d;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    metrics::Registry reg;
    auto h = Head::open(head_options(d.path()), &reg);
    if (!h.ok()) _exit(2);
    for (int r = 0;; ++r) {
      auto app = (*h)->appender();
      for (int i = 0; i < 20; ++i)
        if (!app->append(0, series_labels(i), 1000 + r * 1000, r).ok()) _exit(3);
      if (!app->commit().ok()) _exit(4);
      if (write(fds[1], &r, sizeof(r)) != sizeof(r)) _exit(5);
    }
  }
  close(fds[1]);
  int acked = -1, r;
  while (acked < 300 && read(fds[0], &r, sizeof(r)) == sizeof(r)) acked = r;
  kill(pid, SIGKILL);
  // Commits acknowledged while we were not reading count too.
  while (read(fds[0], &r, sizeof(r)) == sizeof(r)) acked = r;
  int status;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, "m");
  ASSERT_EQ(got.size(), 20u);
  for (auto& [l, v] : got) {
    // Every acknowledged round, in order; at most one more (written, not yet
    // acknowledged when the signal hit).
    ASSERT_GE(int(v.size()), acked + 1) << l;
    ASSERT_LE(int(v.size()), acked + 2) << l;
    for (size_t k = 0; k < v.size(); ++k) ASSERT_EQ(v[k].first, int64_t(1000 + k * 1000));
  }
}

TEST(HeadWalTest, PowerLossKeepsEveryCommitWithSyncAlways) {
  TempDir d;
  FaultInjectionFileSystem fs;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path(), &fs, WalSyncPolicy::kAlways), &reg);
    append_rounds(*h, 10, 30, 1000, 1000);
    // Power cut: nothing after the last fsync survives; the head is not closed.
    ASSERT_TRUE(fs.drop_unsynced_data().ok());
    metrics::Registry reg2;
    auto h2 = open_head(head_options(d.path(), &fs), &reg2);
    Dump got = dump(*h2, "m");
    ASSERT_EQ(got.size(), 10u);
    for (auto& [l, v] : got) EXPECT_EQ(v.size(), 30u) << l;
  }
}

TEST(HeadWalTest, PowerLossWithSyncNeverStillOpens) {
  TempDir d;
  FaultInjectionFileSystem fs;
  metrics::Registry reg;
  auto h = open_head(head_options(d.path(), &fs, WalSyncPolicy::kNever), &reg);
  append_rounds(*h, 10, 30, 1000, 1000);
  ASSERT_TRUE(fs.drop_unsynced_data().ok());
  metrics::Registry reg2;
  auto h2 = open_head(head_options(d.path(), &fs), &reg2);
  ASSERT_NE(h2, nullptr);
  EXPECT_TRUE(dump(*h2, "m").empty());
}

// A crash in the middle of writing the last record, at every byte.
TEST(HeadWalTest, TornTailAtEveryOffsetKeepsEarlierCommits) {
  TempDir src;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(src.path()), &reg);
    append_rounds(*h, 3, 5, 1000, 1000);
    // The last commit creates a series: its batch is a series and a samples record.
    append_rounds(*h, 1, 1, 9000, 1000, "late");
  }
  std::string bytes = read_all(seg(src, 0));
  auto starts = record_starts(bytes);
  ASSERT_GE(starts.size(), 3u);
  size_t commit_start = starts[starts.size() - 2];  // series record of the last commit
  for (size_t cut = commit_start; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    TempDir d;
    std::filesystem::create_directories(d.wal());
    write_all(seg(d, 0), std::string_view(bytes).substr(0, cut));
    metrics::Registry reg;
    ::testing::internal::CaptureStderr();
    auto h = open_head(head_options(d.path()), &reg);
    std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_NE(h, nullptr);
    Dump got = dump(*h, "m");
    ASSERT_EQ(got.size(), 3u);
    for (auto& [l, v] : got) EXPECT_EQ(v.size(), 5u);
    // The series record may be whole while its samples are not.
    EXPECT_TRUE(dump(*h, "late").empty());
    size_t kept = cut < starts.back() ? commit_start : starts.back();
    EXPECT_EQ(std::filesystem::file_size(seg(d, 0)), kept);
    if (cut != kept) {
      EXPECT_NE(log.find("msg=\"WAL corruption, truncating\""), std::string::npos) << log;
      EXPECT_NE(log.find("segment=00000000"), std::string::npos) << log;
      EXPECT_NE(log.find("offset=" + std::to_string(kept)), std::string::npos) << log;
    }
  }
}

// Flipped bytes and a zeroed page in the middle of a segment cut the log at
// the damaged record; a later segment goes too.
TEST(HeadWalTest, FlippedBytesAndZeroedPageCutTheLogThere) {
  struct Case {
    const char* name;
    std::function<void(const std::string&, size_t)> damage;
  };
  std::vector<Case> cases = {
      {"flipped byte",
       [](const std::string& p, size_t size) {
         ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(p, size / 2, 0x40).ok());
       }},
      {"flipped header length",
       [](const std::string& p, size_t) {
         std::string b = read_all(p);
         size_t mid = record_starts(b)[record_starts(b).size() / 2];
         ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(p, mid + 3, 0x01).ok());
       }},
      {"zeroed page",
       [](const std::string& p, size_t) {
         ASSERT_TRUE(FaultInjectionFileSystem::zero_range(p, 8192, 4096).ok());
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir d;
    {
      metrics::Registry reg;
      HeadOptions o = head_options(d.path());
      o.wal.segment_bytes = 32 << 10;
      auto h = open_head(o, &reg);
      append_rounds(*h, 100, 60, 1000, 1000);  // ~1 KiB per commit, 2 segments
    }
    ASSERT_TRUE(std::filesystem::exists(seg(d, 1)));
    size_t size = std::filesystem::file_size(seg(d, 0));
    c.damage(seg(d, 0), size);
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    ASSERT_NE(h, nullptr);
    Dump got = dump(*h, "m");
    ASSERT_EQ(got.size(), 100u);
    size_t rounds = got.begin()->second.size();
    EXPECT_GT(rounds, 2u);
    EXPECT_LT(rounds, 60u);
    // Everything before the damage, complete and in order.
    for (auto& [l, v] : got) {
      ASSERT_EQ(v.size(), rounds) << l;
      for (size_t r = 0; r < v.size(); ++r) EXPECT_EQ(v[r].first, int64_t(1000 + r * 1000));
    }
    EXPECT_LT(std::filesystem::file_size(seg(d, 0)), size);
    // The old segment 1 was deleted; the writer started a fresh one.
    EXPECT_EQ(std::filesystem::file_size(seg(d, 1)), 0u);
    std::string text;
    reg.write_text(&text);
    EXPECT_NE(text.find("strata_tsdb_wal_corruptions_total 1"), std::string::npos);
    // Appends go on, and a second restart sees a clean log.
    append_rounds(*h, 100, 1, 1000000, 1000);
    ASSERT_TRUE(h->close().ok());
    h.reset();
    metrics::Registry reg2;
    auto h2 = open_head(head_options(d.path()), &reg2);
    Dump again = dump(*h2, "m");
    EXPECT_EQ(again.begin()->second.size(), rounds + 1);
    std::string text2;
    reg2.write_text(&text2);
    EXPECT_NE(text2.find("strata_tsdb_wal_corruptions_total 0"), std::string::npos);
  }
}

// A series record that does not decode to its end is not applied at all,
// not even its entries before the damage: the log is cut before it, so a
// head opened again from the cut log must hold the same series. (Found by
// the wal fuzz target: an entry applied from the malformed record took the
// samples logged for its ref earlier, which the reopened head dropped.)
TEST(HeadWalTest, MalformedSeriesRecordIsNotAppliedInPart) {
  TempDir d;
  std::filesystem::create_directories(d.wal());
  std::string payload, log;
  encode_series_count(1, &payload);
  encode_series_entry(1, series_labels(1), &payload);
  append_wal_record(WalRecordType::kSeries, payload, &log);
  payload.clear();
  const WalSample samples[] = {{1, 1000, 1.0}, {2, 1000, 2.0}};
  encode_samples(samples, &payload);
  append_wal_record(WalRecordType::kSamples, payload, &log);
  payload.clear();
  encode_series_count(2, &payload);
  encode_series_entry(2, series_labels(2), &payload);
  payload += "\x03\x05";  // ref 3 announces five labels and ends
  append_wal_record(WalRecordType::kSeries, payload, &log);
  std::ofstream(seg(d, 0), std::ios::binary) << log;

  for (int open = 0; open < 2; ++open) {
    SCOPED_TRACE(open);
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    ASSERT_NE(h, nullptr);
    Dump got = dump(*h, "m");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got.begin()->first, series_labels(1).to_string());
    std::string text;
    reg.write_text(&text);
    EXPECT_NE(text.find(open == 0 ? "strata_tsdb_wal_corruptions_total 1"
                                  : "strata_tsdb_wal_corruptions_total 0"),
              std::string::npos);
  }
}

TEST(HeadWalTest, TruncateCheckpointsAndReplayStaysBounded) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 20, 100, 0, 60000);  // 0 .. 99 min
    append_rounds(*h, 1, 1, 1000, 1000, "gone");
    auto app = h->appender();
    app->update_metadata("m", {"counter", "kept", ""});
    ASSERT_TRUE(app->commit().ok());
    ASSERT_TRUE(h->truncate(50 * 60000).ok());
    EXPECT_EQ(h->stats().num_series, 20u) << "the series without recent data was removed";
    // Older samples are now out of bounds.
    app = h->appender();
    auto r = app->append(0, series_labels(1), 1000, 1);
    EXPECT_EQ(append_error_kind(r.status()), AppendErrorKind::kOutOfBounds);
    app->rollback();
    append_rounds(*h, 20, 5, 100 * 60000, 60000);
  }
  EXPECT_FALSE(std::filesystem::exists(seg(d, 0)));
  EXPECT_TRUE(std::filesystem::exists(d.wal() + "/" + checkpoint_dir_name(0)));
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, {eq("__name__", "m")}, 50 * 60000, INT64_MAX / 2);
  ASSERT_EQ(got.size(), 20u);
  for (auto& [l, v] : got) {
    EXPECT_EQ(v.front().first, 50 * 60000) << l;
    EXPECT_EQ(v.back().first, 104 * 60000) << l;
    EXPECT_EQ(v.size(), 55u) << l;
  }
  EXPECT_TRUE(dump(*h, "gone").empty());
  EXPECT_EQ(h->stats().num_series, 20u);
  EXPECT_EQ(h->metadata().get("m", 0, 0)[0].second[0].help, "kept");
  // A second truncation folds the first checkpoint into the next one.
  ASSERT_TRUE(h->truncate(102 * 60000).ok());
  h.reset();
  metrics::Registry reg2;
  auto h2 = open_head(head_options(d.path()), &reg2);
  got = dump(*h2, {eq("__name__", "m")}, 102 * 60000, INT64_MAX / 2);
  ASSERT_EQ(got.size(), 20u);
  for (auto& [l, v] : got) EXPECT_EQ(v.size(), 3u) << l;
}

TEST(HeadWalTest, CrashDuringTruncationLeavesAReplayableLog) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 5, 10, 0, 1000);
    ASSERT_TRUE(h->truncate(5000).ok());
    append_rounds(*h, 5, 10, 10000, 1000);
  }
  // As if the process died while writing the next checkpoint, and before
  // deleting the segments the previous one covers.
  std::filesystem::create_directories(d.wal() + "/checkpoint.00000009.tmp");
  write_all(d.wal() + "/checkpoint.00000009.tmp/00000000", "garbage");
  write_all(seg(d, 0), "");
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, {eq("__name__", "m")}, 5000, INT64_MAX / 2);
  ASSERT_EQ(got.size(), 5u);
  for (auto& [l, v] : got) EXPECT_EQ(v.size(), 15u) << l;
  EXPECT_FALSE(std::filesystem::exists(d.wal() + "/checkpoint.00000009.tmp"));
  EXPECT_FALSE(std::filesystem::exists(seg(d, 0)));
}

TEST(HeadWalTest, DamagedCheckpointKeepsItsPrefixAndTheSegments) {
  TempDir d;
  {
    metrics::Registry reg;
    HeadOptions o = head_options(d.path());
    auto h = open_head(o, &reg);
    append_rounds(*h, 200, 20, 0, 1000);
    ASSERT_TRUE(h->truncate(0).ok());
    append_rounds(*h, 200, 5, 20000, 1000);
  }
  std::string cp = d.wal() + "/" + checkpoint_dir_name(0) + "/00000000";
  size_t size = std::filesystem::file_size(cp);
  ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(cp, size - 100).ok());
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  ASSERT_NE(h, nullptr);
  // The newer segments replay in full for the series the checkpoint named.
  Dump got = dump(*h, {eq("__name__", "m")}, 20000, INT64_MAX / 2);
  EXPECT_EQ(got.size(), 200u);
  for (auto& [l, v] : got) EXPECT_EQ(v.size(), 5u) << l;
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_tsdb_wal_corruptions_total 1"), std::string::npos);
}

TEST(HeadWalTest, ConcurrentAppendersAllSurviveRestart) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&h, t] {
        for (int r = 0; r < 100; ++r) {
          auto app = h->appender();
          for (int i = 0; i < 25; ++i)
            ASSERT_TRUE(app->append(0, series_labels(t * 25 + i), 1000 + r, r).ok());
          ASSERT_TRUE(app->commit().ok());
        }
      });
    }
    for (auto& t : ts) t.join();
  }
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, "m");
  ASSERT_EQ(got.size(), 100u);
  for (auto& [l, v] : got) EXPECT_EQ(v.size(), 100u) << l;
}

TEST(HeadWalTest, MetadataIsLoggedOnlyWhenItChanges) {
  TempDir d;
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  for (int i = 0; i < 10; ++i) {
    auto app = h->appender();
    app->update_metadata("m", {"gauge", i < 5 ? "a" : "b", ""});
    ASSERT_TRUE(app->commit().ok());
  }
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_tsdb_wal_records_written_total{type=\"metadata\"} 2"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace strata::tsdb
