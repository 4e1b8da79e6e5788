#include "tsdb/compact/planner.h"

#include <gtest/gtest.h>

#include "tsdb/compact/retention.h"

namespace strata::tsdb {
namespace {

constexpr int64_t kH = 3600 * 1000;

BlockMeta meta(int64_t mint, int64_t maxt, std::string id = "") {
  BlockMeta m;
  m.ulid = id;
  m.min_time_ms = mint;
  m.max_time_ms = maxt;
  m.stats.num_series = 10;
  return m;
}

TEST(PlannerTest, RangesFollowRetention) {
  EXPECT_EQ(compaction_ranges(15 * 24 * kH), (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH}));
  EXPECT_EQ(compaction_ranges(90 * 24 * kH),
            (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH, 54 * kH, 162 * kH}));
  auto r = compaction_ranges(0);
  EXPECT_EQ(r.back(), 486 * kH);  // the largest step below 31 d
  EXPECT_EQ(compaction_ranges(kH), (std::vector<int64_t>{2 * kH}));
}

TEST(PlannerTest, Cases) {
  auto ranges = compaction_ranges(15 * 24 * kH);
  struct Case {
    const char* name;
    std::vector<BlockMeta> metas;
    std::vector<size_t> want;
  };
  std::vector<Case> cases = {
      {"nothing", {}, {}},
      {"one block", {meta(0, 2 * kH)}, {}},
      {"newest is left out", {meta(0, 2 * kH), meta(2 * kH, 4 * kH)}, {}},
      {"three fill 6h, newest excluded so not yet",
       {meta(0, 2 * kH), meta(2 * kH, 4 * kH), meta(4 * kH, 6 * kH)},
       {}},
      {"three fill 6h plus a newer one",
       {meta(0, 2 * kH), meta(2 * kH, 4 * kH), meta(4 * kH, 6 * kH), meta(6 * kH, 8 * kH)},
       {0, 1, 2}},
      {"a partial range ending after the newest-but-one block starts",
       {meta(0, 2 * kH), meta(2 * kH, 4 * kH), meta(6 * kH, 8 * kH)},
       {}},
      {"a partial range wholly before it",
       {meta(0, 2 * kH), meta(2 * kH, 4 * kH), meta(8 * kH, 10 * kH), meta(10 * kH, 12 * kH)},
       {0, 1}},
      {"18h from 6h blocks",
       {meta(0, 6 * kH), meta(6 * kH, 12 * kH), meta(12 * kH, 18 * kH), meta(18 * kH, 20 * kH)},
       {0, 1, 2}},
      {"overlapping first", {meta(0, 2 * kH), meta(kH, 3 * kH), meta(4 * kH, 6 * kH)}, {0, 1}},
      {"unordered input",
       {meta(2 * kH, 4 * kH), meta(10 * kH, 12 * kH), meta(0, 2 * kH), meta(8 * kH, 10 * kH)},
       {2, 0}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(plan_compaction(c.metas, ranges), c.want);
  }
}

TEST(PlannerTest, TombstonedBlocksAreRewritten) {
  auto ranges = compaction_ranges(15 * 24 * kH);
  auto big = meta(0, 18 * kH);
  big.stats.num_series = 100;
  big.stats.num_tombstones = 10;
  EXPECT_EQ(plan_compaction({big, meta(18 * kH, 20 * kH)}, ranges), std::vector<size_t>{0});
  auto small = meta(0, 2 * kH);
  small.stats.num_tombstones = 10;  // every series deleted
  EXPECT_EQ(plan_compaction({small, meta(6 * kH, 8 * kH)}, ranges), std::vector<size_t>{0});
}

TEST(PlannerTest, HeadCutRange) {
  EXPECT_FALSE(head_cut_range(0, 3 * kH, 2 * kH));           // exactly 1.5 ranges
  EXPECT_FALSE(head_cut_range(INT64_MAX, INT64_MIN, 2 * kH));  // empty head
  auto r = head_cut_range(kH, 4 * kH + 1, 2 * kH);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, kH);
  EXPECT_EQ(r->second, 2 * kH);
  r = head_cut_range(-kH, 3 * kH, 2 * kH);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->second, 0);
}

TEST(RetentionTest, ByTime) {
  std::vector<RetentionBlock> bs = {{meta(0, 2 * kH, "A"), 10},
                                    {meta(2 * kH, 4 * kH, "B"), 10},
                                    {meta(4 * kH, 6 * kH, "C"), 10},
                                    {meta(6 * kH, 8 * kH, "D"), 10}};
  // D's max is 8h: A (2h) is 6h behind, B 4h, C 2h.
  EXPECT_EQ(beyond_time_retention(bs, 4 * kH), std::vector<size_t>{0});  // 4h is not "more than"
  EXPECT_EQ(beyond_time_retention(bs, 3 * kH), (std::vector<size_t>{1, 0}));
  EXPECT_TRUE(beyond_time_retention(bs, 0).empty());
  EXPECT_TRUE(beyond_time_retention({bs[0]}, 1).empty());  // the newest block is always kept
}

TEST(RetentionTest, BySize) {
  std::vector<RetentionBlock> bs = {{meta(0, 2 * kH), 100},
                                    {meta(2 * kH, 4 * kH), 100},
                                    {meta(4 * kH, 6 * kH), 100}};
  EXPECT_TRUE(beyond_size_retention(bs, 300, 0).empty());
  EXPECT_EQ(beyond_size_retention(bs, 299, 0), std::vector<size_t>{0});
  EXPECT_EQ(beyond_size_retention(bs, 300, 50), std::vector<size_t>{0});  // the WAL counts
  EXPECT_EQ(beyond_size_retention(bs, 150, 0), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(beyond_size_retention(bs, 50, 0), (std::vector<size_t>{2, 1, 0}));
  EXPECT_TRUE(beyond_size_retention(bs, 0, 1000).empty());
}

}  // namespace
}  // namespace strata::tsdb
