#include "api/remote/write_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "remote/parse_bound.h"
#include "remote/write_v2.pb.h"
#include "tests/remote/remote_test_util.h"

namespace strata::api::remote {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace strata::remote::testing;  // NOLINT
using namespace strata::remote;               // NOLINT
using tsdb::IngestResult;
using tsdb::RejectReason;

std::string header_of(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

// A real tsdb::DB in a fresh temporary directory, and a handler on it.
class WriteHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-rw-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    tsdb::DBOptions opts;
    opts.dir = dir_;
    auto db = tsdb::DB::open(opts, &reg_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    handler_ = std::make_unique<WriteHandler>(*db_, reg_);
  }
  void TearDown() override {
    handler_.reset();
    if (db_) {
      EXPECT_TRUE(db_->close().ok());
    }
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse send(const HttpRequest& req) {
    HttpResponse resp;
    handler_->handle(req, resp);
    return resp;
  }
  HttpResponse send(const prometheus::WriteRequest& req) { return send(post(req)); }

  std::string metrics_text() {
    std::string out;
    reg_.write_text(&out);
    return out;
  }

  std::string dir_;
  metrics::Registry reg_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<WriteHandler> handler_;
};

TEST_F(WriteHandlerTest, RoundTripsSamplesThroughStorage) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "http_requests_total", "job", "api", "instance", "a:9090"},
             {{1000, 1}, {16000, 5.5}, {31000, 12}});
  add_series(&req, {"__name__", "up", "job", "api"}, {{1000, 1}, {16000, 0}});
  HttpResponse resp = send(req);
  ASSERT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(resp.body, "");
  EXPECT_EQ(header_of(resp, "X-Prometheus-Remote-Write-Samples-Written"), "5");

  auto got = read_series(*db_, tsdb::Labels::from_strings({"__name__", "http_requests_total", "job",
                                                           "api", "instance", "a:9090"}));
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, double>>{{1000, 1}, {16000, 5.5}, {31000, 12}}));
  got = read_series(*db_, tsdb::Labels::from_strings({"__name__", "up", "job", "api"}));
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, double>>{{1000, 1}, {16000, 0}}));

  // A second request continues the series.
  prometheus::WriteRequest req2;
  add_series(&req2, {"__name__", "up", "job", "api"}, {{31000, 1}});
  ASSERT_EQ(send(req2).status, 204);
  got = read_series(*db_, tsdb::Labels::from_strings({"__name__", "up", "job", "api"}));
  EXPECT_EQ(got.size(), 3u);
}

TEST_F(WriteHandlerTest, PreservesStaleMarkerAndSpecialValuesBitExactly) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "g"},
             {{1000, 1}, {2000, from_bits(kStaleNaNBits)}, {3000, kNaN},
              {4000, std::numeric_limits<double>::infinity()}, {5000, -0.0},
              {6000, from_bits(0x7ff8000000000001ULL)}});
  ASSERT_EQ(send(req).status, 204);
  auto got = read_series(*db_, tsdb::Labels::from_strings({"__name__", "g"}));
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(to_bits(got[1].second), kStaleNaNBits);
  EXPECT_EQ(to_bits(got[2].second), to_bits(kNaN));
  EXPECT_TRUE(std::isinf(got[3].second));
  EXPECT_EQ(to_bits(got[4].second), to_bits(-0.0));
  EXPECT_EQ(to_bits(got[5].second), 0x7ff8000000000001ULL);
}

TEST_F(WriteHandlerTest, SortsLabelsAndDropsEmptyValues) {
  prometheus::WriteRequest req;
  add_series(&req, {"zone", "eu", "job", "x", "__name__", "m", "empty", ""}, {{1000, 7}});
  ASSERT_EQ(send(req).status, 204);
  auto got = read_series(*db_, tsdb::Labels::from_strings({"__name__", "m", "job", "x", "zone", "eu"}));
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, double>>{{1000, 7}}));
}

TEST_F(WriteHandlerTest, AcceptsMissingHeadersAndProtoParameter) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}});
  EXPECT_EQ(send(post(encode_write_request(req), "", "")).status, 204);
  add_series(&req, {"__name__", "b"}, {{1000, 1}});
  EXPECT_EQ(send(post(encode_write_request(req),
                      "Application/X-Protobuf; proto=prometheus.WriteRequest", "SNAPPY"))
                .status,
            204);
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "b"})).size(), 1u);
}

TEST_F(WriteHandlerTest, EmptyWriteRequestIsNoContent) {
  prometheus::WriteRequest req;
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(header_of(resp, "X-Prometheus-Remote-Write-Samples-Written"), "0");
}

