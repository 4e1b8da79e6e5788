// ScrapeAppender: what one scrape stores, over an in-memory DB, with the
// text format's parser; every expectation is Prometheus' behaviour.
#include "scrape/scrape_append.h"

#include <gtest/gtest.h>

#include "re2/re2.h"
#include "scrape/scrape_loop.h"
#include "tests/testutil/fault_fs.h"
#include "tests/testutil/temp_dir.h"
#include "tests/scrape/scrape_test_util.h"
#include "tests/testutil/relabel_rule.h"
#include "tsdb/labels/relabel.h"

namespace strata::scrape {
namespace {

using testing::Dump;
using testing::kStale;
using Samples = std::vector<std::pair<int64_t, double>>;

class ScrapeAppenderTest : public ::testing::Test {
 protected:
  ScrapeAppenderTest() { config_.scrape_timeout_ms = 10000; }

  ScrapeAppender& appender() {
    if (!appender_) {
      AppendOptions o;
      o.config = std::make_shared<const ScrapeConfig>(config_);
      o.target_labels = tsdb::Labels::from_strings({"job", "j", "instance", "h:1"});
      o.prometheus_v2 = v2_;
      appender_ = std::make_unique<ScrapeAppender>(std::move(o));
    }
    return *appender_;
  }
  ScrapeOutcome scrape(const std::string& body, int64_t t_ms, absl::Status fetch = absl::OkStatus()) {
    return appender().scrape(*mem_.db, fetch, textparse::Format::kPrometheusText, body, t_ms, 0.5, body.size());
  }
  Dump dump() { return testing::dump(*mem_.db); }
  // The stored series `name` of the target, with extra label pairs.
  static std::string series(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<tsdb::Label> ls = {{"__name__", name}, {"instance", "h:1"}, {"job", "j"}};
    for (size_t i = 0; i + 1 < extra.size(); i += 2) ls.push_back({extra[i], extra[i + 1]});
    return tsdb::Labels::from_unsorted(std::move(ls)).to_string();
  }
  static tsdb::relabel::Config rule(tsdb::relabel::Action a, std::vector<std::string> sources, const std::string& regex,
                                    const std::string& target = "", const std::string& replacement = "$1") {
    return testutil::relabel_rule(a, std::move(sources), regex, target, replacement);
  }

