#include "tsdb/chunkenc/xor_chunk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace strata::tsdb {
namespace {

uint64_t bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}
double from_bits(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

struct S {
  int64_t t;
  double v;
};

void round_trip(const std::vector<S>& in) {
  XorAppender a;
  for (const S& s : in) a.append(s.t, s.v);
  XorIterator it(a.bytes());
  ASSERT_EQ(it.num_samples(), int(in.size()));
  for (const S& s : in) {
    ASSERT_TRUE(it.next());
    EXPECT_EQ(it.t(), s.t);
    EXPECT_EQ(it.v_bits(), bits(s.v));
  }
  EXPECT_FALSE(it.next());
  EXPECT_TRUE(it.ok());
}

TEST(XorChunkTest, RoundTripsRegularSamples) {
  std::vector<S> in;
  for (int i = 0; i < 120; ++i) in.push_back({1700000000000 + i * 15000, 100.0 + i * 3});
  round_trip(in);
}

TEST(XorChunkTest, RoundTripsStaleMarkersAndNaNs) {
  const double stale = from_bits(0x7ff0000000000002ULL);
  const double nan = from_bits(0x7ff8000000000001ULL);
  round_trip({{0, 1}, {1000, stale}, {2000, nan}, {3000, INFINITY}, {4000, -0.0}, {5000, stale}});
}

TEST(XorChunkTest, RoundTripsRandomJitterAndLargeGaps) {
  std::mt19937_64 rng(42);
  std::vector<S> in;
  int64_t t = -5000;
  for (int i = 0; i < 500; ++i) {
    int kind = int(rng() % 5);
    t += kind == 0 ? 1 : kind == 1 ? 15000 + int64_t(rng() % 200) : kind == 2 ? (int64_t(1) << 35)
                                                                                : int64_t(rng() % 100000);
    in.push_back({t, from_bits(rng())});
  }
  round_trip(in);
}

TEST(XorChunkTest, TruncatedChunkIsNotOk) {
  XorAppender a;
  for (int i = 0; i < 50; ++i) a.append(i * 1000, i * 1.5);
  std::string b = a.bytes();
  b.resize(b.size() / 2);
  XorIterator it(b);
  while (it.next()) {
  }
  EXPECT_FALSE(it.ok());
}

}  // namespace
}  // namespace strata::tsdb
