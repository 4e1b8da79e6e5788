#include "tsdb/head/head.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "tsdb/db.h"

namespace strata::tsdb {
namespace {

Matcher mk(MatchType t, const std::string& n, const std::string& v) {
  return *Matcher::make(t, n, v);
}

std::vector<Sample> samples_of(const Series& s) {
  std::vector<Sample> out;
  auto it = s.iterator();
  while (it.next()) out.push_back({it.t(), it.v()});
  EXPECT_TRUE(it.status().ok());
  return out;
}

class HeadTest : public ::testing::Test {
 protected:
  metrics::Registry reg_;
  Head head_{HeadOptions{}, &reg_};
};

TEST_F(HeadTest, AppendCommitSelect) {
  auto app = head_.appender();
  Labels a = Labels::from_strings({"__name__", "up", "job", "a"});
  Labels b = Labels::from_strings({"__name__", "up", "job", "b"});
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(app->append(0, a, i * 1000, i).ok());
    ASSERT_TRUE(app->append(0, b, i * 1000, -i).ok());
  }
  // Nothing is visible before commit.
  auto q = head_.querier(0, 1000000);
  EXPECT_TRUE(read_all(*q->select({.sorted = true}, {mk(MatchType::kEqual, "__name__", "up")}))->empty());
  ASSERT_TRUE(app->commit().ok());
  auto res = read_all(*head_.querier(0, 1000000)->select({.sorted = true}, {mk(MatchType::kEqual, "job", "b")}));
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 1u);
  EXPECT_EQ((*res)[0].labels(), b);
  auto ss = samples_of((*res)[0]);
  ASSERT_EQ(ss.size(), 300u);
  EXPECT_EQ(ss[299].t, 299000);
  EXPECT_EQ(ss[299].v, -299);
  EXPECT_EQ(head_.stats().num_series, 2u);
  EXPECT_EQ(head_.stats().min_time_ms, 0);
  EXPECT_EQ(head_.stats().max_time_ms, 299000);
}

// lookup() finds committed series by label views without creating any; an
// append by a looked-up ref with no labels fails with NotFound once the
// series was truncated away, so the caller can fall back to full labels.
TEST_F(HeadTest, LookupByLabelViews) {
  Labels a = Labels::from_strings({"__name__", "up", "job", "a"});
  std::vector<std::pair<std::string_view, std::string_view>> va = {{"__name__", "up"}, {"job", "a"}};
  std::vector<std::pair<std::string_view, std::string_view>> vb = {{"__name__", "up"}, {"job", "b"}};
  {
    auto app = head_.appender();
    EXPECT_EQ(app->lookup(va), 0u);
    ASSERT_TRUE(app->append(0, a, 1000, 1).ok());
    ASSERT_TRUE(app->commit().ok());
  }
  auto app = head_.appender();
  SeriesRef ref = app->lookup(va);
  ASSERT_NE(ref, 0u);
  EXPECT_EQ(app->lookup(vb), 0u);
  EXPECT_EQ(head_.stats().num_series, 1u);  // lookups create nothing
  auto r = app->append(ref, Labels(), 2000, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, ref);
  ASSERT_TRUE(app->commit().ok());
  // Truncation past every sample removes the series.
  ASSERT_TRUE(head_.truncate(10000).ok());
  auto app2 = head_.appender();
  EXPECT_EQ(app2->lookup(va), 0u);
  auto gone = app2->append(ref, Labels(), 20000, 3);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(app2->append(0, a, 20000, 3).ok());
  ASSERT_TRUE(app2->commit().ok());
  EXPECT_EQ(head_.stats().num_series, 1u);
}

TEST_F(HeadTest, RejectsOutOfOrderAndDuplicates) {
  Labels a = Labels::from_strings({"__name__", "x"});
  auto app = head_.appender();
  ASSERT_TRUE(app->append(0, a, 2000, 1).ok());
  ASSERT_TRUE(app->commit().ok());
  app = head_.appender();
  auto r = app->append(0, a, 1000, 1);
  EXPECT_EQ(append_error_kind(r.status()), AppendErrorKind::kOutOfOrder);
  EXPECT_EQ(std::string(r.status().message()), "out of order sample");
  r = app->append(0, a, 2000, 5);
  EXPECT_EQ(append_error_kind(r.status()), AppendErrorKind::kDuplicate);
  EXPECT_TRUE(app->append(0, a, 2000, 1).ok()) << "identical resend is fine";
  EXPECT_TRUE(app->append(0, a, 3000, 1).ok());
  ASSERT_TRUE(app->commit().ok());
  auto res =
      read_all(*head_.querier(0, 10000)->select({}, {mk(MatchType::kEqual, "__name__", "x")}));
  EXPECT_EQ(samples_of((*res)[0]).size(), 2u);
}

