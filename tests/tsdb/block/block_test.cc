#include "tsdb/block/block.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/metrics.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

using testing::bits_of;
using testing::BitSample;
using testing::mk;
using testing::samples_of;
using testing::TempDir;

constexpr uint64_t kStale = 0x7ff0000000000002ULL;
constexpr char kUlid[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

struct InSeries {
  Labels labels;
  std::vector<BitSample> samples;
};

std::vector<InSeries> fixture() {
  return {
      {Labels::from_strings({"__name__", "http_requests_total", "code", "200"}),
       {{0, bits_of(10)}, {15000, bits_of(12)}, {30000, bits_of(19)}, {45000, bits_of(19)}}},
      {Labels::from_strings({"__name__", "up", "job", "a"}),
       {{0, bits_of(1)}, {15000, bits_of(1)}, {30000, bits_of(0)}, {45000, kStale}}},
      {Labels::from_strings({"__name__", "up", "job", "b"}),
       {{1000, bits_of(0.5)}, {16005, bits_of(0.25)}, {31000, bits_of(0.125)}}},
  };
}

BlockMeta write_fixture(const std::string& dir, bool compress, const std::string& ulid = kUlid) {
  BlockWriterOptions opts;
  opts.compress_chunks = compress;
  opts.ulid = ulid;
  auto w = BlockWriter::create(posix_file_system(), dir, 0, 7200000, opts);
  EXPECT_TRUE(w.ok()) << w.status();
  for (const InSeries& s : fixture()) {
    std::vector<int64_t> t;
    std::vector<uint64_t> v;
    for (const auto& x : s.samples) {
      t.push_back(x.t);
      v.push_back(x.v);
    }
    EXPECT_TRUE((*w)->add_series(s.labels, t.data(), v.data(), t.size()).ok());
  }
  auto meta = (*w)->finish();
  EXPECT_TRUE(meta.ok()) << meta.status();
  return *meta;
}

std::string hex_dump(const std::string& data) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < data.size(); ++i) {
    out.push_back(kHex[uint8_t(data[i]) >> 4]);
    out.push_back(kHex[uint8_t(data[i]) & 15]);
    out.push_back((i % 32 == 31 || i + 1 == data.size()) ? '\n' : ' ');
  }
  return out;
}

// STRATA_BLOCK_TESTDATA is an absolute path set by CMake: __FILE__ is
// relative to the build directory when ccache rewrites paths (base_dir),
// and ctest runs the test elsewhere.
std::string testdata(const std::string& name) {
  return std::string(STRATA_BLOCK_TESTDATA) + "/" + name;
}

