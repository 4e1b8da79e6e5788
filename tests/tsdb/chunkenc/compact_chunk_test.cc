#include "tsdb/chunkenc/compact_chunk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "tsdb/chunkenc/int_stream.h"

namespace strata::tsdb {
namespace {

uint64_t bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}
constexpr uint64_t kStale = 0x7ff0000000000002ULL;  // Prometheus' staleness marker

void round_trip(const std::vector<int64_t>& t, const std::vector<uint64_t>& v) {
  std::string c;
  encode_compact_chunk(t.data(), v.data(), t.size(), &c);
  EXPECT_EQ(compact_chunk_num_samples(c), t.size());
  CompactChunkDecoder d;
  ASSERT_TRUE(d.decode(c));
  ASSERT_EQ(d.size(), t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    ASSERT_EQ(d.t()[i], t[i]) << i;
    ASSERT_EQ(d.v_bits()[i], v[i]) << i;
  }
  // Every truncation is rejected, never read past the end.
  for (size_t n = 0; n < c.size(); ++n) EXPECT_FALSE(d.decode(std::string_view(c).substr(0, n)));
}

TEST(CompactChunkTest, RoundTripsShapes) {
  struct Case {
    const char* name;
    std::vector<int64_t> t;
    std::vector<uint64_t> v;
  };
  std::vector<Case> cases;
  cases.push_back({"single", {1000}, {bits(1.5)}});
  cases.push_back({"constant", {0, 15000, 30000}, {bits(7), bits(7), bits(7)}});
  cases.push_back({"counter", {0, 15000, 30000, 45000}, {bits(1), bits(5), bits(5), bits(90)}});
  cases.push_back({"decimals", {0, 10, 20, 35}, {bits(0.1), bits(0.25), bits(-3.125), bits(1e-9)}});
  cases.push_back({"floats", {1, 2, 3}, {bits(M_PI), bits(std::sqrt(2.0)), bits(1.0 / 3)}});
  cases.push_back({"stale", {0, 15000, 30000, 45000}, {bits(1), bits(2), kStale, bits(3)}});
  cases.push_back({"all stale", {0, 15000}, {kStale, kStale}});
  cases.push_back({"specials",
                   {-5000, -1, 0, 7, 1000000},
                   {bits(-0.0), bits(std::numeric_limits<double>::infinity()),
                    bits(-std::numeric_limits<double>::infinity()), 0x7ff8000000000001ULL, bits(0)}});
  cases.push_back({"huge", {1, 2, 3}, {bits(1e300), bits(-4.6e18), bits(9.2e18)}});
  cases.push_back({"int64 edges", {std::numeric_limits<int64_t>::min() / 4, 0, std::numeric_limits<int64_t>::max() / 4},
                   {bits(1), bits(2), bits(3)}});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    round_trip(c.t, c.v);
  }
}

TEST(CompactChunkTest, RoundTripsRandom) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    SCOPED_TRACE(iter);
    size_t n = 1 + rng() % kMaxCompactChunkSamples;
    std::vector<int64_t> t(n);
    std::vector<uint64_t> v(n);
    int64_t ts = int64_t(rng() % 2000000000000ULL);
    int kind = int(rng() % 5);
    double val = 0;
    for (size_t i = 0; i < n; ++i) {
      ts += (rng() % 4 == 0) ? int64_t(1 + rng() % 100000) : 15000;
      t[i] = ts;
      switch (kind) {
        case 0: val += double(rng() % 100); break;
        case 1: val = std::round((val + double(int64_t(rng() % 200) - 100) / 7) * 100) / 100; break;
        case 2: val += std::ldexp(double(rng() % 1000), -int(rng() % 40)); break;
        case 3: val = double(int64_t(rng())); break;
        default: val = std::bit_cast<double>(rng()); break;
      }
      v[i] = rng() % 50 == 0 ? kStale : bits(val);
    }
    round_trip(t, v);
  }
}

TEST(CompactChunkTest, RegularCountersCostUnderOneBytePerSample) {
  // 2 h at 15 s of a counter growing by 0..99 per scrape.
  std::mt19937_64 rng(1);
  std::vector<int64_t> t(480);
  std::vector<uint64_t> v(480);
  double c = 1000;
  for (size_t i = 0; i < t.size(); ++i) {
    t[i] = 1700000000000 + int64_t(i) * 15000;
    c += double(rng() % 100);
    v[i] = bits(c);
  }
  std::string out;
  encode_compact_chunk(t.data(), v.data(), t.size(), &out);
  EXPECT_LT(out.size(), t.size());
}

TEST(IntStreamTest, RoundTripsWidths) {
  std::mt19937_64 rng(3);
  for (int w = 0; w <= 64; ++w) {
    std::vector<int64_t> v(300);
    for (auto& x : v) x = int64_t(w == 64 ? rng() : (w == 0 ? 5 : rng() & ((1ULL << w) - 1))) - 17;
    std::string s;
    put_int_stream(&s, v.data(), v.size());
    EXPECT_EQ(s.size(), int_stream_size(v.data(), v.size()));
    std::vector<int64_t> out(v.size());
    const char* p = s.data();
    ASSERT_TRUE(get_int_stream(&p, s.data() + s.size(), out.data(), out.size())) << w;
    EXPECT_EQ(p, s.data() + s.size());
    EXPECT_EQ(out, v) << w;
  }
}

}  // namespace
}  // namespace strata::tsdb
