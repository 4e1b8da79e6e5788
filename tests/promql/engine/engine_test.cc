#include "promql/engine.h"

#include <gtest/gtest.h>

#include "tsdb/db.h"

namespace strata::promql {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = tsdb::DB::open(tsdb::DBOptions{""}, &registry_);  // in memory, empty
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  metrics::Registry registry_;
  std::unique_ptr<tsdb::DB> db_;
  Engine engine_{EngineOptions{}, nullptr};
};

TEST_F(EngineTest, PreparedQueryIsEvaluatedAtManyTimes) {
  auto q = engine_.prepare("time() * 2");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->query(), "time() * 2");
  for (int64_t t_ms : {1000, 5000, 7000}) {
    auto r = engine_.instant(*db_, *q, t_ms);
    ASSERT_TRUE(r.ok()) << r.status();
    const auto* s = std::get_if<Scalar>(&r->value);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->t, t_ms);
    EXPECT_EQ(s->v, double(t_ms) / 1000 * 2);
  }
}

TEST_F(EngineTest, PreparedQueryServesRangeQueries) {
  auto q = engine_.prepare("vector(time())");
  ASSERT_TRUE(q.ok()) << q.status();
  auto r = engine_.range(*db_, *q, 0, 60000, 30000);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto* m = std::get_if<Matrix>(&r->value);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].points.size(), 3u);
}

TEST_F(EngineTest, PrepareReportsParseErrors) {
  auto q = engine_.prepare("sum(");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, RangeQueryOfRangeVectorIsRefused) {
  auto q = engine_.prepare("up[5m]");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_TRUE(engine_.instant(*db_, *q, 1000).ok());
  auto r = engine_.range(*db_, *q, 0, 60000, 30000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid expression type \"range vector\" for range query, must be Scalar or "
            "instant Vector");
}

// A result keeps its query's max_concurrency slot until it is dropped, so a
// caller rendering a big result still counts against the limit.
TEST_F(EngineTest, ResultHoldsItsConcurrencySlotUntilDropped) {
  EngineOptions o;
  o.max_concurrency = 1;
  Engine engine(o, nullptr);
  auto held = engine.instant(*db_, "1", 1000);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(engine.running(), 1);
  QueryParams quick;
  quick.timeout_s = 0.05;
  auto waited = engine.instant(*db_, "2", 1000, quick);
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(waited.status().message(), "query timed out in query queue");
  held->slot.reset();
  EXPECT_EQ(engine.running(), 0);
  auto next = engine.instant(*db_, "2", 1000, quick);
  ASSERT_TRUE(next.ok()) << next.status();
  // Failed queries free their slot at once.
  next->slot.reset();
  EXPECT_FALSE(engine.instant(*db_, "sum(", 1000).ok());
  EXPECT_FALSE(engine.range(*db_, "up[5m]", 0, 60000, 30000).ok());
  EXPECT_EQ(engine.running(), 0);
}

}  // namespace
}  // namespace strata::promql
