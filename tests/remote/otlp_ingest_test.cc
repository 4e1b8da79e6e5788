// An OTLP request translated into a real (in-memory) tsdb::DB: which series
// and values come out, per Prometheus 3's documented translation, and which
// data points are rejected.
#include "remote/otlp_ingest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "base/clock.h"
#include "tests/remote/otlp_test_util.h"
#include "tests/remote/remote_test_util.h"
#include "tsdb/db.h"

namespace strata::remote {
namespace {

using namespace strata::remote::testing;  // NOLINT
using tsdb::Labels;
using Samples = std::vector<std::pair<int64_t, double>>;

class OtlpIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::DBOptions opts;
    opts.dir = "";
    db_ = std::move(tsdb::DB::open(opts, &reg_).value());
  }
  OtlpIngestResult ingest(const strata::otlp::ExportMetricsServiceRequest& req) {
    return ingest_otlp_request(req, config_, *db_);
  }
  Samples read(std::initializer_list<std::string_view> kv) {
    return read_series(*db_, Labels::from_strings(kv));
  }

  metrics::Registry reg_;
  std::unique_ptr<tsdb::DB> db_;
  OtlpConfig config_;
  const int64_t t_ = now_ms() / 1000 * 1000 - 60'000;
};

const Attrs kResource = {{"service.name", "api"},
                             {"service.namespace", "shop"},
                             {"service.instance.id", "pod-1"},
                             {"host.name", "h1"},
                             {"deployment.environment", "prod"}};

TEST_F(OtlpIngestTest, TranslatesEveryKindLikePrometheus3) {
  config_.promote_resource_attributes = {"deployment.environment"};
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, kResource);
  add_sum(sm, "http.server.requests", "{requests}", t_, 42, {{"http.method", "GET"}});
  add_sum(sm, "queue.depth", "", t_, -3, {}, /*monotonic=*/false);
  add_gauge(sm, "system.memory.utilization", "1", t_, 0.25);
  auto* h = add_histogram(sm, "http.server.duration", "ms", t_, {5, 10}, {1, 2, 3}, 71.5,
                          {{"route", "/a"}});
  auto* ex = h->add_exemplars();
  ex->set_as_double(7);
  ex->set_time_unix_nano(ns(t_));
  ex->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  ex->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  auto* s = add_metric(sm, "rpc.latency", "s")->mutable_summary()->add_data_points();
  s->set_time_unix_nano(ns(t_));
  s->set_count(10);
  s->set_sum(2.5);
  auto* q = s->add_quantile_values();
  q->set_quantile(0.99);
  q->set_value(0.4);

  OtlpIngestResult r = ingest(req);
  ASSERT_TRUE(r.ingest.fatal.ok()) << r.ingest.fatal;
  EXPECT_TRUE(r.first_point_error.ok()) << r.first_point_error;
  EXPECT_EQ(r.points_received, 5u);
  EXPECT_EQ(r.points_rejected, 0u);
  EXPECT_EQ(r.ingest.total_rejected(), 0u);

  const Samples one = {{t_, 1}};
  struct Row {
    const char* what;
    std::initializer_list<std::string_view> labels;
    double value;
  } rows[] = {
      {"counter: _total, attributes, job from namespace/name, instance, promoted attribute",
       {"__name__", "http_server_requests_total", "http_method", "GET", "job", "shop/api",
        "instance", "pod-1", "deployment_environment", "prod"},
       42},
      {"non-monotonic sum: a gauge",
       {"__name__", "queue_depth", "job", "shop/api", "instance", "pod-1",
        "deployment_environment", "prod"},
       -3},
      {"gauge with unit 1: _ratio",
       {"__name__", "system_memory_utilization_ratio", "job", "shop/api", "instance", "pod-1",
        "deployment_environment", "prod"},
       0.25},
      {"histogram bucket le=5",
       {"__name__", "http_server_duration_milliseconds_bucket", "le", "5", "route", "/a", "job",
        "shop/api", "instance", "pod-1", "deployment_environment", "prod"},
       1},
      {"histogram buckets are cumulative",
       {"__name__", "http_server_duration_milliseconds_bucket", "le", "10", "route", "/a", "job",
        "shop/api", "instance", "pod-1", "deployment_environment", "prod"},
       3},
      {"+Inf is the count",
       {"__name__", "http_server_duration_milliseconds_bucket", "le", "+Inf", "route", "/a",
        "job", "shop/api", "instance", "pod-1", "deployment_environment", "prod"},
       6},
      {"histogram _sum",
       {"__name__", "http_server_duration_milliseconds_sum", "route", "/a", "job", "shop/api",
        "instance", "pod-1", "deployment_environment", "prod"},
       71.5},
      {"histogram _count",
       {"__name__", "http_server_duration_milliseconds_count", "route", "/a", "job", "shop/api",
        "instance", "pod-1", "deployment_environment", "prod"},
       6},
      {"summary quantile",
       {"__name__", "rpc_latency_seconds", "quantile", "0.99", "job", "shop/api", "instance",
        "pod-1", "deployment_environment", "prod"},
       0.4},
      {"summary _sum",
       {"__name__", "rpc_latency_seconds_sum", "job", "shop/api", "instance", "pod-1",
        "deployment_environment", "prod"},
       2.5},
      {"summary _count",
       {"__name__", "rpc_latency_seconds_count", "job", "shop/api", "instance", "pod-1",
        "deployment_environment", "prod"},
       10},
      {"target_info: the other resource attributes, identifying ones as job/instance",
       {"__name__", "target_info", "job", "shop/api", "instance", "pod-1", "host_name", "h1",
        "deployment_environment", "prod"},
       1},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    EXPECT_EQ(read(row.labels), (Samples{{t_, row.value}}));
  }

  // The exemplar sits on the bucket its value falls in, with hex ids.
  auto m = tsdb::Matcher::make(tsdb::MatchType::kEqual, "__name__",
                               "http_server_duration_milliseconds_bucket");
  ASSERT_TRUE(m.ok());
  std::vector<tsdb::ExemplarSeries> ex_series = db_->select_exemplars(t_ - 1, t_ + 1, {{*m}});
  auto* ex_result = &ex_series;
  ASSERT_EQ(ex_series.size(), 1u);
  EXPECT_EQ(ex_series[0].series_labels.get("le"), "10");
  ASSERT_EQ((*ex_result)[0].exemplars.size(), 1u);
  EXPECT_EQ((*ex_result)[0].exemplars[0].labels,
            Labels::from_strings({"span_id", "eee19b7ec3c1b174", "trace_id",
                                  "5b8efff798038103d269b633813fc60c"}));
}

