// ExemplarStorage: the circular buffer (wraparound across series, the limit,
// per-series order), Prometheus' validation rules, selection by matcher sets
// and time range; and exemplars through a head appender transaction.
#include "tsdb/head/exemplar_storage.h"

#include <gtest/gtest.h>

#include <string>

#include "base/metrics.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

using testing::eq;

Labels series(const std::string& name, const std::string& job = "a") {
  return Labels::from_strings({"__name__", name, "job", job});
}

Exemplar ex(int64_t t, double v, const std::string& trace = "t") {
  return Exemplar{Labels::from_strings({"trace_id", trace}), v, t};
}

// "name{job}:t,t,..." per selected series, for compact expectations.
std::string dump(const std::vector<ExemplarSeries>& res) {
  std::string out;
  for (const auto& s : res) {
    out += std::string(s.series_labels.get("__name__")) + "{" + std::string(s.series_labels.get("job")) + "}:";
    for (size_t i = 0; i < s.exemplars.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(s.exemplars[i].t_ms);
    }
    out += " ";
  }
  return out;
}

std::string expose(const metrics::Registry& reg) {
  std::string text;
  reg.write_text(&text);
  return text;
}

std::vector<ExemplarSeries> all(const ExemplarStorage& st) {
  return st.select(INT64_MIN, INT64_MAX, {{*Matcher::make(MatchType::kRegexMatch, "__name__", ".+")}});
}

TEST(ExemplarStorageTest, SelectsByMatcherSetsAndTimeRange) {
  metrics::Registry reg;
  ExemplarStorage st(100, &reg);
  for (int64_t t = 1; t <= 5; ++t) {
    ASSERT_TRUE(st.add(series("req", "a"), ex(t * 10, double(t))).ok());
    ASSERT_TRUE(st.add(series("req", "b"), ex(t * 10 + 1, double(t))).ok());
    ASSERT_TRUE(st.add(series("lat", "a"), ex(t * 10 + 2, double(t))).ok());
  }
  EXPECT_EQ(dump(st.select(20, 40, {{eq("__name__", "req")}})), "req{a}:20,30,40 req{b}:21,31 ");
  EXPECT_EQ(dump(st.select(0, 100, {{eq("__name__", "req"), eq("job", "b")}})),
            "req{b}:11,21,31,41,51 ");
  // Any matching set counts; a series matched twice appears once; sorted.
  EXPECT_EQ(dump(st.select(50, 52, {{eq("job", "a")}, {eq("__name__", "lat")}})),
            "lat{a}:52 req{a}:50 ");
  EXPECT_EQ(dump(st.select(53, 100, {{eq("job", "a")}})), "");
  EXPECT_EQ(dump(st.select(0, 100, {{eq("__name__", "nope")}})), "");
  auto one = st.select(10, 10, {{eq("__name__", "req")}});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].exemplars[0].labels, Labels::from_strings({"trace_id", "t"}));
  EXPECT_EQ(one[0].exemplars[0].value, 1);
  EXPECT_EQ(st.size(), 15u);
}

TEST(ExemplarStorageTest, WrapsAroundOverwritingTheOldestOfAnySeries) {
  metrics::Registry reg;
  ExemplarStorage st(4, &reg);
  ASSERT_TRUE(st.add(series("x"), ex(1, 1)).ok());
  ASSERT_TRUE(st.add(series("y"), ex(2, 2)).ok());
  ASSERT_TRUE(st.add(series("x"), ex(3, 3)).ok());
  ASSERT_TRUE(st.add(series("x"), ex(4, 4)).ok());
  EXPECT_EQ(dump(all(st)), "x{a}:1,3,4 y{a}:2 ");
  ASSERT_TRUE(st.add(series("z"), ex(5, 5)).ok());  // overwrites x@1
  EXPECT_EQ(dump(all(st)), "x{a}:3,4 y{a}:2 z{a}:5 ");
  ASSERT_TRUE(st.add(series("z"), ex(6, 6)).ok());  // overwrites y@2, y's only one
  EXPECT_EQ(dump(all(st)), "x{a}:3,4 z{a}:5,6 ");
  EXPECT_EQ(dump(st.select(0, 10, {{eq("__name__", "y")}})), "");
  // A full turn more: only the newest four remain, in order.
  for (int64_t t = 7; t <= 12; ++t) ASSERT_TRUE(st.add(series("x"), ex(t, double(t))).ok());
  EXPECT_EQ(dump(all(st)), "x{a}:9,10,11,12 ");
  EXPECT_EQ(st.size(), 4u);
  // The series evicted completely can start again with any timestamp.
  ASSERT_TRUE(st.add(series("y"), ex(1, 1)).ok());
  EXPECT_EQ(dump(all(st)), "x{a}:10,11,12 y{a}:1 ");
  std::string m = expose(reg);
  EXPECT_NE(m.find("strata_tsdb_exemplar_exemplars_in_storage 4"), std::string::npos) << m;
  EXPECT_NE(m.find("strata_tsdb_exemplar_series_with_exemplars_in_storage 2"), std::string::npos);
  EXPECT_NE(m.find("strata_tsdb_exemplar_max_exemplars 4"), std::string::npos);
  EXPECT_NE(m.find("strata_tsdb_exemplar_exemplars_appended_total 13"), std::string::npos);
}