TEST_F(HeadTest, StaleMarkersAreBitExact) {
  const uint64_t kStale = kStaleNaNBits;
  double stale;
  std::memcpy(&stale, &kStale, 8);
  Labels a = Labels::from_strings({"__name__", "x"});
  auto app = head_.appender();
  ASSERT_TRUE(app->append(0, a, 1000, 1).ok());
  ASSERT_TRUE(app->append(0, a, 2000, stale).ok());
  ASSERT_TRUE(app->commit().ok());
  auto res =
      read_all(*head_.querier(0, 10000)->select({}, {mk(MatchType::kEqual, "__name__", "x")}));
  auto ss = samples_of((*res)[0]);
  ASSERT_EQ(ss.size(), 2u);
  uint64_t bits;
  std::memcpy(&bits, &ss[1].v, 8);
  EXPECT_EQ(bits, kStale);
}

TEST_F(HeadTest, LabelNamesAndValues) {
  auto app = head_.appender();
  ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "a", "x", "1"}), 1, 1).ok());
  ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "b", "y", "2"}), 1, 1).ok());
  ASSERT_TRUE(app->commit().ok());
  auto q = head_.querier(0, 10);
  EXPECT_EQ(*q->label_names({}), (std::vector<std::string>{"__name__", "x", "y"}));
  EXPECT_EQ(*q->label_names({mk(MatchType::kEqual, "__name__", "a")}),
            (std::vector<std::string>{"__name__", "x"}));
  EXPECT_EQ(*q->label_values("__name__", {}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*q->label_values("__name__", {}, 1), (std::vector<std::string>{"a"}));
  EXPECT_EQ(*q->label_values("y", {mk(MatchType::kRegexMatch, "__name__", "b|c")}),
            (std::vector<std::string>{"2"}));
  EXPECT_TRUE(q->label_values("nope", {})->empty());
  // Like Prometheus' head: nothing for a range without any data.
  auto later = head_.querier(100, 200);
  EXPECT_TRUE(later->label_names({})->empty());
  EXPECT_TRUE(later->label_values("__name__", {})->empty());
}

// Random appends and selects against a naive model.
TEST_F(HeadTest, MatchesNaiveModel) {
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"a", "b", "c"};
  const std::vector<std::string> values = {"", "x", "y", "zz", "x\ny"};
  std::map<Labels, std::map<int64_t, double>> model;
  std::vector<Labels> all;
  for (int i = 0; i < 200; ++i) {
    std::vector<Label> ls = {{"__name__", "m" + std::to_string(rng() % 3)}};
    for (const auto& n : names) {
      const std::string& v = values[rng() % values.size()];
      if (!v.empty()) ls.push_back({n, v});
    }
    all.push_back(Labels::from_unsorted(ls));
  }
  std::map<Labels, int64_t> last;
  for (int round = 0; round < 20; ++round) {
    auto app = head_.appender();
    std::map<Labels, std::map<int64_t, double>> staged;
    for (int k = 0; k < 100; ++k) {
      const Labels& l = all[rng() % all.size()];
      int64_t t = int64_t(rng() % 100000);
      double v = double(rng() % 1000);
      auto r = app->append(0, l, t, v);
      auto it = last.find(l);
      int64_t committed = it == last.end() ? INT64_MIN : it->second;
      bool staged_later = !staged[l].empty() && staged[l].rbegin()->first > t;
      if (t > committed && !staged_later && !staged[l].count(t)) {
        ASSERT_TRUE(r.ok()) << r.status();
        staged[l][t] = v;
      }
    }
    ASSERT_TRUE(app->commit().ok());
    for (auto& [l, m] : staged) {
      if (m.empty()) continue;
      // Commit drops samples that arrived out of order within the batch.
      int64_t cur = last.count(l) ? last[l] : INT64_MIN;
      for (auto& [t, v] : m) {
        if (t > cur) {
          model[l][t] = v;
          cur = t;
        }
      }
      last[l] = cur;
    }
  }
  const std::vector<std::vector<Matcher>> selectors = {
      {mk(MatchType::kEqual, "__name__", "m1")},
      {mk(MatchType::kRegexMatch, "__name__", "m.*"), mk(MatchType::kEqual, "a", "")},
      {mk(MatchType::kNotEqual, "b", "x"), mk(MatchType::kRegexMatch, "__name__", ".+")},
      {mk(MatchType::kRegexNoMatch, "c", "x|y"), mk(MatchType::kRegexMatch, "a", "x|zz")},
      {mk(MatchType::kRegexMatch, "a", "x.y")},
      {mk(MatchType::kRegexMatch, "b", ".*y|")},
      {mk(MatchType::kNotEqual, "a", "")},
  };
  for (size_t si = 0; si < selectors.size(); ++si) {
    SCOPED_TRACE(si);
    int64_t mint = 20000, maxt = 70000;
    auto res = read_all(*head_.querier(mint, maxt)->select({.sorted = true}, selectors[si]));
    ASSERT_TRUE(res.ok());
    std::map<Labels, std::vector<Sample>> got;
    for (const Series& s : *res) got[s.labels()] = samples_of(s);
    std::map<Labels, std::vector<Sample>> want;
    for (auto& [l, m] : model) {
      bool ok = true;
      for (const Matcher& mt : selectors[si]) ok = ok && mt.matches(l.get(mt.name()));
      if (!ok) continue;
      std::vector<Sample> ss;
      for (auto& [t, v] : m)
        if (t >= mint && t <= maxt) ss.push_back({t, v});
      if (!ss.empty()) want[l] = ss;
    }
    // Series with chunks in range but no sample in it may be returned empty.
    for (auto it = got.begin(); it != got.end();)
      it = it->second.empty() ? got.erase(it) : std::next(it);
    ASSERT_EQ(got.size(), want.size());
    for (auto& [l, ss] : want) {
      ASSERT_TRUE(got.count(l)) << l.to_string();
      ASSERT_EQ(got[l].size(), ss.size()) << l.to_string();
      for (size_t i = 0; i < ss.size(); ++i) {
        EXPECT_EQ(got[l][i].t, ss[i].t);
        EXPECT_EQ(got[l][i].v, ss[i].v);
      }
    }
  }
}

