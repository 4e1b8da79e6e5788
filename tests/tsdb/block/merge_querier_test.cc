// The lazy k-way merge behind MergeQuerier: order, chaining of duplicate
// series' chunks in source order, errors, and reading no further than asked.
#include "tsdb/block/merge_querier.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace strata::tsdb {
namespace {

// A series whose chunks carry only time ranges (never decoded here).
Series series(const std::string& name, std::vector<std::pair<int64_t, int64_t>> ranges) {
  std::vector<ChunkRef> chunks;
  for (auto [a, b] : ranges) chunks.push_back({a, b, {}, nullptr});
  return Series(Labels::from_strings({"__name__", name}), std::move(chunks), ranges.front().first,
                ranges.back().second);
}

// Hands out `n` series, then fails with `error` (OK: ends normally); counts
// how often it was advanced.
class CountingSet final : public SeriesSet {
 public:
  CountingSet(std::vector<Series> s, absl::Status error, int* calls)
      : s_(std::move(s)), error_(std::move(error)), calls_(calls) {}
  bool next() override {
    ++*calls_;
    return pos_ < s_.size() && ++pos_ > 0;
  }
  Series& at() override { return s_[pos_ - 1]; }
  absl::Status status() const override { return pos_ < s_.size() ? absl::OkStatus() : error_; }

 private:
  std::vector<Series> s_;
  size_t pos_ = 0;
  absl::Status error_;
  int* calls_;
};

std::vector<std::unique_ptr<SeriesSet>> sets(std::vector<std::vector<Series>> in) {
  std::vector<std::unique_ptr<SeriesSet>> out;
  for (auto& v : in) out.push_back(std::make_unique<VectorSeriesSet>(std::move(v)));
  return out;
}

TEST(MergeSeriesSetTest, ChainsEqualSeriesInSourceOrder) {
  auto merged = merge_series_sets(sets({
      {series("a", {{0, 9}}), series("c", {{0, 9}})},
      {series("b", {{10, 19}}), series("c", {{10, 19}})},
      {series("c", {{20, 29}, {30, 39}})},
  }));
  auto all = read_all(*merged);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].labels().metric_name(), "a");
  EXPECT_EQ((*all)[1].labels().metric_name(), "b");
  const Series& c = (*all)[2];
  EXPECT_EQ(c.labels().metric_name(), "c");
  ASSERT_EQ(c.chunks().size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(c.chunks()[i].mint_ms, int64_t(i) * 10) << i;
  EXPECT_EQ(c.mint_ms(), 0);
  EXPECT_EQ(c.maxt_ms(), 39);
}

TEST(MergeSeriesSetTest, ReadsSourcesOnlyAsFarAsAsked) {
  int calls[2] = {0, 0};
  std::vector<std::unique_ptr<SeriesSet>> in;
  for (int k = 0; k < 2; ++k) {
    std::vector<Series> v;
    for (int i = 0; i < 1000; ++i) v.push_back(series("m" + std::to_string(10000 + i), {{k, k}}));
    in.push_back(std::make_unique<CountingSet>(std::move(v), absl::OkStatus(), &calls[k]));
  }
  auto merged = merge_series_sets(std::move(in));
  ASSERT_TRUE(merged->next());
  EXPECT_EQ(merged->at().chunks().size(), 2u);
  // Each source is one series ahead at most: nothing else was built.
  EXPECT_LE(calls[0], 2);
  EXPECT_LE(calls[1], 2);
}

TEST(MergeSeriesSetTest, SourceErrorEndsTheMerge) {
  int calls = 0, other = 0;
  std::vector<std::unique_ptr<SeriesSet>> in;
  in.push_back(std::make_unique<CountingSet>(std::vector<Series>{series("a", {{0, 1}})},
                                             absl::DataLossError("corrupt block"), &calls));
  in.push_back(std::make_unique<CountingSet>(
      std::vector<Series>{series("a", {{2, 3}}), series("b", {{2, 3}})}, absl::OkStatus(), &other));
  auto merged = merge_series_sets(std::move(in));
  auto all = read_all(*merged);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().message(), "corrupt block");
}

TEST(MergeSeriesSetTest, EmptyAndSingleSources) {
  EXPECT_TRUE(read_all(*merge_series_sets({}))->empty());
  auto one = merge_series_sets(sets({{series("a", {{0, 1}})}}));
  EXPECT_EQ(read_all(*one)->size(), 1u);
}

}  // namespace
}  // namespace strata::tsdb
