#include "tsdb/wal/wal.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "tsdb/db.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/records.h"

namespace strata::tsdb {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/strata-wal-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Matcher eq(const std::string& n, const std::string& v) { return *Matcher::make(MatchType::kEqual, n, v); }

// Samples of all series named `name` in [mint, maxt], keyed by labels.
std::map<std::string, std::vector<std::pair<int64_t, double>>> dump(Head& h, const std::string& name,
                                                                    int64_t mint = INT64_MIN / 2,
                                                                    int64_t maxt = INT64_MAX / 2) {
  std::map<std::string, std::vector<std::pair<int64_t, double>>> out;
  auto res = h.querier(mint, maxt)->select(true, nullptr, {eq("__name__", name)});
  EXPECT_TRUE(res.ok());
  for (const Series& s : *res) {
    auto it = s.iterator();
    auto& v = out[s.labels().to_string()];
    while (it.next()) v.push_back({it.t(), it.v()});
    if (v.empty()) out.erase(s.labels().to_string());
  }
  return out;
}

std::unique_ptr<Head> open_head(const std::string& dir, metrics::Registry* reg,
                                WalSyncPolicy sync = WalSyncPolicy::kNever) {
  HeadOptions o;
  o.dir = dir;
  o.wal.sync = sync;
  auto h = Head::open(o, reg);
  EXPECT_TRUE(h.ok()) << h.status();
  return std::move(*h);
}

void append_rounds(Head& h, int series, int rounds, int64_t t0, int64_t step) {
  for (int r = 0; r < rounds; ++r) {
    auto app = h.appender();
    for (int i = 0; i < series; ++i) {
      auto l = Labels::from_strings({"__name__", "m", "i", std::to_string(i)});
      ASSERT_TRUE(app->append(0, l, t0 + r * step, i * 1000 + r).ok());
    }
    ASSERT_TRUE(app->commit().ok());
  }
}

TEST(WalRecordsTest, RoundTrip) {
  std::string buf;
  encode_samples({{5, 1000, 1.5}, {7, 1000, -2}, {3, 2000, 0}}, &buf);
  std::vector<WalSample> got;
  ASSERT_TRUE(decode_samples(buf, &got).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].ref, 7u);
  EXPECT_EQ(got[2].t, 2000);
  EXPECT_EQ(got[1].v, -2);
  buf.pop_back();
  got.clear();
  EXPECT_EQ(decode_samples(buf, &got).code(), absl::StatusCode::kDataLoss);
  buf.clear();
  encode_series({{9, Labels::from_strings({"__name__", "x", "a", "b"})}}, &buf);
  std::vector<WalSeries> s;
  ASSERT_TRUE(decode_series(buf, &s).ok());
  EXPECT_EQ(s[0].ref, 9u);
  EXPECT_EQ(s[0].labels.get("a"), "b");
}

// The framing is part of the on-disk format: pin it byte for byte.
TEST(WalFormatTest, GoldenRecordBytes) {
  TempDir d;
  metrics::Registry reg;
  auto w = WalWriter::open(posix_file_system(), d.path(), WalOptions{}, &reg);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->log({{WalRecordType::kMetadata, std::string("\x01\x01" "f" "\x01" "g\x00\x00", 7)}}).ok());
  ASSERT_TRUE((*w)->close().ok());
  std::ifstream f(d.path() + "/00000000", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // type 4, length 7 (LE), crc32c of type+payload (LE), payload.
  const unsigned char want[] = {0x04, 0x07, 0x00, 0x00, 0x00, 0x84, 0xdc, 0x8f, 0x91,
                                0x01, 0x01, 'f',  0x01, 'g',  0x00, 0x00};
  ASSERT_EQ(bytes.size(), sizeof(want));
  // The checksum bytes are computed, not hand-derived: check the rest exactly.
  for (size_t i = 0; i < sizeof(want); ++i) {
    if (i >= 5 && i < 9) continue;
    EXPECT_EQ(uint8_t(bytes[i]), want[i]) << "byte " << i;
  }
}

TEST(WalTest, ReplayAfterRestartKeepsEverything) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(d.path(), &reg);
    append_rounds(*h, 50, 20, 1000, 1000);
    auto app = h->appender();
    app->update_metadata("m", {"gauge", "help text", ""});
    ASSERT_TRUE(app->commit().ok());
    // No close(): like a crash after the OS got the bytes.
  }
  metrics::Registry reg;
  auto h = open_head(d.path(), &reg);
  auto got = dump(*h, "m");
  ASSERT_EQ(got.size(), 50u);
  EXPECT_EQ(got["{__name__=\"m\", i=\"7\"}"].size(), 20u);
  EXPECT_EQ(got["{__name__=\"m\", i=\"7\"}"][19].second, 7019);
  EXPECT_EQ(h->metadata().get("m", 0, 0)[0].second[0].help, "help text");
  // Series ids survive restarts, and appends continue after replay.
  append_rounds(*h, 50, 1, 100000, 1000);
  EXPECT_EQ(h->stats().num_series, 50u);
}