// Series handed to a query keep their chunks alive while appends seal and
// truncation drops them (run under ASan to see a use-after-free).
TEST_F(HeadTest, QueriesStayValidWhileAppendsAndTruncationsContinue) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> progress{0};
  std::thread writer([&] {
    for (int64_t t = 1; !stop.load(); ++t) {
      progress = t;
      auto app = head_.appender();
      for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "w", "i", std::to_string(i)}),
                                t * 1000, double(t))
                        .ok());
      ASSERT_TRUE(app->commit().ok());
      if (t % 500 == 0) {
        ASSERT_TRUE(head_.truncate((t - 200) * 1000).ok());
      }
    }
  });
  std::vector<Series> kept;
  // Until the writer went through a few truncations.
  for (int round = 0; round < 200 || progress.load() < 1600; ++round) {
    auto res = read_all(*head_.querier(0, INT64_MAX / 2)
                   ->select({}, {mk(MatchType::kEqual, "__name__", "w")}));
    ASSERT_TRUE(res.ok());
    for (Series& s : *res) kept.push_back(std::move(s));
    if (kept.size() > 200) kept.erase(kept.begin(), kept.begin() + 100);
    for (const Series& s : kept) {
      auto ss = samples_of(s);
      for (size_t i = 1; i < ss.size(); ++i) ASSERT_EQ(ss[i].t, ss[i - 1].t + 1000);
      for (const Sample& x : ss) ASSERT_EQ(x.v * 1000, double(x.t));
    }
  }
  stop = true;
  writer.join();
}

// --storage.tsdb.max-series: a new series beyond the limit is refused with a
// typed error and counted; series already in the head keep taking samples;
// once truncation removes series, new ones fit again.
TEST(HeadLimitTest, MaxSeriesRefusesNewSeriesOnly) {
  metrics::Registry reg;
  HeadOptions o;
  o.max_series = 3;
  Head head(o, &reg);
  auto series = [](int i) { return Labels::from_strings({"__name__", "m", "i", std::to_string(i)}); };
  auto app = head.appender();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(app->append(0, series(i), 1000, i).ok());
  auto refused = app->append(0, series(3), 1000, 3);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(append_error_kind(refused.status()), AppendErrorKind::kSeriesLimit);
  EXPECT_EQ(std::string(refused.status().message()), kErrSeriesLimit);
  EXPECT_TRUE(app->append(0, series(0), 2000, 10).ok()) << "existing series still append";
  ASSERT_TRUE(app->commit().ok());
  EXPECT_EQ(head.stats().num_series, 3u);
  auto& rejected = reg.counter_family("strata_tsdb_head_samples_rejected_total", "", {"reason"});
  EXPECT_EQ(rejected.with({"series_limit"}).value(), 1);
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_tsdb_head_max_series 3"), std::string::npos);
  // Series 0 has a late sample; 1 and 2 leave the head with truncation.
  app = head.appender();
  ASSERT_TRUE(app->append(0, series(0), 900000, 1).ok());
  ASSERT_TRUE(app->commit().ok());
  ASSERT_TRUE(head.truncate(500000).ok());
  EXPECT_EQ(head.stats().num_series, 1u);
  app = head.appender();
  EXPECT_TRUE(app->append(0, series(3), 950000, 3).ok());
  EXPECT_TRUE(app->append(0, series(4), 950000, 4).ok());
  EXPECT_EQ(append_error_kind(app->append(0, series(5), 950000, 5).status()),
            AppendErrorKind::kSeriesLimit);
  ASSERT_TRUE(app->commit().ok());
  EXPECT_EQ(head.stats().num_series, 3u);
}