// Compares `actual` with the golden file; STRATA_UPDATE_GOLDEN=1 rewrites it.
void check_golden(const std::string& name, const std::string& actual) {
  std::string path = testdata(name);
  if (std::getenv("STRATA_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), actual) << "golden file " << name
                              << " differs; the on-disk format changed (see tsdb/docs/format)";
}

TEST(BlockTest, GoldenFiles) {
  TempDir dir;
  write_fixture(dir.path(), /*compress=*/false);
  FileSystem* fs = posix_file_system();
  std::string b = join_path(dir.path(), kUlid);
  check_golden("golden_block/meta.json", *fs->read_file(join_path(b, "meta.json")));
  check_golden("golden_block/index.hex", hex_dump(*fs->read_file(join_path(b, "index"))));
  check_golden("golden_block/chunks_000001.hex",
               hex_dump(*fs->read_file(join_path(b, "chunks/000001"))));
  check_golden("golden_block/tombstones.hex", hex_dump(*fs->read_file(join_path(b, "tombstones"))));
  // A tombstone file with entries, and a compact chunk on its own.
  Tombstones t;
  t.add(0, {100, 200});
  t.add(2, {-5, 5});
  t.add(2, {1000, 2000});
  check_golden("tombstones_two_series.hex", hex_dump(t.encode()));
  std::vector<int64_t> ts = {1700000000000, 1700000015000, 1700000030000, 1700000045001};
  std::vector<uint64_t> vs = {bits_of(3), bits_of(7), kStale, bits_of(8.5)};
  std::string c;
  encode_compact_chunk(ts.data(), vs.data(), ts.size(), &c);
  check_golden("compact_chunk.hex", hex_dump(c));
}

TEST(BlockTest, WriterReaderRoundTrip) {
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress);
    TempDir dir;
    BlockMeta meta = write_fixture(dir.path(), compress);
    EXPECT_EQ(meta.stats.num_series, 3u);
    EXPECT_EQ(meta.stats.num_samples, 11u);
    EXPECT_EQ(meta.stats.num_chunks, 3u);
    EXPECT_FALSE(posix_file_system()->exists(join_path(dir.path(), std::string(kUlid) + ".tmp")));
    auto b = Block::open(join_path(dir.path(), kUlid), posix_file_system(), {.verify_chunks = true});
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ((*b)->meta().ulid, kUlid);
    EXPECT_EQ((*b)->meta().compaction.sources, std::vector<std::string>{kUlid});
    auto q = (*b)->querier(0, 7200000);
    auto res = read_all(*q->select({.sorted = true}, {mk(MatchType::kRegexMatch, "__name__", ".+")}));
    ASSERT_TRUE(res.ok()) << res.status();
    auto in = fixture();
    ASSERT_EQ(res->size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      EXPECT_EQ((*res)[i].labels(), in[i].labels);
      EXPECT_EQ(samples_of((*res)[i]), in[i].samples);  // stale marker bits included
    }
    // Time range filtering and label lookups.
    res = read_all(*q->select({.sorted = true}, {mk(MatchType::kEqual, "job", "a")}));
    ASSERT_EQ(res->size(), 1u);
    SelectOptions h{.sorted = true, .start_ms = 10000, .end_ms = 30000};
    res = read_all(*q->select(h, {mk(MatchType::kEqual, "job", "a")}));
    EXPECT_EQ(samples_of((*res)[0]),
              (std::vector<BitSample>{{15000, bits_of(1)}, {30000, bits_of(0)}}));
    EXPECT_EQ(*q->label_names({}, 0), (std::vector<std::string>{"__name__", "code", "job"}));
    EXPECT_EQ(*q->label_values("job", {}, 0), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(*q->label_values("__name__", {mk(MatchType::kEqual, "code", "200")}, 0),
              (std::vector<std::string>{"http_requests_total"}));
    EXPECT_EQ(*q->label_names({mk(MatchType::kEqual, "job", "b")}, 0),
              (std::vector<std::string>{"__name__", "job"}));
    // A querier outside the data sees nothing with matchers.
    auto q2 = (*b)->querier(5000000, 7200000);
    EXPECT_TRUE(read_all(*q2->select({.sorted = true}, {mk(MatchType::kEqual, "job", "a")}))->empty());
    EXPECT_TRUE(q2->label_values("job", {mk(MatchType::kEqual, "__name__", "up")}, 0)->empty());
  }
}

TEST(BlockTest, SamplesOutsideRangeAndEmptyBlocks) {
  TempDir dir;
  auto w = BlockWriter::create(posix_file_system(), dir.path(), 100, 200);
  ASSERT_TRUE(w.ok());
  std::vector<int64_t> t = {50, 99, 100, 150, 199, 200, 250};
  std::vector<uint64_t> v(t.size(), bits_of(1));
  ASSERT_TRUE((*w)->add_series(Labels::from_strings({"__name__", "x"}), t.data(), v.data(), t.size()).ok());
  auto m = (*w)->finish();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->stats.num_samples, 3u);  // [100, 200)
  auto w2 = BlockWriter::create(posix_file_system(), dir.path(), 1000, 2000);
  ASSERT_TRUE((*w2)->add_series(Labels::from_strings({"__name__", "x"}), t.data(), v.data(), t.size()).ok());
  auto m2 = (*w2)->finish();
  ASSERT_TRUE(m2.ok());
  EXPECT_TRUE(m2->ulid.empty());
  EXPECT_EQ(posix_file_system()->list_dir(dir.path())->size(), 1u);
  // Label order is enforced.
  auto w3 = BlockWriter::create(posix_file_system(), dir.path(), 0, 1000);
  ASSERT_TRUE((*w3)->add_series(Labels::from_strings({"__name__", "b"}), t.data(), v.data(), 1).ok());
  EXPECT_FALSE((*w3)->add_series(Labels::from_strings({"__name__", "a"}), t.data(), v.data(), 1).ok());
}

