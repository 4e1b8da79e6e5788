// The head snapshot written on close and loaded on open: it must rebuild
// exactly the head a full WAL replay rebuilds, and any snapshot that cannot
// be trusted must fall back to that replay.
#include <filesystem>
#include <random>
#include <sstream>

#include "tests/testutil/fault_fs.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/head/head_snapshot.h"

namespace strata::tsdb {
namespace {

using testing::Dump;
using testing::TempDir;
using testutil::FaultInjectionFileSystem;
namespace fs = std::filesystem;

Matchers all_series() { return {*Matcher::make(MatchType::kRegexMatch, "__name__", ".+")}; }

HeadOptions snap_options(const std::string& dir, FileSystem* f = nullptr) {
  HeadOptions o = testing::head_options(dir, f);
  o.snapshot_on_shutdown = true;
  o.ooo_window_ms = 3600 * 1000;
  o.chunk_range_ms = 3600 * 1000;
  return o;
}

// What a user can see of a head: every sample, the stats, the metadata.
struct View {
  Dump samples;
  uint64_t series = 0, chunks = 0;
  int64_t max_time = 0;
  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> metadata;
  bool operator==(const View&) const = default;
};

// The first difference, readably (heads hold hundreds of series).
std::string diff(const View& a, const View& b) {
  std::ostringstream os;
  if (a.series != b.series) os << "series " << a.series << " vs " << b.series << "; ";
  if (a.chunks != b.chunks) os << "chunks " << a.chunks << " vs " << b.chunks << "; ";
  if (a.max_time != b.max_time) os << "max time " << a.max_time << " vs " << b.max_time << "; ";
  if (a.metadata != b.metadata) os << "metadata differs; ";
  for (const auto& [l, xs] : a.samples) {
    auto it = b.samples.find(l);
    if (it == b.samples.end()) {
      os << l << " only in the first; ";
      break;
    }
    if (it->second != xs) {
      os << l << ":";
      for (const auto& [t, v] : xs) os << " " << t;
      os << " vs";
      for (const auto& [t, v] : it->second) os << " " << t;
      break;
    }
  }
  if (a.samples.size() != b.samples.size())
    os << "series with samples " << a.samples.size() << " vs " << b.samples.size();
  return os.str();
}

void PrintTo(const View& v, std::ostream* os) { *os << v.series << " series"; }

// After a truncation to mint, samples before mint may linger in memory in
// chunks that straddle it, while a replay (from a checkpoint keeping t >=
// mint) rebuilds only the rest and chunks it anew: such heads are compared
// from mint on (data before it is in a block), and without their chunk
// counts (no_chunks).
View view(Head& h) {
  View v;
  int64_t from = std::max(h.min_valid_time_ms(), INT64_MIN / 2);
  v.samples = testing::dump(h, all_series(), from);
  HeadStats st = h.stats();
  v.series = st.num_series;
  v.chunks = st.num_chunks;
  v.max_time = st.max_time_ms;
  v.metadata = h.metadata().get("", 0, 0);
  return v;
}

View no_chunks(View v) {
  v.chunks = 0;
  return v;
}

// A copy of the directory as a SIGKILL would leave it now (every write(2)
// of the open head is in the files).
void crash_copy(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// The head a full WAL replay builds from a copy of `dir` without its snapshot.
View full_replay_view(const std::string& dir) {
  TempDir d;
  std::string copy = d.path() + "/copy";
  crash_copy(dir, copy);
  fs::remove(copy + "/" + kHeadSnapshotFile);
  metrics::Registry reg;
  HeadOptions o = snap_options(copy);
  o.snapshot_on_shutdown = false;
  auto h = testing::open_head(o, &reg);
  return view(*h);
}

constexpr const char* kSuffixes[] = {"v", "xv", "xxv"};

// Random commits: new and old series, in-order samples, some out of order,
// a few resends, metadata now and then.
void random_commits(Head& h, std::mt19937_64& rng, int64_t* t, int commits) {
  for (int c = 0; c < commits; ++c) {
    auto app = h.appender();
    int n = int(rng() % 50) + 1;
    for (int k = 0; k < n; ++k) {
      int i = int(rng() % 300);
      Labels ls = Labels::from_strings({"__name__", "m" + std::to_string(i % 7), "i",
                                        std::to_string(i), "z", kSuffixes[i % 3]});
      int64_t ts = *t - int64_t(rng() % 4 == 0 ? rng() % 600000 : 0);
      double v = (rng() % 5 == 0) ? double(rng()) / 7 : double(rng() % 100);
      (void)app->append(0, ls, ts, v);
    }
    if (rng() % 10 == 0)
      app->update_metadata("m" + std::to_string(rng() % 7),
                           {"gauge", "help " + std::to_string(rng() % 3), ""});
    ASSERT_TRUE(app->commit().ok());
    *t += int64_t(rng() % 30000) + 1;
  }
}

TEST(HeadSnapshotTest, RoundTripEqualsTheHeadAndAFullReplay) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir d;
    std::mt19937_64 rng(seed);
    int64_t t = 10 * 3600 * 1000;
    View before;
    {
      metrics::Registry reg;
      auto h = testing::open_head(snap_options(d.path()), &reg);
      random_commits(*h, rng, &t, int(rng() % 400) + 1);
      if (seed % 2 == 0) {
        ASSERT_TRUE(h->delete_series({testing::eq("__name__", "m3")}, t - 3600000, t).ok());
      }
      before = view(*h);
      ASSERT_TRUE(h->close().ok());
    }
    ASSERT_TRUE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
    EXPECT_EQ(full_replay_view(d.path()), before) << diff(full_replay_view(d.path()), before);
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    EXPECT_EQ(view(*h), before) << diff(view(*h), before);
    // Appends continue the restored open chunks.
    random_commits(*h, rng, &t, 20);
    View after = view(*h);
    ASSERT_TRUE(h->close().ok());
    EXPECT_EQ(full_replay_view(d.path()), after) << diff(full_replay_view(d.path()), after);
  }
}

// HeadOptions::stripes only spreads locks and hash sets: heads with any
// stripe count (rounded down to a power of two, at most 4096) load the same
// snapshot and replay the same WAL to the same head, find every series again
// by its labels (no duplicate created), and truncate the same.
TEST(HeadSnapshotTest, AnyStripeCountBuildsTheSameHead) {
  TempDir d;
  std::mt19937_64 rng(7);
  int64_t t = 10 * 3600 * 1000;
  View before;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 200);
    before = view(*h);
    ASSERT_TRUE(h->close().ok());
  }
  for (uint32_t stripes : {1u, 3u, 16u, 100000u}) {
    SCOPED_TRACE("stripes " + std::to_string(stripes));
    for (bool from_snapshot : {true, false}) {
      TempDir c;
      crash_copy(d.path(), c.path() + "/db");
      if (!from_snapshot) fs::remove(c.path() + "/db/" + kHeadSnapshotFile);
      metrics::Registry reg;
      HeadOptions o = snap_options(c.path() + "/db");
      o.stripes = stripes;
      auto h = testing::open_head(o, &reg);
      EXPECT_EQ(view(*h), before) << diff(view(*h), before);
      std::mt19937_64 again(7);  // the same labels once more: no new series
      int64_t t2 = t;
      random_commits(*h, again, &t2, 200);
      EXPECT_EQ(h->stats().num_series, before.series);
      ASSERT_TRUE(h->truncate(t2 + 1).ok());
      EXPECT_EQ(h->stats().num_series, 0u);
    }
  }
}