TEST_F(HeadTest, TruncationRemovesSeriesFromTheIndex) {
  auto app = head_.appender();
  std::vector<SeriesRef> refs;
  for (int i = 0; i < 1000; ++i) {
    // Even series stop early; odd ones have recent data.
    auto l = Labels::from_strings({"__name__", i % 2 ? "odd" : "even", "i", std::to_string(i)});
    refs.push_back(*app->append(0, l, 1000, 1));
    if (i % 2) {
      ASSERT_TRUE(app->append(0, l, 900000, 2).ok());
    }
  }
  ASSERT_TRUE(app->commit().ok());
  ASSERT_TRUE(head_.truncate(500000).ok());
  EXPECT_EQ(head_.stats().num_series, 500u);
  auto q = head_.querier(0, INT64_MAX / 2);
  EXPECT_EQ(*q->label_values("__name__", {}), (std::vector<std::string>{"odd"}));
  EXPECT_EQ(q->label_values("i", {})->size(), 500u);
  EXPECT_TRUE(read_all(*q->select({}, {mk(MatchType::kEqual, "__name__", "even")}))->empty());
  EXPECT_EQ(read_all(*q->select({}, {mk(MatchType::kRegexMatch, "i", ".+")}))->size(), 500u);
  // A removed series comes back under a new ref; a stale cached ref is harmless.
  app = head_.appender();
  auto l0 = Labels::from_strings({"__name__", "even", "i", "0"});
  auto r = app->append(refs[0], l0, 950000, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(*r, refs[0]);
  ASSERT_TRUE(app->commit().ok());
  auto res = read_all(*head_.querier(0, INT64_MAX / 2)
                 ->select({}, {mk(MatchType::kEqual, "__name__", "even")}));
  ASSERT_EQ(res->size(), 1u);
  EXPECT_EQ((*res)[0].labels(), l0);
}

TEST_F(HeadTest, GapsBeyond32BitsStartANewChunk) {
  Labels a = Labels::from_strings({"__name__", "x"});
  auto app = head_.appender();
  const int64_t kGap = int64_t(1) << 40;
  ASSERT_TRUE(app->append(0, a, 1000, 1).ok());
  ASSERT_TRUE(app->append(0, a, 2000, 2).ok());
  ASSERT_TRUE(app->append(0, a, 2000 + kGap, 3).ok());
  ASSERT_TRUE(app->append(0, a, 3000 + kGap, 4).ok());
  ASSERT_TRUE(app->commit().ok());
  auto res = read_all(*head_.querier(0, INT64_MAX / 2)
                 ->select({}, {mk(MatchType::kEqual, "__name__", "x")}));
  ASSERT_EQ(res->size(), 1u);
  EXPECT_EQ((*res)[0].chunks().size(), 2u);
  auto ss = samples_of((*res)[0]);
  ASSERT_EQ(ss.size(), 4u);
  EXPECT_EQ(ss[2].t, 2000 + kGap);
  EXPECT_EQ(ss[3].v, 4);
}

TEST(DBTest, OpensAndServesInterfaces) {
  metrics::Registry reg;
  auto db = DB::open(DBOptions{""}, &reg);
  ASSERT_TRUE(db.ok());
  auto app = (*db)->appender();
  ASSERT_TRUE(app->append(0, Labels::from_strings({"__name__", "x"}), 5, 1).ok());
  app->update_metadata("x", {"gauge", "help", ""});
  ASSERT_TRUE(app->commit().ok());
  auto md = (*db)->metadata("", 0, 0);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second[0].type, "gauge");
  EXPECT_EQ((*db)->head_stats().num_series, 1u);
}

}  // namespace
}  // namespace strata::tsdb