TEST(ExemplarStorageTest, DuplicatesAreIgnoredAndOlderOnesRejected) {
  metrics::Registry reg;
  ExemplarStorage st(10, &reg);
  ASSERT_TRUE(st.add(series("x"), ex(10, 1, "abc")).ok());
  // The same exemplar again: accepted, stored once.
  ASSERT_TRUE(st.add(series("x"), ex(10, 1, "abc")).ok());
  EXPECT_EQ(st.size(), 1u);
  bool dup = false;
  ASSERT_TRUE(st.check(series("x"), ex(10, 1, "abc"), &dup).ok());
  EXPECT_TRUE(dup);
  // Same time, other value or labels; or older: out of order.
  for (const Exemplar& e : {ex(10, 2, "abc"), ex(10, 1, "abd"), ex(9, 1, "abc")}) {
    absl::Status s = st.add(series("x"), e);
    EXPECT_EQ(append_error_kind(s), AppendErrorKind::kOutOfOrderExemplar) << s;
    EXPECT_EQ(s.message(), "out of order exemplar");
  }
  // Other series are independent.
  ASSERT_TRUE(st.add(series("x", "other"), ex(5, 1)).ok());
  ASSERT_TRUE(st.add(series("x"), ex(11, 1)).ok());
  EXPECT_EQ(st.size(), 3u);
  EXPECT_NE(expose(reg).find("strata_tsdb_exemplar_out_of_order_exemplars_total 3"),
            std::string::npos);
}

TEST(ExemplarStorageTest, LabelSetIsLimitedTo128Runes) {
  ExemplarStorage st(10, nullptr);
  // "trace_id" (8) + 120 runes, two bytes each in UTF-8: exactly 128.
  std::string v;
  for (int i = 0; i < 120; ++i) v += "\xc3\xbc";  // ü
  ASSERT_TRUE(st.add(series("x"), Exemplar{Labels::from_strings({"trace_id", v}), 1, 1}).ok());
  absl::Status s = st.add(series("x"), Exemplar{Labels::from_strings({"trace_id", v + "a"}), 1, 2});
  EXPECT_EQ(append_error_kind(s), AppendErrorKind::kExemplarLabelsTooLong) << s;
  EXPECT_EQ(s.message(), kErrExemplarLabelLength);
  EXPECT_EQ(st.size(), 1u);
}

TEST(ExemplarStorageTest, ZeroLimitDisablesStorage) {
  ExemplarStorage st(0, nullptr);
  absl::Status s = st.add(series("x"), ex(1, 1));
  EXPECT_EQ(append_error_kind(s), AppendErrorKind::kExemplarsDisabled) << s;
  EXPECT_EQ(st.size(), 0u);
  EXPECT_TRUE(all(st).empty());
}

TEST(ExemplarStorageTest, HeadAppenderStoresExemplarsAtCommit) {
  metrics::Registry reg;
  Head h(HeadOptions{}, &reg);
  Labels l = series("req");
  auto app = h.appender();
  auto ref = app->append(0, l, 100, 1);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(app->append_exemplar(*ref, {}, ex(100, 1)).ok());
  ASSERT_TRUE(app->append_exemplar(0, l, ex(101, 2)).ok());  // by labels
  // Checked against the batch: out of order, and a resend ignored.
  EXPECT_EQ(append_error_kind(app->append_exemplar(*ref, {}, ex(99, 3)).status()),
            AppendErrorKind::kOutOfOrderExemplar);
  ASSERT_TRUE(app->append_exemplar(*ref, {}, ex(101, 2)).ok());
  EXPECT_EQ(h.exemplars().size(), 0u);  // not before commit
  ASSERT_TRUE(app->commit().ok());
  EXPECT_EQ(dump(all(h.exemplars())), "req{a}:100,101 ");

  auto app2 = h.appender();
  EXPECT_EQ(app2->append_exemplar(0, series("unknown"), ex(1, 1)).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(app2->append_exemplar(*ref, {}, ex(200, 1)).ok());
  app2->rollback();
  EXPECT_EQ(h.exemplars().size(), 2u);
}

}  // namespace
}  // namespace strata::tsdb
