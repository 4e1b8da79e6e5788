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

}  // namespace
}  // namespace strata::promql