// Sealed chunks are compact where that is smaller (integer counters) and XOR
// elsewhere (full-precision values): the snapshot keeps each one's encoding.
TEST(HeadSnapshotTest, SealedChunksOfBothEncodingsRoundTrip) {
  TempDir d;
  std::mt19937_64 rng(3);
  View before;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    double counter = 0;
    for (int i = 0; i < 600; ++i) {
      auto app = h->appender();
      int64_t ts = 10 * 3600 * 1000 + int64_t(i) * 15000 + int64_t(rng() % 7);
      counter += double(rng() % 9);
      ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "c"}), ts, counter).ok());
      ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "g"}), ts,
                              double(rng()) / 3e7).ok());
      ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "s"}), ts,
                              i % 50 == 7 ? std::nan("") : 0.25 * double(i % 13)).ok());
      ASSERT_TRUE(app->commit().ok());
    }
    before = view(*h);
    ASSERT_GE(before.chunks, 15u);
    ASSERT_TRUE(h->close().ok());
  }
  metrics::Registry reg;
  auto h = testing::open_head(snap_options(d.path()), &reg);
  EXPECT_EQ(view(*h), before) << diff(view(*h), before);
  EXPECT_EQ(full_replay_view(d.path()), before) << diff(full_replay_view(d.path()), before);
}

