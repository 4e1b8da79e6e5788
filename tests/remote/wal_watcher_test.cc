// WalWatcher over a WAL written by the real WalWriter: it follows a live
// WAL across segment rolls, resumes at a saved position knowing the series
// of earlier segments, starts at the end when asked, survives segments that
// truncation deleted (series from the checkpoint), and waits for a record
// that is only partly written.
#include "remote/wal_watcher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/record.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/writer.h"

namespace strata::remote {
namespace {

using tsdb::WalBatch;
using tsdb::WalRecordType;
using tsdb::WalSample;

struct Dir {
  Dir() {
    char t[] = "/tmp/strata-watcher-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~Dir() { std::filesystem::remove_all(path); }
  std::string path;
};

class Collector : public WalConsumer {
 public:
  void series(uint64_t ref, std::span<const tsdb::LabelView> labels, uint32_t segment) override {
    std::lock_guard<std::mutex> l(mu);
    names[ref] = std::string(labels.front().second);
    seen_in[ref] = segment;
  }
  void series_reset(uint32_t segment) override {
    std::lock_guard<std::mutex> l(mu);
    for (auto it = seen_in.begin(); it != seen_in.end();) {
      if (it->second <= segment) {
        names.erase(it->first);
        it = seen_in.erase(it);
      } else {
        ++it;
      }
    }
  }
  bool samples(std::span<const WalSample> s, WalPosition end) override {
    std::lock_guard<std::mutex> l(mu);
    for (const WalSample& x : s) {
      auto n = names.find(x.ref);
      got.push_back((n == names.end() ? std::string("?") : n->second) + "@" + std::to_string(x.t_ms));
    }
    last = end;
    return true;
  }
  void started(WalPosition p) override {
    std::lock_guard<std::mutex> l(mu);
    start = p;
  }
  std::vector<std::string> take(size_t n, std::chrono::seconds limit = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> l(mu);
        if (got.size() >= n) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard<std::mutex> l(mu);
    return got;
  }

  std::mutex mu;
  std::map<uint64_t, std::string> names;
  std::map<uint64_t, uint32_t> seen_in;
  std::vector<std::string> got;
  WalPosition last, start;
};

class WalWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::WalOptions o;
    o.sync = tsdb::WalSyncPolicy::kNever;
    writer_ = std::move(tsdb::WalWriter::open(fs_, dir_.path, o, &reg_).value());
  }
  void series(uint64_t ref, const std::string& name) {
    WalBatch b;
    std::string p;
    tsdb::encode_series_count(1, &p);
    tsdb::encode_series_entry(ref, tsdb::Labels::from_strings({"__name__", name}), &p);
    b.add(WalRecordType::kSeries, p);
    ASSERT_TRUE(writer_->write(b).ok());
  }
  void samples(std::vector<WalSample> s) {
    WalBatch b;
    tsdb::encode_samples(s, b.begin());
    b.end(WalRecordType::kSamples);
    ASSERT_TRUE(writer_->write(b).ok());
  }
  std::unique_ptr<WalWatcher> watch(Collector* c, WalPosition start, bool from_end = false) {
    WalWatcherOptions o;
    o.wal_dir = dir_.path;
    o.start = start;
    o.from_end = from_end;
    o.consumer_name = "test";
    o.poll_interval_ms = 10;
    auto w = std::make_unique<WalWatcher>(o, c, fs_, reg_);
    w->start();
    return w;
  }

  Dir dir_;
  FileSystem* fs_ = posix_file_system();
  metrics::Registry reg_;
  std::unique_ptr<tsdb::WalWriter> writer_;
};

TEST_F(WalWatcherTest, FollowsALiveWalAcrossSegments) {
  series(1, "a");
  samples({{1, 10, 1}});
  Collector c;
  auto w = watch(&c, {0, 0});
  EXPECT_EQ(c.take(1), (std::vector<std::string>{"a@10"}));
  ASSERT_TRUE(writer_->roll().ok());
  series(2, "b");
  samples({{1, 20, 2}, {2, 20, 3}});
  ASSERT_TRUE(writer_->roll().ok());
  samples({{2, 30, 4}});
  EXPECT_EQ(c.take(4), (std::vector<std::string>{"a@10", "a@20", "b@20", "b@30"}));
  w->stop();
  EXPECT_EQ(c.last.segment, 2u);
}

TEST_F(WalWatcherTest, ResumesAtASavedPositionKnowingEarlierSeries) {
  series(1, "a");
  samples({{1, 10, 1}});
  ASSERT_TRUE(writer_->roll().ok());
  samples({{1, 20, 2}});
  WalPosition saved;
  {
    Collector c;
    auto w = watch(&c, {0, 0});
    c.take(2);
    w->stop();
    saved = c.last;
  }
  samples({{1, 30, 3}});
  Collector c;
  auto w = watch(&c, saved);
  EXPECT_EQ(c.take(1), (std::vector<std::string>{"a@30"}));
  EXPECT_EQ(c.start, saved);
}

TEST_F(WalWatcherTest, FromTheEndSendsOnlyWhatIsWrittenAfterwards) {
  series(1, "a");
  samples({{1, 10, 1}, {1, 11, 1}});
  Collector c;
  auto w = watch(&c, {0, 0}, /*from_end=*/true);
  samples({{1, 12, 1}});
  EXPECT_EQ(c.take(1), (std::vector<std::string>{"a@12"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(c.take(1).size(), 1u);
}

TEST_F(WalWatcherTest, SegmentsDeletedByTruncationAreSkippedWithTheirSeriesFromTheCheckpoint) {
  series(1, "live");
  series(2, "dead");
  samples({{1, 10, 1}, {2, 10, 2}});
  auto last = writer_->roll();
  ASSERT_TRUE(last.ok());
  samples({{1, 20, 3}});
  tsdb::CheckpointOptions co;
  co.keep_series = [](uint64_t ref) { return ref == 1; };
  co.mint_ms = 15;
  ASSERT_TRUE(tsdb::write_checkpoint(fs_, dir_.path, *last, co).ok());
  ASSERT_FALSE(fs_->exists(dir_.path + "/00000000"));
  Collector c;
  auto w = watch(&c, {0, 0});
  EXPECT_EQ(c.take(1), (std::vector<std::string>{"live@20"}));
  w->stop();
  EXPECT_EQ(c.names.count(2), 0u);
  EXPECT_EQ(reg_.counter_family("strata_remote_wal_segments_skipped_total", "", {"consumer"})
                .with({"test"})
                .value(),
            1);
}

TEST_F(WalWatcherTest, WaitsForARecordThatIsOnlyPartlyWritten) {
  series(1, "a");
  Collector c;
  auto w = watch(&c, {0, 0});
  std::string p;
  std::vector<WalSample> s = {{1, 10, 1}};
  tsdb::encode_samples(s, &p);
  std::string rec;
  tsdb::append_wal_record(WalRecordType::kSamples, p, &rec);
  auto segs = tsdb::list_wal_segments(fs_, dir_.path);
  std::string path = dir_.path + "/" + tsdb::wal_segment_name(segs->back());
  {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f.write(rec.data(), 5);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(c.take(1, std::chrono::seconds(0)).empty());
  {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f.write(rec.data() + 5, std::streamsize(rec.size() - 5));
  }
  EXPECT_EQ(c.take(1), (std::vector<std::string>{"a@10"}));
}

}  // namespace
}  // namespace strata::remote
