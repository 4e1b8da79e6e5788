// BlockStore::compact() and Compactor::compact() stop at a shutdown request:
// Cancelled, no half-written block left, the blocks as they were.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "base/metrics.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/compact/block_store.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

constexpr int64_t kHour = 3600 * 1000;

class BlockStoreStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = BlockStore::open(posix_file_system(), dir_.path(), BlockStoreOptions{}, &reg_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    // Four adjacent 2 h blocks: the first three fill a 6 h range, so the
    // planner wants to merge them.
    Head head(HeadOptions{}, &reg_);
    auto app = head.appender();
    for (int64_t t = 0; t < 8 * kHour; t += 600'000) {
      for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "m", "i", std::to_string(i)}),
                                t, double(t))
                        .ok());
    }
    ASSERT_TRUE(app->commit().ok());
    for (int64_t b = 0; b < 8 * kHour; b += 2 * kHour) {
      auto q = head.querier(b, b + 2 * kHour - 1);
      auto meta = store_->write_head_block(q.get(), b, b + 2 * kHour);
      ASSERT_TRUE(meta.ok()) << meta.status();
    }
    ASSERT_EQ(store_->blocks().size(), 4u);
  }
  int entries() const {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      (void)e;
      ++n;
    }
    return n;
  }

  testing::TempDir dir_;
  metrics::Registry reg_;
  std::unique_ptr<BlockStore> store_;
};

TEST_F(BlockStoreStopTest, CompactReturnsCancelledAndKeepsBlocks) {
  std::atomic<bool> stop{true};
  auto n = store_->compact(&stop);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(absl::IsCancelled(n.status())) << n.status();
  EXPECT_EQ(store_->blocks().size(), 4u);
  EXPECT_EQ(entries(), 4);
  // Without a stop request the same plan goes through.
  stop = false;
  auto m = store_->compact(&stop);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_GE(*m, 1);
  EXPECT_LT(store_->blocks().size(), 4u);
}

TEST_F(BlockStoreStopTest, CompactorLeavesNoPartialBlock) {
  Compactor c(posix_file_system(), dir_.path(), true, &reg_);
  std::atomic<bool> stop{true};
  auto meta = c.compact(store_->blocks(), &stop);
  ASSERT_FALSE(meta.ok());
  EXPECT_TRUE(absl::IsCancelled(meta.status())) << meta.status();
  EXPECT_EQ(entries(), 4);  // no <ulid>.tmp left behind
  EXPECT_EQ(reg_.counter("strata_tsdb_compactions_failed_total", "").value(), 0);
}

}  // namespace
}  // namespace strata::tsdb