TEST_F(WriteHandlerTest, StoresMetadata) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "http_requests_total"}, {{1000, 1}});
  auto* md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::COUNTER);
  md->set_metric_family_name("http_requests_total");
  md->set_help("Total HTTP requests.");
  md->set_unit("requests");
  md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::GAUGEHISTOGRAM);
  md->set_metric_family_name("queue_wait");
  md->set_help("Wait.");
  ASSERT_EQ(send(req).status, 204);
  auto m = db_->metadata("http_requests_total", 0, 0);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].second.size(), 1u);
  EXPECT_EQ(m[0].second[0], (tsdb::MetricMetadata{"counter", "Total HTTP requests.", "requests"}));
  m = db_->metadata("queue_wait", 0, 0);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].second[0].type, "gaugehistogram");
  EXPECT_THAT(metrics_text(), HasSubstr("strata_remote_write_metadata_received_total 2"));
}

// Remote write 2.0: the same storage effects from the symbol-table format;
// histograms make it a partial write (400), like 1.0's.
TEST_F(WriteHandlerTest, RemoteWrite2RequestsAreIngested) {
  namespace v2 = io::prometheus::write::v2;
  v2::Request req;
  for (const char* s : {"", "__name__", "http_requests_total", "job", "api", "Requests.", "trace_id", "t1"})
    req.add_symbols(s);
  v2::TimeSeries* ts = req.add_timeseries();
  for (uint32_t r : {3u, 4u, 1u, 2u}) ts->add_labels_refs(r);  // unsorted on purpose
  for (int64_t t : {1000, 2000}) {
    v2::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(double(t) / 100);
  }
  v2::Exemplar* e = ts->add_exemplars();
  for (uint32_t r : {6u, 7u}) e->add_labels_refs(r);
  e->set_value(3);
  e->set_timestamp(2000);
  ts->mutable_metadata()->set_type(v2::Metadata::METRIC_TYPE_COUNTER);
  ts->mutable_metadata()->set_help_ref(5);
  const std::string v2_type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  HttpResponse resp = send(post(snappy_encode(req.SerializeAsString()), v2_type));
  ASSERT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(header_of(resp, "X-Prometheus-Remote-Write-Samples-Written"), "2");
  EXPECT_EQ(header_of(resp, "X-Prometheus-Remote-Write-Exemplars-Written"), "1");
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "http_requests_total", "job", "api"})),
            (std::vector<std::pair<int64_t, double>>{{1000, 10}, {2000, 20}}));
  auto m = db_->metadata("http_requests_total", 0, 0);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].second[0], (tsdb::MetricMetadata{"counter", "Requests.", ""}));

  // A native histogram: the floats are written, the request is a partial write.
  ts->clear_samples();
  ts->add_samples()->set_timestamp(3000);
  ts->add_histograms()->set_count_int(1);
  resp = send(post(snappy_encode(req.SerializeAsString()), v2_type));
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("native histograms are not supported yet"));
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "http_requests_total", "job", "api"})).size(),
            3u);
  // Bad refs: 400 naming the series; an unknown message: 415.
  ts->add_labels_refs(99);
  resp = send(post(snappy_encode(req.SerializeAsString()), v2_type));
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("timeseries[0]"));
  EXPECT_EQ(send(post(snappy_encode(req.SerializeAsString()), "application/x-protobuf;proto=io.prometheus.write.v3.Request"))
                .status,
            415);
}

TEST_F(WriteHandlerTest, MetricTypeNamesAreLowerCasePrometheusNames) {
  EXPECT_STREQ(metric_type_name(prometheus::MetricMetadata::UNKNOWN), "unknown");
  EXPECT_STREQ(metric_type_name(prometheus::MetricMetadata::SUMMARY), "summary");
  EXPECT_STREQ(metric_type_name(prometheus::MetricMetadata::INFO), "info");
  EXPECT_STREQ(metric_type_name(prometheus::MetricMetadata::STATESET), "stateset");
  EXPECT_STREQ(metric_type_name(prometheus::MetricMetadata::HISTOGRAM), "histogram");
  EXPECT_STREQ(metric_type_name(42), "unknown");
}

TEST_F(WriteHandlerTest, ExemplarsAreAcceptedAndCounted) {
  prometheus::WriteRequest req;
  auto* ts = add_series(&req, {"__name__", "c_total"}, {{1000, 3}});
  auto* ex = ts->add_exemplars();
  auto* l = ex->add_labels();
  l->set_name("trace_id");
  l->set_value("abc");
  ex->set_value(1);
  ex->set_timestamp(900);
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_THAT(metrics_text(), HasSubstr("strata_remote_write_exemplars_received_total 1"));
}

