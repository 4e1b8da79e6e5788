// remote/read_codec.h: STREAMED_XOR_CHUNKS frames and the Snappy-wrapped
// request/response messages. Generated messages of random sizes round-trip;
// every truncation and every flipped byte of a framed body is refused.
#include "remote/read_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "remote/codec.h"

namespace strata::remote {
namespace {

prometheus::ChunkedReadResponse random_frame(std::mt19937_64& rng, int64_t index) {
  prometheus::ChunkedReadResponse f;
  f.set_query_index(index);
  auto* cs = f.add_chunked_series();
  int labels = int(rng() % 5);
  for (int i = 0; i < labels; ++i) {
    auto* l = cs->add_labels();
    l->set_name("l" + std::to_string(i));
    l->set_value(std::string(rng() % 300, char('a' + rng() % 26)));
  }
  int chunks = int(rng() % 4);
  for (int i = 0; i < chunks; ++i) {
    auto* c = cs->add_chunks();
    c->set_min_time_ms(int64_t(rng()));
    c->set_max_time_ms(int64_t(rng()));
    c->set_type(prometheus::Chunk::XOR);
    std::string data(rng() % 2000, '\0');
    for (char& ch : data) ch = char(rng());
    c->set_data(data);
  }
  return f;
}

TEST(ReadCodecTest, FramesRoundTrip) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<prometheus::ChunkedReadResponse> sent;
    std::string body;
    int n = int(rng() % 6);
    for (int i = 0; i < n; ++i) {
      sent.push_back(random_frame(rng, i));
      append_chunked_frame(sent.back(), &body);
    }
    auto got = decode_chunked_frames(body, 1 << 20);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i)
      EXPECT_EQ((*got)[i].SerializeAsString(), sent[i].SerializeAsString());
  }
}

TEST(ReadCodecTest, FrameIsLengthCrcBigEndianThenMessage) {
  prometheus::ChunkedReadResponse f;
  f.set_query_index(3);
  std::string body;
  append_chunked_frame(f, &body);
  std::string msg = f.SerializeAsString();  // 0x10 0x03
  ASSERT_EQ(body.size(), 1 + 4 + msg.size());
  EXPECT_EQ(uint8_t(body[0]), msg.size());
  // CRC-32C of {0x10, 0x03} (0xddf475a7), most significant byte first.
  EXPECT_EQ(body.substr(1, 4), std::string("\xdd\xf4\x75\xa7", 4));
  EXPECT_EQ(body.substr(5), msg);
}

TEST(ReadCodecTest, DamagedBodiesAreRefused) {
  std::mt19937_64 rng(7);
  std::string body;
  for (int i = 0; i < 3; ++i) append_chunked_frame(random_frame(rng, i), &body);
  for (size_t cut = 1; cut < body.size(); ++cut) {
    auto got = decode_chunked_frames(std::string_view(body).substr(0, cut), 1 << 20);
    // A cut exactly at a frame boundary is a shorter valid body.
    if (got.ok()) {
      EXPECT_LT(got->size(), 3u);
      continue;
    }
    EXPECT_FALSE(got.status().message().empty());
  }
  for (int i = 0; i < 200; ++i) {
    std::string bad = body;
    size_t pos = rng() % bad.size();
    bad[pos] = char(bad[pos] ^ (1 + rng() % 255));
    auto got = decode_chunked_frames(bad, 1 << 20);
    // A flipped length byte can still frame a valid-looking prefix, but the
    // checksum then fails somewhere; never the original three frames.
    if (got.ok()) EXPECT_NE(got->size(), 3u) << "flip at " << pos;
  }
  auto big = decode_chunked_frames(body, 10);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ReadCodecTest, RequestsAndResponsesRoundTripThroughSnappy) {
  prometheus::ReadRequest req;
  auto* q = req.add_queries();
  q->set_start_timestamp_ms(1);
  q->set_end_timestamp_ms(2);
  auto* m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::RE);
  m->set_name("__name__");
  m->set_value("up|down");
  req.add_accepted_response_types(prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  auto back = decode_read_request(encode_read_request(req));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), req.SerializeAsString());

  EXPECT_EQ(decode_read_request("not snappy").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_read_request(snappy_encode("\x0a\xff\xff\xff\xff\x0f")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_read_request(snappy_encode(std::string(1000, 'x')), 100).status().code(),
            absl::StatusCode::kResourceExhausted);

  prometheus::ReadResponse resp;
  auto* ts = resp.add_results()->add_timeseries();
  ts->add_samples()->set_value(-0.0);
  auto r = decode_read_response(encode_read_response(resp), 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::signbit(r->results(0).timeseries(0).samples(0).value()));
}

}  // namespace
}  // namespace strata::remote
