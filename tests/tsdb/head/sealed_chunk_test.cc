// Sealed head chunks are re-encoded compactly when that is smaller: whatever
// the values (integers, decimals, full-precision floats, NaN payloads, stale
// markers, ±Inf, -0) and the timestamps (regular, jittered, gaps, chunk-range
// cuts), a series must give back every sample bit-exactly, find() each one,
// and query the same through the head.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "tsdb/head/mem_series.h"

namespace strata::tsdb {
namespace {

constexpr uint64_t kStale = 0x7ff0000000000002ULL;
constexpr int64_t kRangeMs = 2 * 3600 * 1000;

uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

struct SeriesHolder {
  MemSeries* s;
  SeriesHolder() {
    std::pair<uint32_t, uint32_t> l{1, 2};
    s = MemSeries::create(7, 42, std::span(&l, 1));
  }
  ~SeriesHolder() { MemSeries::destroy(s); }
};

enum class Values { kCounter, kDecimals, kRandom, kSpecials, kConstant };

// One series' samples of the given kind, 15 s apart; when `irregular`, some
// intervals jitter and some are gaps.
std::vector<OooChunks::Entry> make_samples(Values kind, std::mt19937_64& rng, int n,
                                           bool irregular = true) {
  std::vector<OooChunks::Entry> out;
  int64_t t = 1'700'000'000'000 + int64_t(rng() % 100000);
  double v = double(rng() % 1000);
  for (int i = 0; i < n; ++i) {
    switch (irregular ? rng() % 10 : 9) {
      case 0: t += 1 + int64_t(rng() % 600000); break;  // a gap
      case 1: t += 15000 + int64_t(rng() % 40) - 20; break;  // jitter
      default: t += 15000;
    }
    uint64_t b = 0;
    switch (kind) {
      case Values::kCounter: v += double(rng() % 5); b = bits_of(v); break;
      case Values::kDecimals: b = bits_of(double(int64_t(rng() % 100000) - 50000) / 100); break;
      case Values::kRandom: b = bits_of(std::ldexp(double(rng()), -int(rng() % 80))); break;
      case Values::kConstant: b = bits_of(3.5); break;
      case Values::kSpecials: {
        static const uint64_t kOdd[] = {kStale, 0x7ff8000000000001ULL, bits_of(-0.0),
                                        bits_of(INFINITY), bits_of(-INFINITY), bits_of(1e300)};
        b = rng() % 3 == 0 ? kOdd[rng() % 6] : bits_of(double(rng() % 50));
        break;
      }
    }
    out.push_back({t, b});
  }
  return out;
}

size_t count_encoding(const MemSeries& s, ChunkEncoding e) {
  size_t n = 0;
  for (const SealedChunk& c : s.sealed) n += c.buf->encoding() == e;
  return n;
}

TEST(SealedChunkTest, RandomizedSamplesComeBackBitExact) {
  const Values kinds[] = {Values::kCounter, Values::kDecimals, Values::kRandom,
                          Values::kSpecials, Values::kConstant};
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    Values kind = kinds[seed % 5];
    SCOPED_TRACE("seed " + std::to_string(seed) + " kind " + std::to_string(int(kind)));
    auto want = make_samples(kind, rng, 1 + int(rng() % 900));
    SeriesHolder h;
    for (const auto& e : want) h.s->append(e.t, e.bits, kRangeMs);
    auto got = h.s->all_samples();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i].t, want[i].t) << i;
      ASSERT_EQ(got[i].bits, want[i].bits) << i;
      uint64_t b = 0;
      ASSERT_TRUE(h.s->find(want[i].t, &b)) << i;
      ASSERT_EQ(b, want[i].bits) << i;
      bool next_is_adjacent = i + 1 < want.size() && want[i + 1].t == want[i].t + 1;
      if (!next_is_adjacent) ASSERT_FALSE(h.s->find(want[i].t + 1, &b)) << i;
    }
    // Chunks stay sorted and within their stated range.
    for (const SealedChunk& c : h.s->sealed) ASSERT_LE(c.mint_ms, c.maxt_ms);
  }
}

TEST(SealedChunkTest, CompactOnlyWhereItIsSmaller) {
  std::mt19937_64 rng(5);
  SeriesHolder counter, random;
  for (const auto& e : make_samples(Values::kCounter, rng, 1000, false))
    counter.s->append(e.t, e.bits, kRangeMs);
  for (const auto& e : make_samples(Values::kRandom, rng, 1000))
    random.s->append(e.t, e.bits, kRangeMs);
  ASSERT_GE(counter.s->sealed.size(), 8u);
  // Integer counters: every sealed chunk compact, and far smaller than XOR.
  EXPECT_EQ(count_encoding(*counter.s, ChunkEncoding::kCompact), counter.s->sealed.size());
  // Full-precision random values at irregular times (the compact chunk
  // bit-packs all interval deviations at the widest one's width): XOR wins,
  // so the chunks stay XOR.
  EXPECT_GT(count_encoding(*random.s, ChunkEncoding::kXor), random.s->sealed.size() / 2);
  EXPECT_LT(counter.s->allocated_bytes() * 2, random.s->allocated_bytes());
}

TEST(SealedChunkTest, OutOfOrderInsertSeesSamplesInCompactChunks) {
  std::mt19937_64 rng(9);
  SeriesHolder h;
  auto want = make_samples(Values::kCounter, rng, 400, false);
  for (const auto& e : want) h.s->append(e.t, e.bits, kRangeMs);
  ASSERT_GT(count_encoding(*h.s, ChunkEncoding::kCompact), 0u);
  const auto& old = want[37];
  EXPECT_EQ(h.s->insert_ooo(old.t, old.bits), InsertResult::kSame);
  EXPECT_EQ(h.s->insert_ooo(old.t, old.bits + 1), InsertResult::kDuplicate);
  EXPECT_EQ(h.s->insert_ooo(old.t + 1, old.bits), InsertResult::kInserted);
  auto got = h.s->all_samples();
  EXPECT_EQ(got.size(), want.size() + 1);
}

}  // namespace
}  // namespace strata::tsdb
