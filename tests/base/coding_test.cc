#include "base/coding.h"

#include <gtest/gtest.h>

#include "base/crc32c.h"

namespace strata {
namespace {

TEST(CodingTest, VarintsRoundTrip) {
  const int64_t values[] = {0, 1, -1, 63, -64, 1 << 20, -(int64_t(1) << 40), INT64_MAX, INT64_MIN};
  for (int64_t v : values) {
    SCOPED_TRACE(v);
    std::string buf;
    put_varint(&buf, v);
    put_uvarint(&buf, uint64_t(v));
    const char* p = buf.data();
    int64_t got;
    uint64_t ugot;
    ASSERT_TRUE(get_varint(&p, buf.data() + buf.size(), &got));
    ASSERT_TRUE(get_uvarint(&p, buf.data() + buf.size(), &ugot));
    EXPECT_EQ(got, v);
    EXPECT_EQ(ugot, uint64_t(v));
    EXPECT_EQ(p, buf.data() + buf.size());
  }
}

TEST(CodingTest, TruncatedVarintFails) {
  std::string buf;
  put_uvarint(&buf, 1ULL << 40);
  const char* p = buf.data();
  uint64_t v;
  EXPECT_FALSE(get_uvarint(&p, buf.data() + buf.size() - 1, &v));
}

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 test vector: 32 bytes of zeros.
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros), 0x8a9136aaU);
  EXPECT_EQ(crc32c("123456789"), 0xe3069283U);
  // Extending in pieces equals one pass.
  uint32_t c = crc32c_extend(0, "1234", 4);
  EXPECT_EQ(crc32c_extend(c, "56789", 5), 0xe3069283U);
}

}  // namespace
}  // namespace strata
