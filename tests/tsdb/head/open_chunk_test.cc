#include "tsdb/head/open_chunk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/head/chunk_list.h"

namespace strata::tsdb {
namespace {

uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

// The head's inline encoder must produce Prometheus' XOR chunk, byte for
// byte, like chunkenc's XorAppender.
TEST(OpenChunkTest, BitIdenticalToXorAppender) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 50; ++round) {
    SCOPED_TRACE(round);
    OpenChunk c;
    XorAppender ref;
    int64_t t = int64_t(rng() % 2000000000000) - 1000000000000;
    double v = double(rng() % 1000);
    int n = 1 + int(rng() % 200);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 6) {
        case 0:
          t += 15000;
          break;
        case 1:
          t += int64_t(rng() % 100000);
          break;
        case 2:
          t += int64_t(1) << (rng() % 31);  // within fits()
          break;
        default:
          t += 15000 + int64_t(rng() % 20) - 10;
      }
      switch (rng() % 5) {
        case 0:
          break;
        case 1:
          v += 1;
          break;
        case 2:
          v = double(rng()) / 3;
          break;
        case 3:
          v = std::nan("");
          break;
        default:
          v *= 1.0001;
      }
      c.append(t, bits_of(v));
      ref.append(t, v);
      ASSERT_EQ(c.bytes(), ref.bytes()) << "sample " << i;
    }
    EXPECT_EQ(c.n, n);
    EXPECT_EQ(c.t, t);
    XorIterator it(c.bytes());
    ASSERT_TRUE(it.next());
    EXPECT_EQ(c.mint_ms(), it.t());
    ChunkBuf* b = c.release();
    EXPECT_TRUE(c.empty());
    EXPECT_EQ(b->view(), ref.bytes());
    EXPECT_GE(b->capacity(), b->size());
    b->unref();
  }
}

TEST(ChunkListTest, PushEraseAndReferences) {
  ChunkList l;
  EXPECT_TRUE(l.empty());
  std::vector<ChunkBuf*> bufs;
  for (int i = 0; i < 5; ++i) {
    bufs.push_back(ChunkBuf::copy_of(std::string(i + 1, 'x')));
    bufs.back()->ref();  // the test keeps one reference
    l.push_back({i * 10, i * 10 + 9, bufs.back()});
  }
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[4].mint_ms, 40);
  l.erase_front(2);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].mint_ms, 20);
  EXPECT_EQ(l.back().buf->size(), 5u);
  l.clear();
  for (ChunkBuf* b : bufs) b->unref();  // the last references: freed (ASan checks)
}

}  // namespace
}  // namespace strata::tsdb
