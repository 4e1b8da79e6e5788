#include "base/memory_meter.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata {
namespace {

TEST(MemoryMeterTest, ReservesInStepsAndStopsAtTheFirstRefusal) {
  std::vector<uint64_t> asked;
  uint64_t limit = 3 * MemoryMeter::kStep;
  MemoryMeter m([&](uint64_t bytes) {
    asked.push_back(bytes);
    uint64_t total = 0;
    for (uint64_t a : asked) total += a;
    return total <= limit ? absl::OkStatus() : absl::ResourceExhaustedError("full");
  });
  EXPECT_TRUE(m.charge(10));  // one step covers many small charges
  EXPECT_TRUE(m.charge(MemoryMeter::kStep - 10));
  EXPECT_EQ(asked, std::vector<uint64_t>{MemoryMeter::kStep});
  EXPECT_TRUE(m.charge(MemoryMeter::kStep + 5));  // more than a step: exactly what is missing
  EXPECT_EQ(asked.back(), MemoryMeter::kStep + 5);
  EXPECT_FALSE(m.charge(MemoryMeter::kStep));  // over the limit
  EXPECT_EQ(m.status().code(), absl::StatusCode::kResourceExhausted);
  const size_t calls = asked.size();
  limit = ~uint64_t(0);
  EXPECT_FALSE(m.charge(1));  // a refused meter stays refused
  EXPECT_EQ(asked.size(), calls);
}

TEST(MemoryMeterTest, VectorsAreChargedEveryBufferTheyHad) {
  uint64_t granted = 0;
  MemoryMeter m([&](uint64_t bytes) {
    granted += bytes;
    return absl::OkStatus();
  });
  std::vector<uint64_t> v;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(grow_for_one(v, &m));
    v.push_back(uint64_t(i));
  }
  // 16 + 32 + ... + capacity: covers the last move's old + new buffers.
  EXPECT_EQ(m.charged(), (2 * v.capacity() - 16) * sizeof(uint64_t));
  EXPECT_GE(m.charged(), (v.capacity() + v.capacity() / 2) * sizeof(uint64_t));
  EXPECT_GE(granted, m.charged());
  EXPECT_LT(granted, m.charged() + MemoryMeter::kStep);

  // Capacity a reused vector has is free; refusal leaves the vector as it was.
  v.clear();
  MemoryMeter none([](uint64_t) { return absl::UnavailableError("busy"); });
  while (v.size() < v.capacity()) {
    ASSERT_TRUE(grow_for_one(v, &none));
    v.push_back(0);
  }
  const size_t cap = v.capacity();
  EXPECT_FALSE(grow_for_one(v, &none));
  EXPECT_EQ(v.capacity(), cap);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace strata
