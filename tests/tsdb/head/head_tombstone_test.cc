// Head tombstones: delete_series, query-time filtering, restarts, cleaning.
#include <gtest/gtest.h>

#include "tests/tsdb/head/head_test_util.h"

namespace strata::tsdb {
namespace {

using namespace testing;  // NOLINT

std::vector<int64_t> times(const Dump& d, const std::string& series) {
  std::vector<int64_t> out;
  auto it = d.find(series);
  if (it == d.end()) return out;
  for (auto& [t, b] : it->second) out.push_back(t);
  return out;
}

const std::string kS0 = "{__name__=\"m\", i=\"0\"}";
const std::string kS1 = "{__name__=\"m\", i=\"1\"}";

TEST(HeadTombstoneTest, DeletedSamplesAreNeverReturnedAndSurviveRestart) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 2, 300, 0, 1000);  // 0..299 s, 3 chunks each
    ASSERT_TRUE(h->delete_series({eq("i", "0")}, 100000, 199000).ok());
    Dump got = dump(*h, "m");
    EXPECT_EQ(times(got, kS0).size(), 200u);
    EXPECT_EQ(times(got, kS1).size(), 300u);
    for (int64_t t : times(got, kS0)) EXPECT_TRUE(t < 100000 || t > 199000) << t;
    // A query inside the deleted range sees nothing of that series.
    Dump inside = dump(*h, {eq("__name__", "m")}, 120000, 180000);
    EXPECT_EQ(inside.count(kS0), 0u);
    EXPECT_EQ(inside.count(kS1), 1u);
  }
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, "m");
  EXPECT_EQ(times(got, kS0).size(), 200u);
  EXPECT_EQ(times(got, kS1).size(), 300u);
}

TEST(HeadTombstoneTest, CleanRewritesChunksAndKeepsAnswers) {
  metrics::Registry reg;
  Head h(HeadOptions{}, &reg);
  append_rounds(h, 2, 300, 0, 1000);
  uint64_t chunks = h.stats().num_chunks;
  ASSERT_TRUE(h.delete_series({eq("i", "0")}, 0, 239000).ok());
  Dump before = dump(h, "m");
  ASSERT_TRUE(h.clean_tombstones().ok());
  EXPECT_EQ(dump(h, "m"), before);
  EXPECT_LT(h.stats().num_chunks, chunks);
  EXPECT_EQ(times(before, kS0).front(), 240000);
}

TEST(HeadTombstoneTest, SamplesAppendedAfterTheDeleteAreKeptAcrossRestart) {
  TempDir d;
  HeadOptions o = head_options(d.path());
  o.ooo_window_ms = 3600 * 1000;
  Dump live;
  {
    metrics::Registry reg;
    auto h = open_head(o, &reg);
    append_rounds(*h, 1, 10, 0, 1000);
    // Deleting up to "forever" (the API's default end) does not block new data.
    ASSERT_TRUE(h->delete_series({eq("__name__", "m")}, 5000, INT64_MAX).ok());
    append_rounds(*h, 1, 5, 20000, 1000);
    // An out-of-order sample into the deleted range is new data too.
    auto app = h->appender();
    ASSERT_TRUE(app->append(0, series_labels(0), 7000, 42).ok());
    ASSERT_TRUE(app->commit().ok());
    live = dump(*h, "m");
    EXPECT_EQ(times(live, kS0), (std::vector<int64_t>{0, 1000, 2000, 3000, 4000, 7000, 20000, 21000,
                                                      22000, 23000, 24000}));
  }
  metrics::Registry reg;
  auto h = open_head(o, &reg);
  EXPECT_EQ(dump(*h, "m"), live);
}

TEST(HeadTombstoneTest, TombstonesSurviveCheckpoints) {
  TempDir d;
  {
    metrics::Registry reg;
    auto h = open_head(head_options(d.path()), &reg);
    append_rounds(*h, 2, 100, 0, 1000);
    ASSERT_TRUE(h->delete_series({eq("i", "1")}, 50000, 60000).ok());
    ASSERT_TRUE(h->truncate(10000).ok());
  }
  metrics::Registry reg;
  auto h = open_head(head_options(d.path()), &reg);
  Dump got = dump(*h, {eq("__name__", "m")}, 10000, INT64_MAX / 2);
  EXPECT_EQ(times(got, kS0).size(), 90u);
  EXPECT_EQ(times(got, kS1).size(), 79u);
}

}  // namespace
}  // namespace strata::tsdb
