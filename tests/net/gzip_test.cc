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

TEST(GzipTest, CorruptAndTruncatedInput) {
  EXPECT_TRUE(absl::IsDataLoss(gunzip("not gzip at all", 0).status()));
  std::string z = testing::gzip_compress("hello world");
  auto r = gunzip(z.substr(0, z.size() - 6), 0);
  EXPECT_TRUE(absl::IsDataLoss(r.status()));
  EXPECT_EQ(r.status().message(), "gzip: unexpected EOF");
}

}  // namespace
}  // namespace strata::net
