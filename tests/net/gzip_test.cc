// net::gunzip: round trips, concatenated members, limits and corrupt input.
#include "net/gzip.h"

#include <gtest/gtest.h>

#include "tests/net/test_server.h"

namespace strata::net {
namespace {

TEST(GzipTest, RoundTripsAndConcatenatedMembers) {
  std::string a(70000, 'a'), b = "tail";
  auto r = gunzip(testing::gzip_compress(a) + testing::gzip_compress(b), 0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, a + b);
}

TEST(GzipTest, LimitCountsDecodedBytes) {
  std::string z = testing::gzip_compress(std::string(1 << 20, 'z'));
  EXPECT_TRUE(gunzip(z, 1 << 20).ok());
  auto r = gunzip(z, (1 << 20) - 1);
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
  EXPECT_EQ(r.status().message(), "body size limit exceeded");
}

// The output's memory is asked for before it grows, in doubling steps,
// never more than the limit and a chunk; a refusal stops the decoding.
TEST(GzipTest, AsksForTheOutputsMemoryBeforeItGrows) {
  const std::string plain(1 << 20, 'z');
  const std::string z = testing::gzip_compress(plain);
  uint64_t granted = 0;
  int asks = 0;
  auto r = gunzip(z, 1 << 20, [&](uint64_t bytes) {
    ++asks;
    granted += bytes;
    return absl::OkStatus();
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, plain);
  EXPECT_GE(granted, plain.size());
  EXPECT_LE(granted, plain.size() + (64 << 10));
  EXPECT_LE(asks, 6);  // 64 KiB doubling to 1 MiB

  uint64_t budget = 200 << 10;
  auto refused = gunzip(z, 1 << 20, [&](uint64_t bytes) {
    if (bytes > budget) return absl::UnavailableError("full");
    budget -= bytes;
    return absl::OkStatus();
  });
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_EQ(refused.status().message(), "full");
}

TEST(GzipTest, CorruptAndTruncatedInput) {
  EXPECT_TRUE(absl::IsDataLoss(gunzip("not gzip at all", 0).status()));
  std::string z = testing::gzip_compress("hello world");
  auto r = gunzip(z.substr(0, z.size() - 6), 0);
  EXPECT_TRUE(absl::IsDataLoss(r.status()));
  EXPECT_EQ(r.status().message(), "gzip: unexpected EOF");
}

}  // namespace
}  // namespace strata::net
