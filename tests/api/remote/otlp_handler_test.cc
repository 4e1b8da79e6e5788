// The OTLP/HTTP receiver's contract (api/remote/otlp_handler.h): statuses
// and bodies per encoding, partial success, reloaded configuration,
// self-metrics, and a randomized test: mutated and generated bodies under
// every content type and encoding never crash and always get 200/4xx.
#include "api/remote/otlp_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <random>

#include "base/clock.h"
#include "remote/codec.h"
#include "remote/parse_bound.h"
#include "tests/remote/otlp_test_util.h"
#include "tests/remote/remote_test_util.h"
#include "tsdb/db.h"

namespace strata::api::remote {
namespace {

using ::testing::HasSubstr;
using namespace strata::remote::testing;  // NOLINT
using strata::remote::OtlpConfig;
using strata::remote::OtlpConfigSource;
using strata::otlp::ExportMetricsServiceRequest;
using strata::otlp::ExportMetricsServiceResponse;

HttpRequest post(std::string body, std::string content_type = "application/x-protobuf",
                 std::string encoding = "") {
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/v1/otlp/v1/metrics";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  if (!encoding.empty()) r.headers.emplace_back("content-encoding", std::move(encoding));
  r.body = std::move(body);
  return r;
}

class OtlpHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::DBOptions opts;
    opts.dir = "";
    db_ = std::move(tsdb::DB::open(opts, &reg_).value());
    OtlpHandlerOptions ho;
    ho.max_decoded_bytes = 1 << 20;
    ho.config = [this] { return config_.get(); };
    handler_ = std::make_unique<OtlpHandler>(*db_, reg_, ho);
  }
  HttpResponse send(const HttpRequest& req) {
    HttpResponse resp;
    handler_->handle(req, resp);
    return resp;
  }
  std::string metrics_text() {
    std::string out;
    reg_.write_text(&out);
    return out;
  }
  ExportMetricsServiceRequest sample_request() {
    ExportMetricsServiceRequest req;
    auto* sm = add_resource(&req, {{"service.name", "api"}});
    add_sum(sm, "requests", "", t_, 5);
    add_histogram(sm, "latency", "s", t_, {0.1, 1}, {1, 2, 0}, 1.5);
    return req;
  }

  metrics::Registry reg_;
  std::unique_ptr<tsdb::DB> db_;
  OtlpConfigSource config_;
  std::unique_ptr<OtlpHandler> handler_;
  const int64_t t_ = now_ms() / 1000 * 1000 - 60'000;
};

TEST_F(OtlpHandlerTest, ProtobufAndGzipAnswerAnEmptyResponse) {
  std::string body = sample_request().SerializeAsString();
  HttpResponse resp = send(post(body));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/x-protobuf");
  ExportMetricsServiceResponse out;
  ASSERT_TRUE(out.ParseFromString(resp.body));
  EXPECT_FALSE(out.has_partial_success());
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "requests_total", "job", "api"})),
            (std::vector<std::pair<int64_t, double>>{{t_, 5}}));
  EXPECT_EQ(count_series(*db_, "latency_seconds_bucket"), 3u);

  ExportMetricsServiceRequest later;
  add_sum(add_resource(&later, {{"service.name", "api"}}), "requests", "", t_ + 1000, 6);
  resp = send(post(gzip(later.SerializeAsString()), "application/x-protobuf", "gzip"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_samples_written_total 7"));
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_requests_total{code=\"200\"} 2"));
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_data_points_received_total 3"));
}

// The decoded body and the parsed request are reserved from the server's
// request-memory budget before they are allocated; a refusal is a
// retryable 503 and nothing is written.
TEST_F(OtlpHandlerTest, RefusedRequestMemoryIs503WithRetryAfter) {
  for (bool zip : {false, true}) {
    SCOPED_TRACE(zip ? "gzip" : "identity");
    std::string body = sample_request().SerializeAsString();
    HttpRequest req = zip ? post(gzip(body), "application/x-protobuf", "gzip") : post(body);
    std::vector<uint64_t> asked;
    req.reserve_memory = [&](uint64_t bytes) {
      asked.push_back(bytes);
      return absl::UnavailableError("busy now");
    };
    HttpResponse resp = send(req);
    EXPECT_EQ(resp.status, 503);
    strata::otlp::RpcStatus st;
    ASSERT_TRUE(st.ParseFromString(resp.body));
    EXPECT_EQ(st.code(), 14);  // UNAVAILABLE
    EXPECT_EQ(st.message(), "busy now");
    bool retry_after = false;
    for (const auto& [k, v] : resp.headers) retry_after = retry_after || (k == "Retry-After" && v == "1");
    EXPECT_TRUE(retry_after);
    ASSERT_EQ(asked.size(), 1u);
    if (!zip) {  // the parsed request: its bound, and the arena's first and last blocks
      const uint64_t bound = strata::remote::protobuf_parse_bound(
          body, strata::otlp::ExportMetricsServiceRequest::descriptor());
      EXPECT_EQ(asked[0], strata::remote::arena_options_for(body.size()).start_block_size + 2 * bound);
    }
  }
  EXPECT_EQ(count_series(*db_, "latency_seconds_bucket"), 0u);
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_requests_total{code=\"503\"} 2"));
}

