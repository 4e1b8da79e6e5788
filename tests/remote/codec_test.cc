#include "remote/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "remote/wire_check.h"
#include "tests/remote/remote_test_util.h"

namespace strata::remote {
namespace {

using ::testing::HasSubstr;
using namespace strata::remote::testing;  // NOLINT

TEST(CodecTest, ContentTypeNegotiation) {
  struct {
    const char* content_type;
    absl::StatusCode code;
  } cases[] = {
      {"", absl::StatusCode::kOk},
      {"application/x-protobuf", absl::StatusCode::kOk},
      {"application/x-protobuf;proto=prometheus.WriteRequest", absl::StatusCode::kOk},
      {"application/x-protobuf; proto=\"prometheus.WriteRequest\"", absl::StatusCode::kOk},
      {"APPLICATION/X-PROTOBUF ; charset=binary", absl::StatusCode::kOk},
      {"application/x-protobuf;proto=io.prometheus.write.v2.Request",
       absl::StatusCode::kUnimplemented},
      {"application/x-protobuf;proto=prometheus.ReadRequest", absl::StatusCode::kUnimplemented},
      {"application/x-protobuff", absl::StatusCode::kUnimplemented},
      {"application/json", absl::StatusCode::kUnimplemented},
      {"multipart/form-data; boundary=x", absl::StatusCode::kUnimplemented},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.content_type);
    EXPECT_EQ(check_content_type(c.content_type).code(), c.code);
  }
}

TEST(CodecTest, ContentEncodingNegotiation) {
  EXPECT_TRUE(check_content_encoding("").ok());
  EXPECT_TRUE(check_content_encoding("snappy").ok());
  EXPECT_TRUE(check_content_encoding(" Snappy ").ok());
  EXPECT_EQ(check_content_encoding("gzip").code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(check_content_encoding("zstd").code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(check_content_encoding("snappy, gzip").code(), absl::StatusCode::kUnimplemented);
}

TEST(CodecTest, HeaderValuesAreEchoedPrintableAndBounded) {
  absl::Status s = check_content_type(std::string("text/\x01\"x") + std::string(500, 'a'));
  EXPECT_THAT(std::string(s.message()), HasSubstr("\"text/?\\\"xaaaa"));
  EXPECT_LT(s.message().size(), 400u);
}

TEST(CodecTest, EncodeDecodeRoundTrip) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "m", "job", "j"}, {{1, 1.5}, {-5, -2}});
  google::protobuf::Arena arena;
  auto decoded = decode_write_request(encode_write_request(req), &arena);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ((*decoded)->timeseries_size(), 1);
  EXPECT_EQ((*decoded)->timeseries(0).labels(1).value(), "j");
  EXPECT_EQ((*decoded)->timeseries(0).samples(1).timestamp(), -5);
  EXPECT_EQ((*decoded)->timeseries(0).samples(1).value(), -2);
}

TEST(CodecTest, SnappyCapIsCheckedBeforeAllocating) {
  std::string big = snappy_encode(std::string(1000, 'a'));
  EXPECT_TRUE(snappy_decode(big, 1000).ok());
  auto r = snappy_decode(big, 999);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("1000 bytes exceeds the limit of 999"));
}

TEST(CodecTest, DescribeWireErrorFindsNothingInValidMessages) {
  prometheus::WriteRequest req;
  auto* ts = add_series(&req, {"__name__", "m"}, {{1, 1}});
  auto* h = ts->add_histograms();
  h->add_positive_deltas(3);
  h->add_positive_counts(1.5);
  h->add_positive_spans()->set_length(1);
  EXPECT_EQ(describe_wire_error(req.SerializeAsString(), prometheus::WriteRequest::descriptor()), "");
}

TEST(CodecTest, DescribeWireErrorNamesThePath) {
  Wire h;
  h.len(13, "1234567");  // packed doubles: 7 bytes
  Wire ts;
  ts.msg(1, Wire::label("__name__", "m")).msg(4, h);
  Wire req;
  req.msg(1, Wire()).msg(1, ts);
  EXPECT_EQ(describe_wire_error(req.str(), prometheus::WriteRequest::descriptor()),
            "timeseries[1].histograms[0].positive_counts: packed length 7 is not a multiple of 8 "
            "at byte 23");
}

TEST(CodecTest, PackedAndUnpackedRepeatedScalarsAreBothAccepted) {
  Wire h;
  h.tag(12, 0).varint(4).tag(12, 0).varint(6);  // unpacked sint64 deltas
  Wire ts;
  ts.msg(1, Wire::label("__name__", "m")).msg(4, h);
  Wire req;
  req.msg(1, ts);
  google::protobuf::Arena arena;
  auto parsed = parse_write_request(req.str(), &arena);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)->timeseries(0).histograms(0).positive_deltas_size(), 2);
}

}  // namespace
}  // namespace strata::remote