TEST_F(OtlpIngestTest, RejectsDeltaExponentialAndMalformedPointsButWritesTheRest) {
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, {{"service.name", "api"}});
  add_sum(sm, "delta.requests", "", t_, 5, {}, true, /*temporality=*/1);
  add_histogram(sm, "delta.latency", "s", t_, {1}, {1, 1}, 1, {}, /*temporality=*/1);
  add_histogram(sm, "bad.buckets", "", t_, {1, 2}, {1, 1}, 1);
  auto* e = add_metric(sm, "exp.latency")->mutable_exponential_histogram();
  e->set_aggregation_temporality(strata::otlp::AGGREGATION_TEMPORALITY_CUMULATIVE);
  e->add_data_points()->set_count(1);
  add_gauge(sm, "ok.gauge", "", t_, 1);
  add_gauge(sm, "untimed", "", 0, 1);

  OtlpIngestResult r = ingest(req);
  EXPECT_EQ(r.points_received, 6u);
  EXPECT_EQ(r.points_rejected, 5u);
  EXPECT_EQ(count_series(*db_, "untimed"), 0u);
  ASSERT_FALSE(r.first_point_error.ok());
  EXPECT_EQ(r.first_point_error.message(),
            "invalid temporality and type combination for metric \"delta.requests\": delta sums "
            "are not supported; export cumulative temporality");
  EXPECT_EQ(read({"__name__", "ok_gauge", "job", "api"}), (Samples{{t_, 1}}));
  EXPECT_EQ(count_series(*db_, "delta_requests_total"), 0u);
  EXPECT_EQ(count_series(*db_, "bad_buckets_bucket"), 0u);
  // No identifying-only resource: no target_info.
  EXPECT_EQ(count_series(*db_, "target_info"), 0u);
}

TEST_F(OtlpIngestTest, NoTargetInfoWithoutJobOrInstance) {
  strata::otlp::ExportMetricsServiceRequest req;
  add_gauge(add_resource(&req, {{"host.name", "h1"}}), "g", "", t_, 1);
  ingest(req);
  EXPECT_EQ(count_series(*db_, "g"), 1u);
  EXPECT_EQ(count_series(*db_, "target_info"), 0u);
}

TEST_F(OtlpIngestTest, NoRecordedValueIsTheStaleMarker) {
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, {{"service.name", "api"}});
  add_gauge(sm, "temp", "Cel", t_, 21)->set_flags(1);
  ingest(req);
  Samples got = read({"__name__", "temp_celsius", "job", "api"});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(to_bits(got[0].second), kStaleNaNBits);
}

TEST_F(OtlpIngestTest, CollidingAttributesJoinAndResourceJobWins) {
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, {{"service.name", "api"}, {"service.instance.id", "i"}});
  add_gauge(sm, "g", "", t_, 1, {{"a.b", "1"}, {"a_b", "2"}, {"job", "mine"}, {"2x", "y"}});
  ingest(req);
  EXPECT_EQ(read({"__name__", "g", "a_b", "1;2", "job", "api", "instance", "i", "key_2x", "y"}),
            (Samples{{t_, 1}}));
}

TEST_F(OtlpIngestTest, KeepIdentifyingAttributesAndOtherStrategies) {
  config_.keep_identifying_resource_attributes = true;
  config_.translation_strategy = OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes;
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, {{"service.name", "api"}});
  add_sum(sm, "bot.tokens_used", "", t_, 9, {{"token.type", "input"}});
  ingest(req);
  EXPECT_EQ(read({"__name__", "bot_tokens_used", "token_type", "input", "job", "api"}),
            (Samples{{t_, 9}}));
  EXPECT_EQ(read({"__name__", "target_info", "job", "api", "service_name", "api"}),
            (Samples{{t_, 1}}));
}

TEST_F(OtlpIngestTest, LabelBudgetRollsBackTheWholeRequest) {
  strata::otlp::ExportMetricsServiceRequest req;
  auto* sm = add_resource(&req, {{"service.name", "api"}});
  std::string big(1000, 'x');
  std::vector<double> bounds(100);
  std::vector<uint64_t> counts(101, 1);
  for (int i = 0; i < 100; ++i) bounds[i] = i;
  add_gauge(sm, "first", "", t_, 1);
  add_histogram(sm, "h", "", t_, bounds, counts, 1, {{"big", big}});
  OtlpIngestOptions opts;
  opts.max_label_bytes = 50'000;  // 102 series x 1000 bytes do not fit
  OtlpIngestResult r = ingest_otlp_request(req, config_, *db_, opts);
  EXPECT_EQ(r.too_large.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(count_series(*db_, "first"), 0u);
}

}  // namespace
}  // namespace strata::remote
