#include "remote/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

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
      {"application/x-protobuf;proto=io.prometheus.write.v2.Request", absl::StatusCode::kOk},
      {"application/x-protobuf;proto=prometheus.ReadRequest", absl::StatusCode::kUnimplemented},
      {"application/x-protobuff", absl::StatusCode::kUnimplemented},
      {"application/json", absl::StatusCode::kUnimplemented},
      {"multipart/form-data; boundary=x", absl::StatusCode::kUnimplemented},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.content_type);
    EXPECT_EQ(check_content_type(c.content_type).code(), c.code);
  }
  EXPECT_EQ(*write_protocol("application/x-protobuf;proto=io.prometheus.write.v2.Request"), WriteProtocol::kV2);
  EXPECT_EQ(*write_protocol("application/x-protobuf"), WriteProtocol::kV1);
  EXPECT_EQ(*write_protocol(""), WriteProtocol::kV1);
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

// The sender's direct wire encoding parses, with libprotobuf, into exactly
// the series and samples it was given: random label sets (empty values,
// long strings, bytes >= 0x80) and samples (negative and huge timestamps,
// NaN payloads, -0).
TEST(CodecTest, DirectlyEncodedTimeSeriesParseAsTheSameWriteRequest) {
  std::mt19937_64 rng(1);
  auto str = [&](size_t max) {
    std::string s(rng() % max, '\0');
    for (char& c : s) c = char(rng());
    return s;
  };
  for (int round = 0; round < 200; ++round) {
    std::string raw;
    std::vector<std::pair<std::vector<tsdb::Label>, std::vector<WireSample>>> want;
    int n = int(rng() % 4);
    for (int i = 0; i < n; ++i) {
      std::vector<tsdb::Label> labels;
      int nl = int(rng() % 5);
      for (int j = 0; j < nl; ++j) labels.push_back({"l" + std::to_string(j) + str(3), str(rng() % 2 ? 8 : 300)});
      std::vector<WireSample> samples;
      int ns = int(rng() % 6);
      for (int j = 0; j < ns; ++j) {
        uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, 8);
        if (j == 0) v = -0.0;
        samples.push_back({int64_t(rng()) >> (rng() % 64), v});
      }
      append_timeseries(encode_label_fields(tsdb::Labels::from_unsorted(labels)), samples, &raw);
      want.push_back({tsdb::Labels::from_unsorted(labels).items(), samples});
    }
    prometheus::WriteRequest req;
    ASSERT_TRUE(req.ParseFromString(raw));
    ASSERT_EQ(req.timeseries_size(), n);
    for (int i = 0; i < n; ++i) {
      const auto& ts = req.timeseries(i);
      ASSERT_EQ(size_t(ts.labels_size()), want[i].first.size());
      for (int j = 0; j < ts.labels_size(); ++j) {
        EXPECT_EQ(ts.labels(j).name(), want[i].first[j].name);
        EXPECT_EQ(ts.labels(j).value(), want[i].first[j].value);
      }
      ASSERT_EQ(size_t(ts.samples_size()), want[i].second.size());
      for (int j = 0; j < ts.samples_size(); ++j) {
        EXPECT_EQ(ts.samples(j).timestamp(), want[i].second[j].t_ms);
        uint64_t a, b;
        double va = ts.samples(j).value();
        std::memcpy(&a, &va, 8);
        std::memcpy(&b, &want[i].second[j].v, 8);
        EXPECT_EQ(a, b);
      }
    }
  }
}

}  // namespace
}  // namespace strata::remote