TEST_F(WriteHandlerTest, PartialWriteCommitsValidSamplesAndAnswers400) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "ok1"}, {{1000, 1}, {2000, 2}});
  add_series(&req, {"__name__", "bad", "1x", "v"}, {{1000, 1}});
  add_series(&req, {"__name__", "ok2"}, {{1000, 1}, {500, 2}, {3000, 3}});  // one OOO
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, StartsWith("invalid labels in timeseries[1] {"));
  EXPECT_THAT(resp.body, HasSubstr("invalid label name \"1x\""));
  // The out-of-order sample within the request is dropped, not rejected.
  EXPECT_THAT(resp.body, HasSubstr("1 of 6 samples rejected (invalid_labels: 1), "
                                   "4 samples written, 1 dropped as duplicate or out of order "
                                   "within the request"));
  EXPECT_EQ(header_of(resp, "X-Prometheus-Remote-Write-Samples-Written"), "4");
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "ok1"})).size(), 2u);
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "ok2"})),
            (std::vector<std::pair<int64_t, double>>{{1000, 1}, {3000, 3}}));
  EXPECT_EQ(count_series(*db_, "bad"), 0u);
  std::string m = metrics_text();
  EXPECT_THAT(m, HasSubstr("strata_remote_write_requests_total{code=\"400\"} 1"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_samples_received_total 6"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_samples_written_total 4"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_samples_rejected_total{reason=\"invalid_labels\"} 1"));
}

// --storage.tsdb.max-series: the series that fit are written, the rest are
// refused per sample with a 400 that names the limit, and later requests for
// the series already stored keep succeeding.
TEST(WriteHandlerSeriesLimitTest, NewSeriesBeyondTheLimitAreRefusedWith400) {
  metrics::Registry reg;
  tsdb::DBOptions opts;
  opts.dir = "";
  opts.max_series = 2;
  auto db = tsdb::DB::open(opts, &reg);
  ASSERT_TRUE(db.ok()) << db.status();
  WriteHandler handler(**db, reg);
  prometheus::WriteRequest req;
  for (const char* name : {"a", "b", "c", "d"}) add_series(&req, {"__name__", name}, {{1000, 1}});
  HttpResponse resp;
  handler.handle(post(req), resp);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, StartsWith("series limit reached: the head already holds "
                                    "--storage.tsdb.max-series series"));
  EXPECT_THAT(resp.body, HasSubstr("2 of 4 samples rejected (series_limit: 2), 2 samples written"));
  EXPECT_EQ(count_series(**db, "a") + count_series(**db, "b"), 2u);
  std::string m;
  reg.write_text(&m);
  EXPECT_THAT(m, HasSubstr("strata_remote_write_samples_rejected_total{reason=\"series_limit\"} 2"));
  EXPECT_THAT(m, HasSubstr("strata_tsdb_head_samples_rejected_total{reason=\"series_limit\"} 2"));
  prometheus::WriteRequest again;
  add_series(&again, {"__name__", "a"}, {{2000, 2}});
  add_series(&again, {"__name__", "b"}, {{2000, 2}});
  HttpResponse ok;
  handler.handle(post(again), ok);
  EXPECT_EQ(ok.status, 204) << ok.body;
  EXPECT_TRUE((*db)->close().ok());
}

TEST_F(WriteHandlerTest, NativeHistogramsAreRejectedButFloatsKept) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "f"}, {{1000, 1}});
  auto* ts = add_series(&req, {"__name__", "h"}, {});
  auto* h = ts->add_histograms();
  h->set_count_int(3);
  h->set_sum(1.5);
  h->set_timestamp(1000);
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, StartsWith("native histograms are not supported yet: 1 histogram samples "
                                    "of series {__name__=\"h\"} rejected"));
  EXPECT_THAT(resp.body, HasSubstr("(native_histogram_unsupported: 1), 1 samples written"));
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "f"})).size(), 1u);
}