TEST(BlockTest, CorruptionIsDetected) {
  FileSystem* fs = posix_file_system();
  struct Case {
    const char* file;
    bool verify_chunks;
    const char* want;
  };
  for (const Case& c : {Case{"index", false, "index"}, Case{"meta.json", false, "meta.json"},
                        Case{"chunks/000001", true, "chunk segment 000001"}, Case{"tombstones", false, "tombstones"}}) {
    SCOPED_TRACE(c.file);
    TempDir dir;
    write_fixture(dir.path(), true);
    std::string bdir = join_path(dir.path(), kUlid);
    std::string path = join_path(bdir, c.file);
    std::string data = *fs->read_file(path);
    // Binary files: flip bytes across the file (sampled); every flip must be
    // caught. meta.json is plain JSON without a checksum (as Prometheus'):
    // truncations must be caught.
    bool json = std::string(c.file) == "meta.json";
    for (size_t pos = 0; pos < data.size(); pos += std::max<size_t>(1, data.size() / 40)) {
      std::string bad = data;
      if (json) {
        bad.resize(pos);
      } else {
        bad[pos] = char(bad[pos] ^ 0x5a);
      }
      {
        auto f = fs->open_writable(path);
        ASSERT_TRUE((*f)->append(bad).ok());
        ASSERT_TRUE((*f)->close().ok());
      }
      auto b = Block::open(bdir, fs, {.verify_chunks = c.verify_chunks});
      ASSERT_FALSE(b.ok()) << "flip at " << pos;
      std::string msg(b.status().message());
      EXPECT_NE(msg.find("cannot open block " + bdir), std::string::npos) << msg;
      EXPECT_NE(msg.find(c.want), std::string::npos) << msg;
    }
    auto f = fs->open_writable(path);
    ASSERT_TRUE((*f)->append(data).ok());
    ASSERT_TRUE((*f)->close().ok());
    EXPECT_TRUE(Block::open(bdir, fs, {.verify_chunks = true}).ok());
  }
}

TEST(BlockTest, CorruptChunkFailsTheQueryWithoutVerify) {
  FileSystem* fs = posix_file_system();
  TempDir dir;
  write_fixture(dir.path(), false);
  std::string path = join_path(dir.path(), std::string(kUlid) + "/chunks/000001");
  std::string data = *fs->read_file(path);
  data[data.size() / 2] ^= 1;
  auto f = fs->open_writable(path);
  ASSERT_TRUE((*f)->append(data).ok());
  ASSERT_TRUE((*f)->close().ok());
  auto b = Block::open(join_path(dir.path(), kUlid), fs);
  ASSERT_TRUE(b.ok());
  auto res = read_all(*(*b)->querier(0, 7200000)->select({.sorted = true}, {mk(MatchType::kEqual, "job", "a")}));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), absl::StatusCode::kDataLoss);
}