// A body of empty messages parses into tens of times its size: the parse is
// reserved by its bound from the wire, so the request gets 413 from a budget
// that four times its size (the old estimate) would have fit.
TEST_F(OtlpHandlerTest, BodyOfEmptyMessagesReservesWhatItsParseTakes) {
  std::string body;
  for (int i = 0; i < 100000; ++i) body += std::string("\x0a\x00", 2);  // empty ResourceMetrics
  for (const char* type : {"application/x-protobuf", "application/json"}) {
    SCOPED_TRACE(type);
    if (std::string_view(type) == "application/json") {
      body = "{\"resourceMetrics\":[{}";
      for (int i = 0; i < 100000; ++i) body += ",{}";
      body += "]}";
    }
    HttpRequest req = post(body, type);
    const uint64_t budget = 8 * body.size();
    uint64_t granted = 0;
    req.reserve_memory = [&](uint64_t bytes) {
      if (granted + bytes > budget) return absl::ResourceExhaustedError("never fits");
      granted += bytes;
      return absl::OkStatus();
    };
    EXPECT_EQ(send(req).status, 413);
    req.reserve_memory = nullptr;
    EXPECT_EQ(send(req).status, 200);
  }
}

TEST_F(OtlpHandlerTest, JsonInJsonOut) {
  std::string body = R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",
    "value":{"stringValue":"api"}}]},"scopeMetrics":[{"metrics":[{"name":"g","gauge":
    {"dataPoints":[{"timeUnixNano":")" + std::to_string(ns(t_)) + R"(","asDouble":2}]}},
    {"name":"d","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":1}]}}]}]}]})";
  HttpResponse resp = send(post(body, "application/json"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body,
            R"({"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"invalid temporality )"
            R"(and type combination for metric \"d\": delta sums are not supported; export )"
            R"(cumulative temporality; 1 of 2 data points rejected, 1 samples written"}})");
  EXPECT_EQ(count_series(*db_, "g"), 1u);
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_data_points_rejected_total 1"));
}

TEST_F(OtlpHandlerTest, StorageRejectionsArePartialSuccess) {
  std::string body = sample_request().SerializeAsString();
  ASSERT_EQ(send(post(body)).status, 200);
  // The same points again: storage drops exact duplicates silently, so
  // send an older one to be out of order.
  ExportMetricsServiceRequest older;
  add_sum(add_resource(&older, {{"service.name", "api"}}), "requests", "", t_ - 5000, 1);
  HttpResponse resp = send(post(older.SerializeAsString()));
  ASSERT_EQ(resp.status, 200);
  ExportMetricsServiceResponse out;
  ASSERT_TRUE(out.ParseFromString(resp.body));
  EXPECT_EQ(out.partial_success().rejected_data_points(), 1);
  EXPECT_THAT(out.partial_success().error_message(), HasSubstr("out of order sample"));
  EXPECT_THAT(out.partial_success().error_message(), HasSubstr("out_of_order: 1"));
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_samples_rejected_total{reason=\"out_of_order\"} 1"));
}

