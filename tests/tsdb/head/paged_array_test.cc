#include "tsdb/head/paged_array.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace strata::tsdb {
namespace {

using Small = PagedArray<std::string, 2, 8>;  // 4 per page, 32 in all

TEST(PagedArrayTest, SlotsAreNullUntilTheirPageIsAllocated) {
  Small a;
  for (size_t i = 0; i < Small::kCapacity; ++i) EXPECT_EQ(a.slot(i), nullptr) << i;
  a.ensure(5) = "five";
  // Page 1 (ids 4..7) now exists, value-initialised; the others do not.
  EXPECT_EQ(*a.slot(5), "five");
  EXPECT_EQ(*a.slot(4), "");
  EXPECT_EQ(*a.slot(7), "");
  EXPECT_EQ(a.slot(3), nullptr);
  EXPECT_EQ(a.slot(8), nullptr);
}

TEST(PagedArrayTest, ElementsNeverMoveAndSparsePagesAreFreed) {
  Small a;
  std::string* last = &a.ensure(Small::kCapacity - 1);
  *last = std::string(100, 'x');  // a heap string: leaks if its page is not freed
  std::string* first = &a.ensure(0);
  *first = std::string(100, 'y');
  for (size_t i = 1; i + 1 < Small::kCapacity; ++i) a.ensure(i) = std::to_string(i);
  EXPECT_EQ(a.slot(Small::kCapacity - 1), last);
  EXPECT_EQ(a.slot(0), first);
  EXPECT_EQ(*a.slot(17), "17");
}

// A walk visits the allocated pages below its end and nothing else, so a
// sparse id far out costs one page, not a walk up to it.
TEST(PagedArrayTest, WalksVisitOnlyAllocatedPagesBelowTheEnd) {
  PagedArray<int, 4, 1 << 20> a;  // 16 per page, 16M ids
  a.ensure(3) = 3;
  a.ensure((1 << 24) - 2) = 7;  // the last page
  std::vector<size_t> seen;
  a.for_each_slot(1 << 24, [&](size_t i, int* slot) {
    EXPECT_EQ(slot, a.slot(i));
    if (*slot != 0) seen.push_back(i);
    if (i < 16) EXPECT_EQ(*slot, i == 3 ? 3 : 0);
  });
  EXPECT_EQ(seen, (std::vector<size_t>{3, (1 << 24) - 2}));
  size_t visits = 0;
  a.for_each_slot(1 << 24, [&](size_t, int*) { ++visits; });
  EXPECT_EQ(visits, 32u);  // two pages
  visits = 0;
  a.for_each_slot(5, [&](size_t i, int*) {
    EXPECT_LT(i, 5u);
    ++visits;
  });
  EXPECT_EQ(visits, 5u);
}

TEST(PagedArrayTest, ReadersSeePagesPublishedByTheWriter) {
  PagedArray<int, 4, 1024> a;  // 16 per page
  constexpr int kN = 16 * 1024;
  std::atomic<int> published{0};
  std::thread writer([&] {
    for (int i = 0; i < kN; ++i) {
      __atomic_store_n(&a.ensure(size_t(i)), i + 1, __ATOMIC_RELEASE);
      published.store(i + 1, std::memory_order_release);
    }
  });
  int seen = 0;
  while (seen < kN) {
    const int n = published.load(std::memory_order_acquire);
    for (int i = seen; i < n; ++i) {
      int* s = a.slot(size_t(i));
      ASSERT_NE(s, nullptr);
      ASSERT_EQ(__atomic_load_n(s, __ATOMIC_ACQUIRE), i + 1);
    }
    seen = n;
  }
  writer.join();
}

}  // namespace
}  // namespace strata::tsdb
