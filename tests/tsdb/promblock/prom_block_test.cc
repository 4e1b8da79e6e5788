// The Prometheus block reader (tsdb/promblock) over real Prometheus 2.42
// blocks made at run time (tests/testutil/prom_blocks.h): every sample
// written comes back, tombstoned ones do not, matchers and label lookups
// work, overlapping blocks merge, histogram chunks are skipped, index
// version 1 is refused, and the import writes Strata blocks holding the same
// samples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "base/coding.h"
#include "base/crc32c.h"
#include "tests/testutil/prom_blocks.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"
#include "tests/tsdb/promblock/prom_test_util.h"
#include "tsdb/block/block.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/db.h"
#include "tsdb/promblock/prom_dir.h"
#include "tsdb/promblock/prom_import.h"

namespace strata::tsdb::prom {
namespace {

namespace fs = std::filesystem;

class PromBlockTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testutil::prometheus_installed()) return;
    tmp_ = new testutil::TempDir("prom_block_test");
    auto b = testutil::make_prom_blocks(tmp_->path() + "/snapshot");
    ASSERT_TRUE(b.ok()) << b.status();
    blocks_ = new testutil::PromBlocks(std::move(*b));
    blocks_->prometheus.reset();  // only its files are needed here
  }
  static void TearDownTestSuite() {
    delete blocks_;
    delete tmp_;
    blocks_ = nullptr;
    tmp_ = nullptr;
  }
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    ASSERT_NE(blocks_, nullptr);
  }
  const std::string& snapshot() const { return blocks_->snapshot_dir; }

  // What the reader must return: the written samples minus the deleted range.
  SeriesSamples expected() const {
    SeriesSamples out;
    for (const testutil::RwSeries& s : blocks_->written) {
      std::vector<Label> ls;
      for (const auto& [n, v] : s.labels) ls.push_back({n, v});
      Labels labels = Labels::from_unsorted(std::move(ls));
      const bool deleted = labels.get("instance") == "inst1";
      auto& dst = out[labels.to_string()];
      for (const testutil::RwSample& x : s.samples) {
        if (deleted && x.t_ms >= blocks_->deleted_mint_ms && x.t_ms <= blocks_->deleted_maxt_ms)
          continue;
        dst.push_back({x.t_ms, x.value});
      }
    }
    return out;
  }

  static testutil::TempDir* tmp_;
  static testutil::PromBlocks* blocks_;
};
testutil::TempDir* PromBlockTest::tmp_ = nullptr;
testutil::PromBlocks* PromBlockTest::blocks_ = nullptr;

TEST_F(PromBlockTest, ReadsEverySampleWrittenAndNoneDeleted) {
  auto dir = PromDir::open(posix_file_system(), snapshot());
  ASSERT_TRUE(dir.ok()) << dir.status();
  // Two persisted 2 h blocks at least, and the head written by the snapshot.
  EXPECT_GE((*dir)->blocks().size(), 3u);
  bool has_tombstones = false;
  for (const auto& b : (*dir)->blocks()) has_tombstones |= !b->tombstones().empty();
  EXPECT_TRUE(has_tombstones) << "the deletion should have left a tombstones file";
  // Some series have several chunks in a block, so the delta-coded chunk
  // metadata after the first chunk is read too.
  size_t multi_chunk = 0;
  for (const auto& b : (*dir)->blocks()) {
    auto ids = b->index().postings("", "");
    ASSERT_TRUE(ids.ok()) << ids.status();
    std::vector<PromChunkMeta> metas;
    for (uint32_t id : *ids) {
      ASSERT_TRUE(b->index().series(id, nullptr, &metas).ok());
      multi_chunk += metas.size() > 1;
    }
  }
  EXPECT_GT(multi_chunk, 0u);
  auto got = read_samples(**dir, blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->size(), blocks_->written.size());
  expect_same_samples(*got, expected());
}

TEST_F(PromBlockTest, SelectsByMatchersAndListsLabels) {
  auto dir = PromDir::open(posix_file_system(), snapshot());
  ASSERT_TRUE(dir.ok()) << dir.status();
  auto q = (*dir)->querier(blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(q.ok());
  auto eq = Matcher::make(MatchType::kEqual, "job", "job2");
  auto re = Matcher::make(MatchType::kRegexMatch, "__name__", "import_metric_[01]");
  auto set = (*q)->select({.sorted = true}, {*eq, *re});
  auto all = read_all(*set);
  ASSERT_TRUE(all.ok()) << all.status();
  // job2 is i % 5 == 2; metric 0 or 1 is i % 3 != 2: 40 of the 60.
  EXPECT_EQ(all->size(), 40u);
  for (const Series& s : *all) EXPECT_EQ(s.labels().get("job"), "job2");
  auto values = (*q)->label_values("job", {}, 0);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"job0", "job1", "job2", "job3", "job4"}));
  auto names = (*q)->label_names({*eq}, 0);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "instance", "job"}));
}