  testing::MemDb mem_;
  ScrapeConfig config_;
  bool v2_ = false;  // --query.compat=v2
  std::unique_ptr<ScrapeAppender> appender_;
};

TEST_F(ScrapeAppenderTest, StoresSamplesWithTargetLabelsAndReports) {
  ScrapeOutcome o = scrape("# TYPE a counter\na_total{x=\"1\"} 3\nb 2 1000\n", 10000);
  ASSERT_TRUE(o.error.ok()) << o.error;
  EXPECT_EQ(o.total, 2u);
  EXPECT_EQ(o.added, 2u);
  EXPECT_EQ(o.series_added, 2u);
  Dump d = dump();
  EXPECT_EQ(d[series("a_total", {"x", "1"})], (Samples{{10000, 3}}));
  EXPECT_EQ(d[series("b")], (Samples{{1000, 2}}));  // its own timestamp (honor_timestamps)
  EXPECT_EQ(d[series("up")], (Samples{{10000, 1}}));
  EXPECT_EQ(d[series("scrape_duration_seconds")], (Samples{{10000, 0.5}}));
  EXPECT_EQ(d[series("scrape_samples_scraped")], (Samples{{10000, 2}}));
  EXPECT_EQ(d[series("scrape_samples_post_metric_relabeling")], (Samples{{10000, 2}}));
  EXPECT_EQ(d[series("scrape_series_added")], (Samples{{10000, 2}}));
  EXPECT_EQ(d.count(series("scrape_timeout_seconds")), 0u);  // extra metrics only
  // A second scrape adds no series.
  o = scrape("# TYPE a counter\na_total{x=\"1\"} 4\nb 2 1000\n", 25000);
  EXPECT_EQ(o.series_added, 0u);
  EXPECT_EQ(dump()[series("a_total", {"x", "1"})], (Samples{{10000, 3}, {25000, 4}}));
}

TEST_F(ScrapeAppenderTest, ClashingExposedLabelsBecomeExported) {
  scrape("m{job=\"x\",exported_job=\"y\",instance=\"\"} 1\n", 1000);
  // job clashes (exported_job is taken, so exported_exported_job); the empty
  // instance does not clash and the target's wins.
  EXPECT_EQ(dump()[R"({__name__="m", exported_exported_job="x", exported_job="y", instance="h:1", job="j"})"],
            (Samples{{1000, 1}}));
}

TEST_F(ScrapeAppenderTest, HonorLabelsKeepsExposedValues) {
  config_.honor_labels = true;
  scrape("m{job=\"x\"} 1\n", 1000);
  EXPECT_EQ(dump()[R"({__name__="m", instance="h:1", job="x"})"], (Samples{{1000, 1}}));
}

TEST_F(ScrapeAppenderTest, MetricRelabelingDropsAndRewrites) {
  using tsdb::relabel::Action;
  config_.metric_relabel_configs = {rule(Action::kDrop, {"__name__"}, "b"),
                                    rule(Action::kReplace, {"x"}, "(.*)", "y", "v$1")};
  ScrapeOutcome o = scrape("a{x=\"1\"} 1\nb 2\n", 1000);
  ASSERT_TRUE(o.error.ok()) << o.error;
  EXPECT_EQ(o.total, 2u);
  EXPECT_EQ(o.added, 1u);
  Dump d = dump();
  EXPECT_EQ(d[series("a", {"x", "1", "y", "v1"})], (Samples{{1000, 1}}));
  EXPECT_EQ(d.count(series("b")), 0u);
  EXPECT_EQ(d[series("scrape_samples_post_metric_relabeling")], (Samples{{1000, 1}}));
}

TEST_F(ScrapeAppenderTest, SampleLimitFailsTheWholeScrape) {
  config_.sample_limit = 1;
  ScrapeOutcome o = scrape("a 1\nb 2\n", 1000);
  EXPECT_EQ(o.error.message(), "sample limit exceeded");
  EXPECT_TRUE(o.sample_limit_exceeded);
  EXPECT_EQ(o.total, 2u);  // parsing went on
  Dump d = dump();
  EXPECT_EQ(d.count(series("a")), 0u);  // nothing of the scrape is kept
  EXPECT_EQ(d[series("up")], (Samples{{1000, 0}}));
  EXPECT_EQ(d[series("scrape_samples_scraped")], (Samples{{1000, 2}}));
}

TEST_F(ScrapeAppenderTest, VanishedSeriesAndFailedScrapesGoStale) {
  scrape("a 1\nb 2\nc 3 500\n", 1000);
  scrape("a 1\nc 3 600\n", 2000);  // b vanished; c has its own timestamps: never stale
  ScrapeOutcome o = scrape("", 3000, absl::UnavailableError("server returned HTTP status 500 Internal Server Error"));
  EXPECT_FALSE(o.error.ok());
  Dump d = dump();
  EXPECT_EQ(d[series("b")], (Samples{{1000, 2}, {2000, kStale}}));
  EXPECT_EQ(d[series("a")], (Samples{{1000, 1}, {2000, 1}, {3000, kStale}}));
  EXPECT_EQ(d[series("c")], (Samples{{500, 3}, {600, 3}}));
  EXPECT_EQ(d[series("up")], (Samples{{1000, 1}, {2000, 1}, {3000, 0}}));
  // Back: a is appended again, nothing more is marked.
  scrape("a 5\n", 4000);
  EXPECT_EQ(dump()[series("a")].back(), (std::pair<int64_t, double>{4000, 5}));
}

TEST_F(ScrapeAppenderTest, HonorTimestampsFalseUsesTheScrapeTime) {
  config_.honor_timestamps = false;
  scrape("c 3 500\n", 1000);
  scrape("", 2000);  // and the series goes stale like any other
  EXPECT_EQ(dump()[series("c")], (Samples{{1000, 3}, {2000, kStale}}));
}

TEST_F(ScrapeAppenderTest, TrackTimestampsStalenessMarksExplicitTimestamps) {
  config_.track_timestamps_staleness = true;
  scrape("c 3 500\n", 1000);
  scrape("", 2000);
  EXPECT_EQ(dump()[series("c")], (Samples{{500, 3}, {2000, kStale}}));
}

TEST_F(ScrapeAppenderTest, EndOfRunMarksSeriesAndReportStale) {
  scrape("a 1\n", 1000);
  ASSERT_TRUE(appender().end_of_run(*mem_.db, 16000).ok());
  Dump d = dump();
  EXPECT_EQ(d[series("a")], (Samples{{1000, 1}, {16000, kStale}}));
  EXPECT_EQ(d[series("up")], (Samples{{1000, 1}, {16000, kStale}}));
  EXPECT_EQ(d[series("scrape_series_added")], (Samples{{1000, 1}, {16000, kStale}}));
}

TEST_F(ScrapeAppenderTest, LabelLimitsFailTheScrapeWithPrometheusText) {
  config_.label_limit = 3;
  EXPECT_EQ(scrape("a{x=\"1\",y=\"2\"} 1\n", 1000).error.message(),
            "label_limit exceeded (metric: a, number of labels: 5, limit: 3)");
  config_ = {};
  config_.label_name_length_limit = 8;  // __name__ and instance are 8 long
  appender_.reset();
  EXPECT_EQ(scrape("a{long_name=\"1\"} 1\n", 1000).error.message(),
            "label_name_length_limit exceeded (metric: a, label name: long_name, length: 9, limit: 8)");
  config_ = {};
  config_.label_value_length_limit = 3;
  appender_.reset();
  EXPECT_EQ(scrape("a{x=\"long\"} 1\n", 1000).error.message(),
            "label_value_length_limit exceeded (metric: a, label name: x, value: \"long\", length: 4, limit: 3)");
}

TEST_F(ScrapeAppenderTest, InvalidNamesAfterRelabelingFailTheScrape) {
  using tsdb::relabel::Action;
  config_.metric_relabel_configs = {rule(Action::kReplace, {"__name__"}, "(.*)", "__name__", "1$1")};
  // Prometheus 3 takes any UTF-8 name; 2.x only the classic forms.
  EXPECT_TRUE(scrape("a 1\n", 1000).error.ok());
  v2_ = true;
  appender_.reset();
  EXPECT_EQ(scrape("a 1\n", 2000).error.message(),
            "invalid metric name or label names: {__name__=\"1a\", instance=\"h:1\", job=\"j\"}");
}

TEST_F(ScrapeAppenderTest, DuplicateLabelNamesFailTheScrape) {
  EXPECT_EQ(scrape("a{x=\"1\",x=\"2\"} 1\n", 1000).error.message(),
            "label name \"x\" is not unique: invalid sample");
}

TEST_F(ScrapeAppenderTest, OutOfOrderSamplesAreCountedNotFatal) {
  scrape("a 1 5000\n", 1000);
  ScrapeOutcome o = scrape("a 2 4000\nb 1\n", 2000);
  EXPECT_TRUE(o.error.ok()) << o.error;
  EXPECT_EQ(o.rejected[size_t(tsdb::RejectReason::kOutOfOrder)], 1u);
  EXPECT_EQ(dump()[series("b")], (Samples{{2000, 1}}));
}

TEST_F(ScrapeAppenderTest, MetadataIsKeptPerFamily) {
  scrape("# HELP a_total Requests.\n# TYPE a_total counter\na_total 1\n", 1000);
  auto md = appender().changed_metadata();
  ASSERT_TRUE(md.has_value());
  ASSERT_EQ(md->size(), 1u);
  EXPECT_EQ((*md)[0].first, "a_total");
  EXPECT_EQ((*md)[0].second.type, "counter");
  EXPECT_EQ((*md)[0].second.help, "Requests.");
  scrape("# HELP a_total Requests.\n# TYPE a_total counter\na_total 2\n", 2000);
  EXPECT_FALSE(appender().changed_metadata().has_value());
}

// OpenMetrics: exemplars are kept (their own timestamp, else the sample's),
// timestamps are seconds, and `_created` is an ordinary series.
TEST_F(ScrapeAppenderTest, OpenMetricsExemplarsAndCreated) {
  const std::string body =
      "# TYPE a counter\n"
      "a_total 3 # {trace_id=\"abc\"} 1 5.5\n"
      "a_created 2.5\n"
      "# TYPE b counter\n"
      "b_total 4 9 # {trace_id=\"def\"} 2\n"
      "# EOF\n";
  ScrapeOutcome o = appender().scrape(*mem_.db, absl::OkStatus(), textparse::Format::kOpenMetrics, body, 10000,
                                      0.5, body.size());
  ASSERT_TRUE(o.error.ok()) << o.error;
  Dump d = dump();
  EXPECT_EQ(d[series("a_total")], (Samples{{10000, 3}}));
  EXPECT_EQ(d[series("a_created")], (Samples{{10000, 2.5}}));
  EXPECT_EQ(d[series("b_total")], (Samples{{9000, 4}}));
  auto m = tsdb::Matcher::make(tsdb::MatchType::kRegexMatch, "__name__", "a_total|b_total");
  std::vector<tsdb::ExemplarSeries> ex = mem_.db->select_exemplars(0, 20000, {{*m}});
  ASSERT_EQ(ex.size(), 2u);
  ASSERT_EQ(ex[0].exemplars.size(), 1u);
  EXPECT_EQ(ex[0].exemplars[0].labels.to_string(), "{trace_id=\"abc\"}");
  EXPECT_EQ(ex[0].exemplars[0].t_ms, 5500);
  EXPECT_EQ(ex[0].exemplars[0].value, 1);
  ASSERT_EQ(ex[1].exemplars.size(), 1u);
  EXPECT_EQ(ex[1].exemplars[0].t_ms, 9000);  // none written: the sample's
}

TEST_F(ScrapeAppenderTest, ExtraScrapeMetrics) {
  AppendOptions o;
  config_.sample_limit = 50;
  o.config = std::make_shared<const ScrapeConfig>(config_);
  o.target_labels = tsdb::Labels::from_strings({"job", "j", "instance", "h:1"});
  o.extra_metrics = true;
  appender_ = std::make_unique<ScrapeAppender>(std::move(o));
  scrape("a 1\n", 1000);
  Dump d = dump();
  EXPECT_EQ(d[series("scrape_timeout_seconds")], (Samples{{1000, 10}}));
  EXPECT_EQ(d[series("scrape_sample_limit")], (Samples{{1000, 50}}));
  EXPECT_EQ(d[series("scrape_body_size_bytes")], (Samples{{1000, 4}}));
}

// Storage that cannot write (a full disk: the WAL's writes fail): the scrape
// is not stored, not even `up`, yet the target stays up (Prometheus, too,
// only logs a failed commit) and the samples are counted as not stored.
// Once the disk works again, the next scrape is stored.
TEST_F(ScrapeAppenderTest, StorageFailureKeepsTargetUpAndCountsSamples) {
  testutil::TempDir dir("strata-scrape-fault-");
  testutil::FaultInjectionFileSystem fs;
  metrics::Registry db_reg, reg;
  tsdb::DBOptions o;
  o.dir = dir.path();
  o.maintenance_interval_ms = 0;
  auto db = tsdb::DB::open(o, &db_reg, &fs);
  ASSERT_TRUE(db.ok()) << db.status();
  ScrapeMetrics m(&reg);
  fs.set_fail_writes(true);
  ScrapeOutcome out = appender().scrape(**db, absl::OkStatus(), textparse::Format::kPrometheusText,
                                        "a 1\nb 2\n", 1000, 0.5, 8);
  fs.set_fail_writes(false);
  EXPECT_EQ(out.storage_error.code(), absl::StatusCode::kUnavailable) << out.storage_error;
  EXPECT_TRUE(out.error.ok()) << out.error;
  m.record(out);
  std::string text;
  reg.write_text(&text);
  EXPECT_NE(text.find("strata_target_scrapes_storage_failed_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("strata_target_scrape_samples_storage_failed_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("strata_target_scrapes_failed_total 0\n"), std::string::npos);
  EXPECT_TRUE(testing::dump(**db).empty());

  out = appender().scrape(**db, absl::OkStatus(), textparse::Format::kPrometheusText,
                          "a 1\nb 2\n", 2000, 0.5, 8);
  EXPECT_TRUE(out.storage_error.ok()) << out.storage_error;
  Dump d = testing::dump(**db);
  EXPECT_EQ(d[series("a")], (Samples{{2000, 1}}));
  EXPECT_EQ(d[series("up")], (Samples{{2000, 1}}));
}

}  // namespace
}  // namespace strata::scrape