TEST(HeadSnapshotTest, CrashAfterSnapshotReplaysTheLaterWalOnTop) {
  TempDir d;
  std::string crashed = d.path() + "-crashed";
  std::mt19937_64 rng(7);
  int64_t t = 10 * 3600 * 1000;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 200);
  }
  View want;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 200);
    ASSERT_TRUE(h->delete_series({testing::eq("__name__", "m1")}, t - 600000, t).ok());
    random_commits(*h, rng, &t, 20);
    want = view(*h);
    crash_copy(d.path(), crashed);
  }
  ASSERT_TRUE(fs::exists(crashed + "/" + kHeadSnapshotFile));
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(crashed), &reg);
    EXPECT_EQ(view(*h), want) << diff(view(*h), want);
  }
  EXPECT_EQ(full_replay_view(crashed), want) << diff(full_replay_view(crashed), want);
  fs::remove_all(crashed);
}

TEST(HeadSnapshotTest, DamagedOrForeignSnapshotFallsBackToFullReplay) {
  struct Case {
    const char* name;
    void (*damage)(const std::string& path);
  };
  const Case cases[] = {
      {"flipped byte",
       [](const std::string& p) {
         ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(p, fs::file_size(p) / 2).ok());
       }},
      {"cut in half", [](const std::string& p) { fs::resize_file(p, fs::file_size(p) / 2); }},
      {"last section cut", [](const std::string& p) { fs::resize_file(p, fs::file_size(p) - 3); }},
      {"header only", [](const std::string& p) { fs::resize_file(p, 5); }},
      {"empty", [](const std::string& p) { fs::resize_file(p, 0); }},
      {"other version",
       [](const std::string& p) { ASSERT_TRUE(FaultInjectionFileSystem::flip_byte(p, 4, 0x80).ok()); }},
      {"zeroed page", [](const std::string& p) {
         ASSERT_TRUE(FaultInjectionFileSystem::zero_range(p, 4096, 4096).ok());
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir d;
    std::mt19937_64 rng(11);
    int64_t t = 10 * 3600 * 1000;
    View want;
    {
      metrics::Registry reg;
      auto h = testing::open_head(snap_options(d.path()), &reg);
      random_commits(*h, rng, &t, 300);
      want = view(*h);
    }
    std::string path = d.path() + "/" + kHeadSnapshotFile;
    ASSERT_GT(fs::file_size(path), 8192u);
    c.damage(path);
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    EXPECT_EQ(view(*h), want) << diff(view(*h), want);
    EXPECT_FALSE(fs::exists(path)) << "an unusable snapshot is deleted";
  }
}

TEST(HeadSnapshotTest, SnapshotNotMatchingTheWalIsIgnored) {
  TempDir d;
  std::mt19937_64 rng(5);
  int64_t t = 10 * 3600 * 1000;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 100);
  }
  // The covered segment grew behind the snapshot's back (say, a copy of a
  // WAL from elsewhere): the WAL wins.
  std::string seg;
  for (const auto& e : fs::directory_iterator(d.wal())) seg = std::max(seg, e.path().string());
  View want;
  {
    metrics::Registry reg;
    HeadOptions o = snap_options(d.path());
    auto h = testing::open_head(o, &reg);
    random_commits(*h, rng, &t, 50);
    want = view(*h);
    crash_copy(d.path(), d.path() + "-x");
  }
  std::string x = d.path() + "-x";
  // Move the later segment's bytes into the covered one.
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(x + "/wal"))
    if (e.is_regular_file()) segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
  ASSERT_GE(segs.size(), 2u);
  std::string tail = testing::read_all(segs.back());
  std::string covered = testing::read_all(segs[segs.size() - 2]);
  testing::write_all(segs[segs.size() - 2], covered + tail);
  fs::remove(segs.back());
  metrics::Registry reg;
  auto h = testing::open_head(snap_options(x), &reg);
  EXPECT_EQ(view(*h), want) << diff(view(*h), want);
  EXPECT_FALSE(fs::exists(x + "/" + kHeadSnapshotFile));
  fs::remove_all(x);
}