TEST(BlockTest, TombstonesHideSamplesAndPersist) {
  TempDir dir;
  write_fixture(dir.path(), true);
  std::string bdir = join_path(dir.path(), kUlid);
  auto b = Block::open(bdir, posix_file_system());
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->delete_series({mk(MatchType::kEqual, "__name__", "up")}, 10000, 30000).ok());
  ASSERT_TRUE((*b)->delete_series({mk(MatchType::kEqual, "code", "200")}, 0, 100000).ok());
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass);
    auto q = (*b)->querier(0, 7200000);
    auto res = read_all(*q->select({.sorted = true}, {mk(MatchType::kRegexMatch, "__name__", ".+")}));
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(res->size(), 2u);  // http_requests_total is gone entirely
    EXPECT_EQ(samples_of((*res)[0]), (std::vector<BitSample>{{0, bits_of(1)}, {45000, kStale}}));
    EXPECT_EQ(samples_of((*res)[1]), (std::vector<BitSample>{{1000, bits_of(0.5)}, {31000, bits_of(0.125)}}));
    b = Block::open(bdir, posix_file_system());  // tombstones survive a reopen
    ASSERT_TRUE(b.ok());
  }
  EXPECT_EQ((*b)->tombstones()->count(), 3u);
}

// The block selects exactly what the head selects for the same data.
TEST(BlockTest, MatcherSemanticsMatchTheHead) {
  metrics::Registry reg;
  Head head(HeadOptions{}, &reg);
  auto app = head.appender();
  std::vector<Labels> ls = {
      Labels::from_strings({"__name__", "a", "job", "x", "inst", "1"}),
      Labels::from_strings({"__name__", "a", "job", "y", "inst", "2"}),
      Labels::from_strings({"__name__", "b", "job", "x"}),
      Labels::from_strings({"__name__", "b", "job", "xy", "env", "prod"}),
      Labels::from_strings({"__name__", "c", "env", ""}),
      Labels::from_strings({"__name__", "ab", "inst", "10"}),
  };
  for (size_t i = 0; i < ls.size(); ++i) ASSERT_TRUE(app->append(0, ls[i], 1000, double(i)).ok());
  ASSERT_TRUE(app->commit().ok());
  TempDir dir;
  auto hq = head.querier(0, 10000);
  auto meta = write_block_from_querier(posix_file_system(), dir.path(), hq.get(), 0, 10000);
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto b = Block::open(join_path(dir.path(), meta->ulid), posix_file_system());
  ASSERT_TRUE(b.ok()) << b.status();
  auto bq = (*b)->querier(0, 10000);
  std::vector<Matchers> cases = {
      {mk(MatchType::kEqual, "__name__", "a")},
      {mk(MatchType::kRegexMatch, "__name__", "a|b")},
      {mk(MatchType::kRegexMatch, "__name__", "a.*")},
      {mk(MatchType::kRegexMatch, "__name__", "a[b]?")},
      {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kNotEqual, "job", "x")},
      {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kEqual, "env", "")},
      {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kNotEqual, "env", "")},
      {mk(MatchType::kRegexMatch, "job", "x.*"), mk(MatchType::kRegexNoMatch, "env", "prod")},
      {mk(MatchType::kRegexMatch, "inst", "1.*"), mk(MatchType::kRegexMatch, "job", ".*")},
      {mk(MatchType::kRegexNoMatch, "job", ".*x.*|"), mk(MatchType::kEqual, "__name__", "a")},
      {mk(MatchType::kEqual, "nope", "1")},
      {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kRegexMatch, "inst", "")},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto want = read_all(*hq->select({.sorted = true}, cases[i]));
    auto got = read_all(*bq->select({.sorted = true}, cases[i]));
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_EQ(got->size(), want->size());
    for (size_t k = 0; k < got->size(); ++k) EXPECT_EQ((*got)[k].labels(), (*want)[k].labels());
    EXPECT_EQ(*bq->label_names(cases[i], 0), *hq->label_names(cases[i], 0));
    EXPECT_EQ(*bq->label_values("job", cases[i], 0), *hq->label_values("job", cases[i], 0));
  }
  EXPECT_EQ(*bq->label_values("job", {}, 1), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace strata::tsdb
