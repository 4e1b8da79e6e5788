// OTLP request bodies: protobuf, OTLP JSON (camelCase, int64 as strings or
// numbers, enums as names or numbers, hex trace ids, unknown fields), the
// bounds on JSON nesting, and gzip with its output cap.
#include "remote/otlp_codec.h"

#include <gtest/gtest.h>

#include "net/gzip.h"
#include "tests/remote/remote_test_util.h"

namespace strata::remote {
namespace {

using strata::otlp::ExportMetricsServiceRequest;
using testing::gzip;

TEST(OtlpCodecTest, ContentTypes) {
  EXPECT_EQ(*otlp_encoding_for("application/x-protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(*otlp_encoding_for("application/protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(*otlp_encoding_for("Application/JSON; charset=utf-8"), OtlpEncoding::kJson);
  EXPECT_EQ(otlp_encoding_for("text/plain").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(otlp_encoding_for("").status().code(), absl::StatusCode::kUnimplemented);
}

TEST(OtlpCodecTest, JsonMappingOfTheSpec) {
  const std::string body = R"({"resourceMetrics":[{"resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"api"}}]},"scopeMetrics":[{"metrics":[
    {"name":"c","unit":"s","futureField":{"x":1},"sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
     "isMonotonic":true,"dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"7",
     "exemplars":[{"timeUnixNano":1700000000000000000,"asDouble":1.5,
       "traceId":"5b8efff798038103d269b633813fc60c","spanId":"EEE19B7EC3C1B174"}]}]}},
    {"name":"h","histogram":{"aggregation_temporality":2,"data_points":[{"count":3,
     "bucketCounts":["1",2],"explicitBounds":[0.5],"sum":4}]}}]}]}]})";
  ExportMetricsServiceRequest req;
  ASSERT_TRUE(decode_otlp_request(body, OtlpEncoding::kJson, &req).ok());
  const auto& metrics = req.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(metrics.size(), 2);
  const auto& sum = metrics[0].sum();
  EXPECT_EQ(sum.aggregation_temporality(), strata::otlp::AGGREGATION_TEMPORALITY_CUMULATIVE);
  EXPECT_TRUE(sum.is_monotonic());
  EXPECT_EQ(sum.data_points(0).time_unix_nano(), 1700000000000000000ull);
  EXPECT_EQ(sum.data_points(0).as_int(), 7);
  const auto& ex = sum.data_points(0).exemplars(0);
  EXPECT_EQ(ex.trace_id(), std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  EXPECT_EQ(ex.span_id(), std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  const auto& hp = metrics[1].histogram().data_points(0);
  EXPECT_EQ(metrics[1].histogram().aggregation_temporality(), 2);
  EXPECT_EQ(hp.bucket_counts_size(), 2);
  EXPECT_EQ(hp.bucket_counts(1), 2u);
  EXPECT_TRUE(hp.has_sum());
}

TEST(OtlpCodecTest, BadBodiesAreInvalidArgument) {
  ExportMetricsServiceRequest req;
  struct {
    const char* what;
    std::string body;
    OtlpEncoding enc;
  } cases[] = {
      {"not JSON", "{", OtlpEncoding::kJson},
      {"not an object", "[1]", OtlpEncoding::kJson},
      {"wrong type", R"({"resourceMetrics":5})", OtlpEncoding::kJson},
      {"trace id not hex",
       R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"exemplars":[{"traceId":"zz"}]}]}}]}]}]})",
       OtlpEncoding::kJson},
      {"nested too deep", std::string(100, '[') + std::string(100, ']'), OtlpEncoding::kJson},
      {"truncated protobuf", std::string("\x0a\x05\x0a", 3), OtlpEncoding::kProtobuf},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    absl::Status s = decode_otlp_request(c.body, c.enc, &req);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  }
}

TEST(OtlpCodecTest, ResponsesInTheRequestEncoding) {
  strata::otlp::ExportMetricsServiceResponse resp;
  EXPECT_EQ(encode_otlp_message(resp, OtlpEncoding::kJson), "{}");
  EXPECT_EQ(encode_otlp_message(resp, OtlpEncoding::kProtobuf), "");
  resp.mutable_partial_success()->set_rejected_data_points(2);
  resp.mutable_partial_success()->set_error_message("x");
  EXPECT_EQ(encode_otlp_message(resp, OtlpEncoding::kJson),
            R"({"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"x"}})");
}

// The OTLP handler inflates gzip bodies with net::gunzip: the properties it
// relies on.
TEST(GzipInflateTest, RoundTripAndCaps) {
  std::string text(100000, 'a');
  auto out = net::gunzip(gzip(text), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
  // Two members decode one after the other.
  auto two = net::gunzip(gzip("ab") + gzip("cd"), 100);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(*two, "abcd");
  EXPECT_EQ(net::gunzip(gzip(text), 99999).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(net::gunzip(gzip(text), 100000).ok());
  EXPECT_EQ(net::gunzip("not gzip", 100).status().code(), absl::StatusCode::kDataLoss);
  std::string g = gzip(text);
  EXPECT_EQ(net::gunzip(g.substr(0, g.size() / 2), 1 << 20).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(net::gunzip("", 100).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace strata::remote