// The decoded body and its view (twice the decoded size), and for
// libprotobuf's parse four times more, are reserved from the server's
// request-memory budget before they are allocated; a refusal is a
// retryable 503 and nothing is written.
TEST_F(WriteHandlerTest, RefusedRequestMemoryIs503WithRetryAfter) {
  prometheus::WriteRequest wr;
  add_series(&wr, {"__name__", "f"}, {{1000, 1}});
  const std::string raw = wr.SerializeAsString();
  HttpRequest req = post(wr);
  std::vector<uint64_t> asked;
  req.reserve_memory = [&](uint64_t bytes) {
    asked.push_back(bytes);
    return absl::UnavailableError("busy now");
  };
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(resp.body, "busy now\n");
  EXPECT_EQ(header_of(resp, "Retry-After"), "1");
  EXPECT_EQ(asked, std::vector<uint64_t>{raw.size()});  // the decoded body first
  EXPECT_TRUE(read_series(*db_, tsdb::Labels::from_strings({"__name__", "f"})).empty());

  // A body that needs libprotobuf (a native histogram) asks again.
  auto* h = add_series(&wr, {"__name__", "h"}, {})->add_histograms();
  h->set_count_int(3);
  h->set_timestamp(1000);
  req = post(wr);
  asked.clear();
  const std::string wire = wr.SerializeAsString();
  const uint64_t bound = protobuf_parse_bound(wire, prometheus::WriteRequest::descriptor());
  req.reserve_memory = [&](uint64_t bytes) {
    asked.push_back(bytes);
    return bytes == bound ? absl::ResourceExhaustedError("never fits") : absl::OkStatus();
  };
  resp = send(req);
  EXPECT_EQ(resp.status, 413);  // not retried by senders: a retry cannot fit either
  EXPECT_EQ(resp.body, "never fits\n");
  EXPECT_EQ(header_of(resp, "Retry-After"), "<absent>");
  // The decoded body, maybe the view's growth, then libprotobuf's bound.
  ASSERT_GE(asked.size(), 2u);
  EXPECT_EQ(asked.front(), wire.size());
  EXPECT_EQ(asked.back(), bound);
  EXPECT_THAT(metrics_text(), HasSubstr("strata_remote_write_requests_total{code=\"503\"} 1"));
  EXPECT_THAT(metrics_text(), HasSubstr("strata_remote_write_requests_total{code=\"413\"} 1"));
}

// A body of empty messages decodes into a view ~25 times its size (a
// series is 2 bytes on the wire and 48 in the view): the view's memory is
// reserved as it grows, not estimated from the body, so such a body gets
// 413 from a budget its decoded size alone would fit many times over.
TEST_F(WriteHandlerTest, ViewOfEmptyMessagesReservesWhatItTakes) {
  const std::string v2_type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  for (const char* type : {"", "v2"}) {
    SCOPED_TRACE(type);
    std::string raw;
    for (int i = 0; i < 300000; ++i) raw += std::string(*type ? "\x2a\x00" : "\x0a\x00", 2);  // empty TimeSeries
    HttpRequest req = post(snappy_encode(raw), *type ? v2_type : "");
    const uint64_t budget = 8 * raw.size();  // 4.8 MB; the series alone are 14 MB
    uint64_t granted = 0;
    req.reserve_memory = [&](uint64_t bytes) {
      if (granted + bytes > budget) return absl::ResourceExhaustedError("never fits");
      granted += bytes;
      return absl::OkStatus();
    };
    HttpResponse resp = send(req);
    EXPECT_EQ(resp.status, 413) << resp.body;
    EXPECT_EQ(resp.body, "never fits\n");
    EXPECT_LE(granted, budget);

    // A budget that fits: decoded and answered (no labels: 400).
    req.reserve_memory = [&](uint64_t) { return absl::OkStatus(); };
    EXPECT_EQ(send(req).status, 400);
  }
  // libprotobuf's parse (a native histogram sends the body there) is
  // reserved by its bound from the wire: tens of times the wire size here.
  prometheus::WriteRequest wr;
  for (int i = 0; i < 20000; ++i) wr.add_timeseries()->add_labels();
  add_series(&wr, {"__name__", "h"}, {})->add_histograms()->set_count_int(1);
  const std::string wire = wr.SerializeAsString();
  const uint64_t bound = protobuf_parse_bound(wire, prometheus::WriteRequest::descriptor());
  EXPECT_GT(bound, 40 * wire.size());
  HttpRequest req = post(wr);
  std::vector<uint64_t> asked;
  req.reserve_memory = [&](uint64_t bytes) {
    asked.push_back(bytes);
    return bytes == bound ? absl::ResourceExhaustedError("never fits") : absl::OkStatus();
  };
  EXPECT_EQ(send(req).status, 413);
  EXPECT_EQ(asked.back(), bound);
}

TEST_F(WriteHandlerTest, RequestSizeIsObserved) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}});
  ASSERT_EQ(send(req).status, 204);
  std::string m = metrics_text();
  EXPECT_THAT(m, HasSubstr("strata_remote_write_request_bytes_count 1"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_requests_total{code=\"204\"} 1"));
}