TEST_F(OtlpHandlerTest, ErrorStatuses) {
  struct {
    const char* what;
    HttpRequest req;
    int status;
    const char* body_has;
  } cases[] = {
      {"GET", [] { auto r = post(""); r.method = "GET"; return r; }(), 405, "expects POST"},
      {"unknown content type", post("x", "text/plain"), 415, "unsupported Content-Type"},
      {"no content type", post("x", ""), 415, "unsupported Content-Type"},
      {"unknown encoding", post("x", "application/x-protobuf", "br"), 415,
       "unsupported Content-Encoding"},
      {"bad protobuf", post("\xff\xff\xff"), 400, "cannot parse ExportMetricsServiceRequest"},
      {"bad JSON", post("{", "application/json"), 400, "cannot parse OTLP JSON"},
      {"bad gzip", post("not gzip", "application/json", "gzip"), 400, "gzip"},
      {"gzip over the cap", post(gzip(std::string(2 << 20, ' ')), "application/json", "gzip"),
       413, "exceeds the limit"},
      {"body over the cap", post(std::string(2 << 20, ' '), "application/json"), 413,
       "exceeds the limit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    HttpResponse resp = send(c.req);
    EXPECT_EQ(resp.status, c.status);
    EXPECT_THAT(resp.body, HasSubstr(c.body_has));
  }
  // Errors in a known encoding are google.rpc.Status messages.
  HttpResponse resp = send(post("\xff\xff\xff"));
  strata::otlp::RpcStatus st;
  ASSERT_TRUE(st.ParseFromString(resp.body));
  EXPECT_EQ(st.code(), 3);
  EXPECT_THAT(st.message(), HasSubstr("cannot parse"));
  EXPECT_THAT(metrics_text(), HasSubstr("strata_otlp_requests_total{code=\"400\"} 4"));
}

TEST_F(OtlpHandlerTest, SeesTheReloadedConfiguration) {
  ExportMetricsServiceRequest req;
  add_sum(add_resource(&req, {{"service.name", "api"}}), "bot.tokens_used", "", t_, 3);
  ASSERT_EQ(send(post(req.SerializeAsString())).status, 200);
  EXPECT_EQ(count_series(*db_, "bot_tokens_used_total"), 1u);
  OtlpConfig c;
  c.translation_strategy = strata::remote::OtlpTranslationStrategy::kUnderscoreEscapingWithoutSuffixes;
  config_.set(c);
  ASSERT_EQ(send(post(req.SerializeAsString())).status, 200);
  EXPECT_EQ(count_series(*db_, "bot_tokens_used"), 1u);
}

TEST(OtlpHandlerStorageTest, CommitFailureIs503AndRetryable) {
  FakeAppendable db;
  db.commit_status = absl::UnavailableError("disk full");
  metrics::Registry reg;
  OtlpHandler handler(db, reg, {});
  ExportMetricsServiceRequest req;
  add_gauge(add_resource(&req, {{"service.name", "api"}}), "g", "", 1000, 1);
  HttpResponse resp;
  handler.handle(post(req.SerializeAsString()), resp);
  EXPECT_EQ(resp.status, 503);
  strata::otlp::RpcStatus st;
  ASSERT_TRUE(st.ParseFromString(resp.body));
  EXPECT_EQ(st.code(), 14);  // UNAVAILABLE
  EXPECT_THAT(st.message(), HasSubstr("disk full"));
  EXPECT_TRUE(db.committed.empty());
}

// Mutations of valid bodies (bit flips, truncation, splices, random bytes)
// under both encodings, with and without gzip: the handler answers every one
// with 200 or a 4xx and a body, and keeps working afterwards.
TEST_F(OtlpHandlerTest, RandomizedBodiesNeverCrash) {
  std::mt19937_64 rng(20261204);
  const std::string proto = sample_request().SerializeAsString();
  std::string json;
  {
    google::protobuf::util::JsonPrintOptions o;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(sample_request(), &json, o).ok());
  }
  auto mutate = [&](std::string s) {
    int n = 1 + int(rng() % 8);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 5) {
        case 0:
          if (!s.empty()) s[rng() % s.size()] ^= char(1 << (rng() % 8));
          break;
        case 1:
          if (!s.empty()) s.resize(rng() % s.size());
          break;
        case 2: {
          size_t at = s.empty() ? 0 : rng() % s.size();
          s.insert(at, s.substr(0, rng() % (s.size() + 1)));
          break;
        }
        case 3:
          if (!s.empty()) s[rng() % s.size()] = char(rng());
          break;
        default: {
          std::string junk(rng() % 32, '\0');
          for (char& c : junk) c = char(rng());
          s.insert(s.empty() ? 0 : rng() % s.size(), junk);
        }
      }
    }
    return s;
  };
  int ok = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    bool use_json = rng() % 2;
    std::string body = mutate(use_json ? json : proto);
    bool zip = rng() % 4 == 0;
    if (zip) body = rng() % 2 ? gzip(body) : mutate(gzip(body));
    HttpResponse resp = send(post(body, use_json ? "application/json" : "application/x-protobuf",
                                  zip ? "gzip" : ""));
    ASSERT_TRUE(resp.status == 200 || (resp.status >= 400 && resp.status < 500))
        << resp.status << " " << resp.body;
    // Every answer parses as what it says it is (messages quoting the
    // request must stay UTF-8 for clients' proto3 parsers).
    if (resp.status == 200) {
      ExportMetricsServiceResponse out;
      if (use_json) {
        ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(resp.body, &out).ok()) << resp.body;
      } else {
        ASSERT_TRUE(out.ParseFromString(resp.body));
      }
    } else {
      strata::otlp::RpcStatus st;
      if (use_json) {
        ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(resp.body, &st).ok()) << resp.body;
      } else {
        ASSERT_TRUE(st.ParseFromString(resp.body));
      }
      ASSERT_FALSE(st.message().empty());
    }
    (resp.status == 200 ? ok : rejected)++;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(send(post(sample_request().SerializeAsString())).status, 200);
}

}  // namespace
}  // namespace strata::api::remote