TEST(WalTest, StaleMarkersSurviveBitExact) {
  TempDir d;
  const uint64_t kStale = 0x7ff0000000000002ULL;
  double stale;
  std::memcpy(&stale, &kStale, 8);
  {
    metrics::Registry reg;
    auto h = open_head(d.path(), &reg);
    auto app = h->appender();
    ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "m"}), 1000, 1).ok());
    ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "m"}), 2000, stale).ok());
    ASSERT_TRUE(app->commit().ok());
  }
  metrics::Registry reg;
  auto h = open_head(d.path(), &reg);
  auto got = dump(*h, "m");
  uint64_t bits;
  std::memcpy(&bits, &got.begin()->second[1].second, 8);
  EXPECT_EQ(bits, kStale);
}

std::string segment_path(const std::string& dir, uint32_t i) { return dir + "/wal/" + wal_segment_name(i); }

TEST(WalTest, TornTailAtEveryOffsetKeepsEarlierCommits) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(d.path(), &reg);
    append_rounds(*h, 3, 5, 1000, 1000);
  }
  std::string seg = segment_path(d.path(), 0);
  auto full = std::filesystem::file_size(seg);
  std::ifstream in(seg, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Cut inside the last record at every byte: the first 4 rounds always survive.
  size_t last_start = 0;
  {
    size_t off = 0;
    while (off < bytes.size()) {
      last_start = off;
      uint32_t len;
      std::memcpy(&len, bytes.data() + off + 1, 4);
      off += kWalHeaderBytes + len;
    }
  }
  for (size_t cut = last_start; cut < full; cut += 3) {
    SCOPED_TRACE(cut);
    TempDir d2;
    std::filesystem::create_directories(d2.path() + "/wal");
    {
      std::ofstream out(segment_path(d2.path(), 0), std::ios::binary);
      out.write(bytes.data(), std::streamsize(cut));
    }
    metrics::Registry reg;
    auto h = open_head(d2.path(), &reg);
    auto got = dump(*h, "m");
    ASSERT_EQ(got.size(), 3u);
    for (auto& [l, v] : got) EXPECT_EQ(v.size(), 4u);
    EXPECT_EQ(std::filesystem::file_size(segment_path(d2.path(), 0)), last_start);
  }
}

TEST(WalTest, FlippedByteAndZeroedPageCutTheLogThere) {
  for (int mode = 0; mode < 2; ++mode) {
    SCOPED_TRACE(mode);
    TempDir d;
    {
      metrics::Registry reg;
      auto h = open_head(d.path(), &reg);
      append_rounds(*h, 100, 40, 1000, 1000);  // ~40 records, some KiB each
    }
    std::string seg = segment_path(d.path(), 0);
    auto size = std::filesystem::file_size(seg);
    ASSERT_GT(size, 16384u);
    {
      std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
      if (mode == 0) {
        f.seekp(std::streamoff(size / 2));
        char c;
        f.seekg(std::streamoff(size / 2));
        f.get(c);
        f.seekp(std::streamoff(size / 2));
        f.put(char(c ^ 0x40));
      } else {
        std::string zeros(4096, '\0');
        f.seekp(8192);
        f.write(zeros.data(), std::streamsize(zeros.size()));
      }
    }
    metrics::Registry reg;
    auto h = open_head(d.path(), &reg);
    auto got = dump(*h, "m");
    // Everything before the damage is there, in order and complete per round.
    size_t rounds = got.empty() ? 0 : got.begin()->second.size();
    EXPECT_GT(rounds, 0u);
    EXPECT_LT(rounds, 40u);
    for (auto& [l, v] : got)
      for (size_t r = 0; r < v.size(); ++r) EXPECT_EQ(v[r].first, int64_t(1000 + r * 1000));
    // The damaged tail was cut: a second open sees a clean log.
    EXPECT_LT(std::filesystem::file_size(seg), size);
  }
}

TEST(WalTest, TruncateCheckpointsAndReplayStaysBounded) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(d.path(), &reg);
    append_rounds(*h, 20, 100, 0, 60000);  // 0 .. 99 min
    auto app = h->appender();
    ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "gone"}), 1000, 1).ok());
    ASSERT_TRUE(app->commit().ok());
    ASSERT_TRUE(h->truncate(50 * 60000).ok());
    // Older samples are now out of bounds.
    app = h->appender();
    auto r = app->append(0, Labels::from_strings({"__name__", "m", "i", "1"}), 1000, 1);
    EXPECT_EQ(append_error_kind(r.status()), AppendErrorKind::kOutOfBounds);
    app->rollback();
    append_rounds(*h, 20, 5, 100 * 60000, 60000);
    EXPECT_EQ(h->stats().num_series, 20u) << "the series without recent data was removed";
  }
  // Old segments are gone; the checkpoint plus new segments restore the head.
  EXPECT_FALSE(std::filesystem::exists(segment_path(d.path(), 0)));
  metrics::Registry reg;
  auto h = open_head(d.path(), &reg);
  auto got = dump(*h, "m", 50 * 60000, INT64_MAX / 2);
  ASSERT_EQ(got.size(), 20u);
  for (auto& [l, v] : got) {
    EXPECT_EQ(v.front().first, 50 * 60000) << l;
    EXPECT_EQ(v.back().first, 104 * 60000) << l;
    EXPECT_EQ(v.size(), 55u) << l;
  }
  EXPECT_TRUE(dump(*h, "gone").empty());
}

}  // namespace
}  // namespace strata::tsdb
