// tsdb::IngestBatch, the wire-independent part of every ingest path: the
// known-series fast path, validation, rejection counting and messages.
#include "tsdb/ingest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/metrics.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

struct HeadAppendable : Appendable {
  explicit HeadAppendable(Head& h) : head(h) {}
  std::unique_ptr<Appender> appender() override { return head.appender(); }
  Head& head;
};

class IngestBatchTest : public ::testing::Test {
 protected:
  // One input series: `views` as the input has them, `take` counting its calls.
  IngestResult write(const std::vector<LabelView>& views, std::vector<std::pair<int64_t, double>> samples,
                     IngestOptions opts = {}) {
    IngestBatch b(db_, opts);
    auto take = [&] {
      ++takes_;
      return labels_from_views(views);
    };
    IngestBatch::Series s = b.begin_series(0, views, take, samples.size(), 0, 0);
    if (s.valid()) {
      for (auto [t, v] : samples) EXPECT_TRUE(s.append(t, v));
    }
    return b.commit();
  }

  metrics::Registry reg_;
  Head head_{HeadOptions{}, &reg_};
  HeadAppendable db_{head_};
  int takes_ = 0;
};

TEST_F(IngestBatchTest, KnownCanonicalSeriesSkipBuildingLabels) {
  std::vector<LabelView> v = {{"__name__", "up"}, {"job", "a"}};
  IngestResult r = write(v, {{1000, 1}});
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(takes_, 1);  // new series: built and validated
  r = write(v, {{2000, 2}});
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(takes_, 1);  // known: appended by ref
  // Same series in another order or with an empty label: the slow path finds it.
  r = write({{"job", "a"}, {"__name__", "up"}, {"zone", ""}}, {{3000, 3}});
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(takes_, 2);
  EXPECT_EQ(head_.stats().num_series, 1u);
}

TEST_F(IngestBatchTest, CallerKnownSeriesAreValidatedOnlyWithoutARef) {
  Labels ls = Labels::from_strings({"__name__", "up", "job", "a"});
  SeriesRef ref = 0;
  for (int64_t t : {1000, 2000}) {
    IngestBatch b(db_, {});
    IngestBatch::Series s = b.begin_series(0, ref, ls, 1, 0);
    ASSERT_TRUE(s.valid());
    EXPECT_TRUE(s.append(t, 1));
    EXPECT_NE(s.ref(), 0u);
    if (ref != 0) {
      EXPECT_EQ(s.ref(), ref);  // the hint was used
    }
    ref = s.ref();
    EXPECT_EQ(b.commit().samples_written, 1u);
  }
  // Without a ref, invalid labels are caught and counted like any input's.
  IngestBatch b(db_, {});
  Labels bad = Labels::from_strings({"__name__", "up", "1a", "x"});
  IngestBatch::Series s = b.begin_series(3, 0, bad, 2, 0);
  EXPECT_FALSE(s.valid());
  IngestResult r = b.commit();
  EXPECT_EQ(r.rejected_for(RejectReason::kInvalidLabels), 2u);
  EXPECT_NE(r.first_error.message().find("invalid labels in series[3]"), std::string::npos)
      << r.first_error;
  EXPECT_EQ(head_.stats().num_series, 1u);
}

TEST_F(IngestBatchTest, InvalidLabelsRejectTheWholeSeriesWithItsIndex) {
  IngestOptions o;
  o.item_name = "timeseries";
  IngestResult r = write({{"__name__", "up"}, {"1a", "x"}}, {{1000, 1}, {2000, 2}}, o);
  EXPECT_EQ(r.samples_written, 0u);
  EXPECT_EQ(r.rejected_for(RejectReason::kInvalidLabels), 2u);
  EXPECT_NE(r.first_error.message().find("invalid labels in timeseries[0]"), std::string::npos)
      << r.first_error;
}

TEST_F(IngestBatchTest, PerSampleRejectionsAreCountedAndTheRestCommitted) {
  std::vector<LabelView> v = {{"__name__", "up"}};
  IngestResult r = write(v, {{5000, 1}, {4000, 2}, {6000, 3}});
  EXPECT_EQ(r.samples_written, 2u);
  r = write(v, {{3000, 1}, {7000, 2}});
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(r.rejected_for(RejectReason::kOutOfOrder), 1u);
  EXPECT_EQ(std::string(r.first_error.message()),
            "out of order sample for series {__name__=\"up\"} at timestamp 3000");
}

TEST_F(IngestBatchTest, HistogramsAndMetadata) {
  IngestBatch b(db_, {});
  std::vector<LabelView> v = {{"__name__", "h"}};
  auto take = [&] { return labels_from_views(v); };
  IngestBatch::Series s = b.begin_series(0, v, take, 3, 2, 0);
  ASSERT_TRUE(s.valid());
  EXPECT_TRUE(s.append(1000, 1));
  s.reject_histograms(2);
  b.metadata("h", MetricMetadata{"gauge", "help", ""});
  b.metadata("", MetricMetadata{"gauge", "skipped", ""});
  IngestResult r = b.commit();
  EXPECT_EQ(r.samples_received, 3u);
  EXPECT_EQ(r.histograms_received, 2u);
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(r.rejected_for(RejectReason::kNativeHistogramUnsupported), 2u);
  EXPECT_EQ(r.metadata_received, 2u);
  EXPECT_EQ(r.metadata_written, 1u);
}

}  // namespace
}  // namespace strata::tsdb
