// ReadHandler on an in-memory DB: what the oracle test against Prometheus
// cannot reach cheaply — the sample limit, frame splitting at
// --storage.remote.read-max-bytes-in-frame, external labels next to a
// series' own label of the same name, and bad requests.
#include "api/remote/read_handler.h"

#include <gtest/gtest.h>

#include <map>

#include "remote/read_codec.h"
#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/db.h"

namespace strata::api::remote {
namespace {

class ReadHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::DBOptions opts;
    opts.dir = "";
    db_ = std::move(tsdb::DB::open(opts, &reg_).value());
    auto app = db_->appender();
    for (int s = 0; s < 3; ++s) {
      tsdb::Labels l = tsdb::Labels::from_strings({"__name__", "m", "i", std::to_string(s)});
      if (s == 2) l = l.with("zone", "us");
      for (int i = 0; i < 1000; ++i) ASSERT_TRUE(app->append(0, l, 1000 + i * 1000, i * 0.5).ok());
    }
    ASSERT_TRUE(app->commit().ok());
  }

  HttpResponse read(ReadHandlerOptions opts, const prometheus::ReadRequest& rr) {
    ReadHandler h(*db_, reg_, std::move(opts));
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/read";
    req.body = strata::remote::encode_read_request(rr);
    HttpResponse resp;
    h.handle(req, resp);
    return resp;
  }

  static prometheus::ReadRequest request(prometheus::ReadRequest::ResponseType type) {
    prometheus::ReadRequest rr;
    auto* q = rr.add_queries();
    q->set_start_timestamp_ms(0);
    q->set_end_timestamp_ms(2'000'000);
    auto* m = q->add_matchers();
    m->set_type(prometheus::LabelMatcher::EQ);
    m->set_name("__name__");
    m->set_value("m");
    rr.add_accepted_response_types(type);
    return rr;
  }

  metrics::Registry reg_;
  std::unique_ptr<tsdb::DB> db_;
};

TEST_F(ReadHandlerTest, SampleLimitAppliesToBothResponseTypes) {
  for (auto type : {prometheus::ReadRequest::SAMPLES, prometheus::ReadRequest::STREAMED_XOR_CHUNKS}) {
    ReadHandlerOptions o;
    o.sample_limit = 2999;
    HttpResponse r = read(o, request(type));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, "exceeded sample limit (2999)\n");
    o.sample_limit = 3000;
    EXPECT_EQ(read(o, request(type)).status, 200);
  }
}

TEST_F(ReadHandlerTest, LongSeriesAreSplitOverFramesOfBoundedSize) {
  ReadHandlerOptions o;
  o.max_bytes_in_frame = 400;
  o.external_labels = [] {
    return std::make_shared<const tsdb::Labels>(tsdb::Labels::from_strings({"a", "ext", "zone", "eu"}));
  };
  HttpResponse r = read(o, request(prometheus::ReadRequest::STREAMED_XOR_CHUNKS));
  ASSERT_EQ(r.status, 200) << r.body;
  auto frames = strata::remote::decode_chunked_frames(r.body, 1 << 20);
  ASSERT_TRUE(frames.ok()) << frames.status();
  std::map<std::string, std::vector<int64_t>> times;
  for (const auto& f : *frames) {
    ASSERT_EQ(f.chunked_series_size(), 1);  // one series per frame
    const auto& cs = f.chunked_series(0);
    std::string labels;
    for (const auto& l : cs.labels()) labels += l.name() + "=" + l.value() + ",";
    size_t chunk_bytes = 0;
    for (const auto& c : cs.chunks()) {
      chunk_bytes += c.data().size();
      tsdb::XorIterator it(c.data());
      ASSERT_LE(it.num_samples(), 120);
      while (it.next()) times[labels].push_back(it.t());
      EXPECT_EQ(c.min_time_ms(), times[labels][times[labels].size() - it.num_samples()]);
      EXPECT_EQ(c.max_time_ms(), times[labels].back());
    }
    // Over the limit by at most one chunk.
    EXPECT_LT(chunk_bytes, 400u + 1000u);
  }
  EXPECT_GE(frames->size(), 3u * 3);  // 1000 samples of ~1.5 bytes in 400-byte frames
  ASSERT_EQ(times.size(), 3u);
  // External labels join in name order; a series' own zone wins.
  for (const auto& [labels, ts] : times) {
    EXPECT_EQ(ts.size(), 1000u) << labels;
    for (size_t i = 1; i < ts.size(); ++i) ASSERT_LT(ts[i - 1], ts[i]) << labels;
  }
  EXPECT_TRUE(times.count("__name__=m,a=ext,i=0,zone=eu,"));
  EXPECT_TRUE(times.count("__name__=m,a=ext,i=2,zone=us,"));
}

TEST_F(ReadHandlerTest, BadMatchersAreTheClientsFault) {
  prometheus::ReadRequest rr = request(prometheus::ReadRequest::SAMPLES);
  rr.mutable_queries(0)->mutable_matchers(0)->set_type(prometheus::LabelMatcher_Type(9));
  HttpResponse r = read({}, rr);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "invalid matcher type 9\n");
  // No matchers select nothing, as in Prometheus.
  rr.mutable_queries(0)->clear_matchers();
  r = read({}, rr);
  ASSERT_EQ(r.status, 200);
  auto resp = strata::remote::decode_read_response(r.body, 1 << 20);
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->results_size(), 1);
  EXPECT_EQ(resp->results(0).timeseries_size(), 0);
}

}  // namespace
}  // namespace strata::api::remote