TEST(HeadSnapshotTest, TruncationDeletesTheSnapshotAndRestartsStayExact) {
  TempDir d;
  std::string crashed = d.path() + "-crashed";
  std::mt19937_64 rng(3);
  int64_t t = 10 * 3600 * 1000;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 500);
  }
  View want;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    ASSERT_TRUE(h->truncate(t - 1800 * 1000).ok());
    EXPECT_FALSE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
    random_commits(*h, rng, &t, 50);
    want = no_chunks(view(*h));
    crash_copy(d.path(), crashed);
  }
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(crashed), &reg);
    EXPECT_EQ(no_chunks(view(*h)), want) << diff(no_chunks(view(*h)), want);
  }
  // And after a clean close, from the new snapshot.
  metrics::Registry reg;
  auto h = testing::open_head(snap_options(d.path()), &reg);
  EXPECT_EQ(no_chunks(view(*h)), want) << diff(no_chunks(view(*h)), want);
  fs::remove_all(crashed);
}

TEST(HeadSnapshotTest, TornOrUnsyncedSnapshotWriteLosesNothing) {
  for (size_t keep : {size_t(0), size_t(7), size_t(3000)}) {
    SCOPED_TRACE("keep " + std::to_string(keep));
    TempDir d;
    FaultInjectionFileSystem ffs;
    std::mt19937_64 rng(9);
    int64_t t = 10 * 3600 * 1000;
    View want;
    {
      metrics::Registry reg;
      auto h = testing::open_head(snap_options(d.path(), &ffs), &reg);
      random_commits(*h, rng, &t, 200);
      want = view(*h);
      // The WAL is closed (fsynced) first; the next write is the snapshot's.
      ffs.tear_next_write(keep);
      EXPECT_TRUE(h->close().ok());
    }
    EXPECT_FALSE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
    ASSERT_TRUE(ffs.drop_unsynced_data().ok());
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path(), &ffs), &reg);
    EXPECT_EQ(view(*h), want) << diff(view(*h), want);
  }
}

TEST(HeadSnapshotTest, SnapshotSurvivesPowerLossAfterCleanClose) {
  TempDir d;
  FaultInjectionFileSystem ffs;
  std::mt19937_64 rng(13);
  int64_t t = 10 * 3600 * 1000;
  View want;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path(), &ffs), &reg);
    random_commits(*h, rng, &t, 200);
    want = view(*h);
  }
  ASSERT_TRUE(ffs.drop_unsynced_data().ok());
  ASSERT_TRUE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
  metrics::Registry reg;
  auto h = testing::open_head(snap_options(d.path(), &ffs), &reg);
  EXPECT_EQ(view(*h), want) << diff(view(*h), want);
}