// Storage behaviours the real head cannot be made to produce on demand.
class WriteHandlerFakeTest : public ::testing::Test {
 protected:
  HttpResponse send(const prometheus::WriteRequest& req) {
    HttpResponse resp;
    handler_.handle(post(req), resp);
    return resp;
  }
  metrics::Registry reg_;
  FakeAppendable app_;
  WriteHandler handler_{app_, reg_};
};

TEST_F(WriteHandlerFakeTest, OutOfBoundsAndTooOldAreRejectedPerSample) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{-1, 1}, {1000, 2}});
  add_series(&req, {"__name__", "b"}, {{-2, 1}, {1000, 2}});
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, StartsWith("out of bounds for series {__name__=\"a\"} at timestamp -1; "
                                    "2 of 4 samples rejected (out_of_bounds: 1, too_old: 1), "
                                    "2 samples written\n"));
  EXPECT_EQ(app_.committed.size(), 2u);
}

TEST_F(WriteHandlerFakeTest, OtherInvalidArgumentIsRejectedAsOther) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{-3, 1}, {1000, 2}});
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, StartsWith("sample rejected by policy for series {__name__=\"a\"}"));
  EXPECT_THAT(resp.body, HasSubstr("(other: 1)"));
  EXPECT_EQ(app_.committed.size(), 1u);
}

// The fake's append fails with kUnavailable ("disk full"): 503.
TEST_F(WriteHandlerFakeTest, StorageFailureRollsBackAndAnswers503) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}});
  add_series(&req, {"__name__", "b"}, {{-4, 1}});
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 503);
  EXPECT_THAT(resp.body, StartsWith("append failed for series {__name__=\"b\"}: disk full"));
  EXPECT_EQ(app_.committed.size(), 0u);
  EXPECT_EQ(app_.rollbacks, 1);
  EXPECT_EQ(app_.commits, 0);
}

TEST_F(WriteHandlerFakeTest, CommitFailureAnswers500AndNo2xx) {
  app_.commit_status = absl::InternalError("WAL write: no space left on device");
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}});
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body, "commit failed: WAL write: no space left on device\n");
  EXPECT_EQ(app_.commits, 1);
  std::string m;
  reg_.write_text(&m);
  EXPECT_THAT(m, HasSubstr("strata_remote_write_requests_total{code=\"500\"} 1"));
}

// A full disk (WalWriter's kUnavailable) is 503 with storage's own message,
// so that senders retry and operators read the cause.
TEST_F(WriteHandlerFakeTest, UnavailableStorageAnswers503) {
  app_.commit_status = absl::UnavailableError(
      "storage unavailable: no space left on device (writing WAL segment wal/00000001)");
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}});
  for (int i = 0; i < 3; ++i) {
    HttpResponse resp = send(req);
    EXPECT_EQ(resp.status, 503);
    EXPECT_EQ(resp.body,
              "storage unavailable: no space left on device (writing WAL segment wal/00000001)\n");
  }
  std::string m;
  reg_.write_text(&m);
  EXPECT_THAT(m, HasSubstr("strata_remote_write_requests_total{code=\"503\"} 3"));
  EXPECT_THAT(m, HasSubstr("strata_remote_write_samples_written_total 0"));
}

TEST_F(WriteHandlerFakeTest, AnswersOnlyAfterCommit) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "a"}, {{1000, 1}, {2000, 2}});
  auto* md = req.add_metadata();
  md->set_metric_family_name("a");
  md->set_type(prometheus::MetricMetadata::GAUGE);
  HttpResponse resp = send(req);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(app_.commits, 1);
  EXPECT_EQ(app_.committed.size(), 2u);
  ASSERT_EQ(app_.metadata.size(), 1u);
  EXPECT_EQ(app_.metadata[0].second.type, "gauge");
}

TEST_F(WriteHandlerFakeTest, NothingValidMeansRollbackNotCommit) {
  prometheus::WriteRequest req;
  add_series(&req, {"job", "no-name"}, {{1000, 1}});
  EXPECT_EQ(send(req).status, 400);
  EXPECT_EQ(app_.commits, 0);
  EXPECT_EQ(app_.rollbacks, 1);
}

TEST(WriteHandlerOptionsTest, Utf8NamesOptionAcceptsDottedNames) {
  metrics::Registry reg;
  FakeAppendable app;
  WriteHandlerOptions opts;
  opts.ingest.utf8_names = true;
  WriteHandler h(app, reg, opts);
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "http.server.duration", "service.name", "api"}, {{1000, 1}});
  HttpResponse resp;
  h.handle(post(req), resp);
  EXPECT_EQ(resp.status, 204) << resp.body;
}

}  // namespace
}  // namespace strata::api::remote