TEST_F(PromBlockTest, EveryMatcherKindSelectsWhatItsLabelsSay) {
  auto dir = PromDir::open(posix_file_system(), snapshot());
  ASSERT_TRUE(dir.ok()) << dir.status();
  struct Case {
    const char* name;
    std::vector<std::tuple<MatchType, std::string, std::string>> ms;
  };
  const std::vector<Case> cases = {
      {"regex_on_name", {{MatchType::kRegexMatch, "__name__", "import_metric_(0|2)"}}},
      {"regex_prefix", {{MatchType::kRegexMatch, "instance", "inst1.*"}}},
      {"not_equal", {{MatchType::kEqual, "job", "job1"}, {MatchType::kNotEqual, "instance", "inst1"}}},
      {"regex_no_match", {{MatchType::kRegexMatch, "__name__", ".+"}, {MatchType::kRegexNoMatch, "job", "job[0-3]"}}},
      {"accepts_empty", {{MatchType::kRegexMatch, "job", "job4|"}, {MatchType::kRegexMatch, "__name__", ".+"}}},
      {"absent_label", {{MatchType::kEqual, "nosuch", ""}, {MatchType::kEqual, "job", "job0"}}},
      {"no_match", {{MatchType::kEqual, "job", "job9"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Matchers ms;
    for (const auto& [t, n, v] : c.ms) ms.push_back(*Matcher::make(t, n, v));
    auto q = (*dir)->querier(blocks_->mint_ms, blocks_->maxt_ms);
    ASSERT_TRUE(q.ok());
    auto set = (*q)->select({.sorted = true}, ms);
    auto got = read_all(*set);
    ASSERT_TRUE(got.ok()) << got.status();
    size_t want = 0;
    for (const testutil::RwSeries& w : blocks_->written) {
      bool ok = true;
      for (const Matcher& m : ms) {
        std::string v;
        for (const auto& [n, x] : w.labels) if (n == m.name()) v = x;
        ok = ok && m.matches(v);
      }
      want += ok;
    }
    EXPECT_EQ(got->size(), want);
    for (const Series& s : *got) {
      for (const Matcher& m : ms) EXPECT_TRUE(m.matches(s.labels().get(m.name()))) << m.to_string();
    }
  }
}

TEST_F(PromBlockTest, OverlappingBlocksAreMergedWithoutDuplicates) {
  testutil::TempDir tmp("prom_overlap");
  const std::string src = tmp.path() + "/src";
  fs::copy(snapshot(), src, fs::copy_options::recursive);
  // The same block twice under another ULID: full overlap.
  auto dir = PromDir::open(posix_file_system(), src);
  ASSERT_TRUE(dir.ok());
  const std::string first = (*dir)->blocks()[0]->dir();
  fs::copy(first, src + "/01AAAAAAAAAAAAAAAAAAAAAAAA", fs::copy_options::recursive);
  dir = PromDir::open(posix_file_system(), src);
  ASSERT_TRUE(dir.ok());
  auto got = read_samples(**dir, blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(got.ok()) << got.status();
  expect_same_samples(*got, expected());

  auto r = import_prom_dir(posix_file_system(), src, tmp.path() + "/dst");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->written.size(), (*dir)->blocks().size() - 1);
}

TEST_F(PromBlockTest, ImportWritesStrataBlocksWithTheSameSamples) {
  testutil::TempDir tmp("prom_import");
  auto r = import_prom_dir(posix_file_system(), snapshot(), tmp.path());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->written.size(), 3u);
  EXPECT_FALSE(r->head_not_imported);  // a snapshot has no wal/
  std::vector<std::unique_ptr<Querier>> qs;
  for (const BlockMeta& m : r->written) {
    auto b = Block::open(join_path(tmp.path(), m.ulid), posix_file_system());
    ASSERT_TRUE(b.ok()) << b.status();
    qs.push_back((*b)->querier(blocks_->mint_ms, blocks_->maxt_ms));
  }
  MergeQuerier q(std::move(qs));
  auto got = read_samples(q, blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(got.ok()) << got.status();
  expect_same_samples(*got, expected());
}

TEST_F(PromBlockTest, HistogramChunksAreSkippedAndCounted) {
  testutil::TempDir tmp("prom_hist");
  const std::string src = tmp.path() + "/src";
  fs::copy(snapshot(), src, fs::copy_options::recursive);
  auto dir = PromDir::open(posix_file_system(), src);
  ASSERT_TRUE(dir.ok());
  // Re-tag the first chunk of the segment as a histogram chunk (2), with a
  // valid CRC, as Prometheus would have written one.
  const std::string seg = (*dir)->blocks()[0]->dir() + "/chunks/000001";
  std::string data = read_file_bytes(seg);
  const char* p = data.data() + 8;
  uint64_t len;
  ASSERT_TRUE(get_uvarint(&p, data.data() + data.size(), &len));
  const size_t enc = p - data.data();
  data[enc] = char(kPromEncHistogram);
  std::string crc;
  put_be32(&crc, crc32c(std::string_view(data.data() + enc, 1 + len)));
  data.replace(enc + 1 + len, 4, crc);
  write_file_bytes(seg, data);

  dir = PromDir::open(posix_file_system(), src);
  ASSERT_TRUE(dir.ok());
  auto got = read_samples(**dir, blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*dir)->skipped_histogram_series(), 1u);
  size_t fewer = 0;
  SeriesSamples want = expected();
  for (const auto& [k, v] : *got) fewer += v.size() < want[k].size();
  EXPECT_EQ(fewer, 1u);
}

TEST_F(PromBlockTest, IndexVersion1IsRefusedWithAClearError) {
  testutil::TempDir tmp("prom_v1");
  const std::string src = tmp.path() + "/src";
  fs::copy(snapshot(), src, fs::copy_options::recursive);
  auto dir = PromDir::open(posix_file_system(), src);
  ASSERT_TRUE(dir.ok());
  const std::string index = (*dir)->blocks()[0]->dir() + "/index";
  std::string data = read_file_bytes(index);
  data[4] = 1;
  write_file_bytes(index, data);
  auto again = PromDir::open(posix_file_system(), src);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnimplemented) << again.status();
}

TEST_F(PromBlockTest, ImportRefusesADestinationWhoseWalItWouldCut) {
  // A Strata data directory with a WAL and no block: its head would drop
  // WAL samples older than the imported blocks' end on the next start.
  testutil::TempDir tmp("prom_import_wal");
  fs::create_directories(tmp.path() + "/wal");
  write_file_bytes(tmp.path() + "/wal/00000000", "x");
  auto r = import_prom_dir(posix_file_system(), snapshot(), tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1)
      << "nothing may be written";
}

TEST_F(PromBlockTest, DatabaseServesThePrometheusDirectoryBesideItsOwnSamples) {
  testutil::TempDir tmp("prom_db");
  DBOptions o;
  o.dir = tmp.path() + "/data";
  o.maintenance_interval_ms = 0;
  o.prometheus_tsdb_dir = snapshot();
  metrics::Registry reg;
  auto db = DB::open(o, &reg);
  ASSERT_TRUE(db.ok()) << db.status();
  // One new sample of an existing series, and one at a time Prometheus has.
  auto app = (*db)->appender();
  const Labels l = Labels::from_strings(
      {"__name__", "import_metric_2", "instance", "inst2", "job", "job2"});
  ASSERT_TRUE(app->append(0, l, blocks_->maxt_ms + 60000, 42).ok());
  ASSERT_TRUE(app->commit().ok());
  auto got = read_samples(**db, blocks_->mint_ms, blocks_->maxt_ms + 60000);
  ASSERT_TRUE(got.ok()) << got.status();
  SeriesSamples want = expected();
  want[l.to_string()].push_back({blocks_->maxt_ms + 60000, 42});
  expect_same_samples(*got, want);

  db->reset();

  // A corrupt block is set aside; the others are still served.
  const std::string copy = tmp.path() + "/prom";
  fs::copy(snapshot(), copy, fs::copy_options::recursive);
  auto pd = PromDir::open(posix_file_system(), copy);
  ASSERT_TRUE(pd.ok());
  const size_t n_blocks = (*pd)->blocks().size();
  const std::string index = (*pd)->blocks()[0]->dir() + "/index";
  std::string data = read_file_bytes(index);
  data[10] ^= 0x5a;  // inside the symbol table: its CRC no longer matches
  write_file_bytes(index, data);
  auto strict = PromDir::open(posix_file_system(), copy);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kDataLoss) << strict.status();
  EXPECT_NE(strict.status().message().find(index), std::string::npos) << strict.status();
  auto lenient = PromDir::open(posix_file_system(), copy, /*set_aside_corrupt=*/true);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_EQ((*lenient)->blocks().size(), n_blocks - 1);
  EXPECT_EQ((*lenient)->corrupted().size(), 1u);
  o.prometheus_tsdb_dir = copy;
  metrics::Registry reg3;
  auto db2 = DB::open(o, &reg3);
  ASSERT_TRUE(db2.ok()) << db2.status();
  auto rest = read_samples(**db2, blocks_->mint_ms, blocks_->maxt_ms);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_FALSE(rest->empty());
  db2->reset();

  o.prometheus_tsdb_dir = tmp.path() + "/nosuch";
  metrics::Registry reg2;
  auto bad = DB::open(o, &reg2);
  EXPECT_FALSE(bad.ok());
}

TEST_F(PromBlockTest, EmptyDirectoryIsNotImported) {
  testutil::TempDir tmp("prom_empty");
  auto r = import_prom_dir(posix_file_system(), tmp.path(), tmp.path() + "/dst");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace strata::tsdb::prom