TEST(HeadSnapshotTest, SeriesNeverCommittedAreLeftOut) {
  TempDir d;
  std::mt19937_64 rng(19);
  int64_t t = 10 * 3600 * 1000;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 30);
    // Created by an appender that rolled back: in the head, not in the WAL.
    auto app = h->appender();
    ASSERT_TRUE(app->append(0, testing::series_labels(1, "rolled_back"), t, 1).ok());
    app->rollback();
  }
  View want = full_replay_view(d.path());
  metrics::Registry reg;
  auto h = testing::open_head(snap_options(d.path()), &reg);
  EXPECT_EQ(view(*h), want) << diff(view(*h), want);
  EXPECT_TRUE(testing::dump(*h, "rolled_back").empty());
  // The postings know nothing of it either.
  EXPECT_TRUE(h->postings().get(*h->symbols().find("__name__"), *h->symbols().find("rolled_back"))
                  .empty());
}

TEST(HeadSnapshotTest, DisabledSnapshotIsNeitherWrittenNorKept) {
  TempDir d;
  std::mt19937_64 rng(17);
  int64_t t = 10 * 3600 * 1000;
  {
    metrics::Registry reg;
    auto h = testing::open_head(snap_options(d.path()), &reg);
    random_commits(*h, rng, &t, 50);
  }
  ASSERT_TRUE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
  HeadOptions o = snap_options(d.path());
  o.snapshot_on_shutdown = false;
  View want = full_replay_view(d.path());
  metrics::Registry reg;
  auto h = testing::open_head(o, &reg);
  EXPECT_EQ(view(*h), want) << diff(view(*h), want);
  EXPECT_FALSE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
  ASSERT_TRUE(h->close().ok());
  EXPECT_FALSE(fs::exists(d.path() + "/" + kHeadSnapshotFile));
}

// Bounded random walk over clean restarts, crashes, truncations and
// deletions: after every step the head equals a full replay of its WAL.
TEST(HeadSnapshotTest, RandomizedDifferentialAgainstFullReplay) {
  for (uint64_t seed = 100; seed < 106; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir d;
    std::string dir = d.path() + "/db", other = d.path() + "/crash";
    std::mt19937_64 rng(seed);
    int64_t t = 10 * 3600 * 1000;
    View want;
    // Chunk counts differ once a truncation kept straddling chunks (view()).
    bool truncated = false;
    auto cmp = [&](View v) { return truncated ? no_chunks(std::move(v)) : v; };
    for (int step = 0; step < 8; ++step) {
      metrics::Registry reg;
      auto h = testing::open_head(snap_options(dir), &reg);
      if (step > 0) {
        ASSERT_EQ(cmp(view(*h)), want) << diff(cmp(view(*h)), want) << "step " << step;
      }
      random_commits(*h, rng, &t, int(rng() % 100) + 1);
      if (rng() % 4 == 0) {
        ASSERT_TRUE(h->truncate(t - int64_t(rng() % 7200000)).ok());
        truncated = true;
      }
      if (rng() % 4 == 0) {
        Matchers ms = {testing::eq("i", std::to_string(rng() % 300))};
        ASSERT_TRUE(h->delete_series(ms, t - 3600000, t).ok());
      }
      random_commits(*h, rng, &t, int(rng() % 20));
      want = cmp(view(*h));
      if (rng() % 3 == 0) {
        // A crash: continue from the files as they are now.
        crash_copy(dir, other);
        h.reset();
        fs::remove_all(dir);
        fs::rename(other, dir);
      } else {
        ASSERT_TRUE(h->close().ok());
      }
      EXPECT_EQ(cmp(full_replay_view(dir)), want) << diff(cmp(full_replay_view(dir)), want) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace strata::tsdb
