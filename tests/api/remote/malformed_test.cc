// Malformed remote-write requests, one named case each: the exact status
// code, a message saying what was wrong, and a store whose earlier data is
// intact and untouched by the bad request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "api/remote/write_handler.h"
#include "tests/remote/remote_test_util.h"

namespace strata::api::remote {
namespace {

using namespace strata::remote::testing;  // NOLINT
using namespace strata::remote;               // NOLINT
using tsdb::IngestResult;
using tsdb::RejectReason;

struct Case {
  std::string name;
  std::function<HttpRequest()> request;
  int status;
  std::vector<std::string> message_parts;  // each must occur in the body
};

// A body from raw WriteRequest wire bytes.
HttpRequest raw_request(const Wire& w) { return post(snappy_encode(w.str())); }

// A WriteRequest with one series (given as wire bytes).
HttpRequest one_series(const Wire& ts) {
  Wire req;
  req.msg(1, ts);
  return raw_request(req);
}

HttpRequest series_with_labels(std::initializer_list<std::pair<std::string_view, std::string_view>> ls) {
  Wire ts;
  for (auto [n, v] : ls) ts.msg(1, Wire::label(n, v));
  ts.msg(2, Wire::sample(1, 5000));
  return one_series(ts);
}

HttpRequest typed(std::function<void(prometheus::WriteRequest*)> fill) {
  prometheus::WriteRequest req;
  fill(&req);
  return post(req);
}

std::vector<Case> cases() {
  std::vector<Case> c;
  const std::string valid_body = [] {
    prometheus::WriteRequest req;
    add_series(&req, {"__name__", "bad", "job", "x"}, {{5000, 1}, {6000, 2}});
    return encode_write_request(req);
  }();
  const std::string valid_raw = snappy_decode(valid_body).value();

  // --- transport: body, compression, headers
  c.push_back({"empty body", [] { return post(""); }, 400, {"empty request body"}});
  c.push_back({"snappy length varint overflows",
               [] { return post(std::string(12, '\xff')); }, 400, {"snappy: corrupt input"}});
  c.push_back({"snappy framed (stream) format instead of block format",
               [] { return post(std::string("\xff\x06\x00\x00sNaPpY\x00\x05\x00\x00", 14)); }, 400,
               {"snappy: corrupt input"}});
  c.push_back({"truncated snappy block",
               [=] { return post(valid_body.substr(0, valid_body.size() - 3)); }, 400,
               {"snappy: corrupt input"}});
  c.push_back({"snappy block with garbage after the literal",
               [=] { return post(valid_body + "\x01\x02\x03"); }, 400, {"snappy: corrupt input"}});
  c.push_back({"snappy header claims 1 GiB decoded",
               [] { return post(std::string("\x80\x80\x80\x80\x04\x00", 6)); }, 413,
               {"exceeds the limit of 67108864 bytes"}});
  c.push_back({"gzip Content-Encoding", [=] { return post(valid_body, "application/x-protobuf", "gzip"); },
               415, {"unsupported Content-Encoding \"gzip\""}});
  c.push_back({"identity Content-Encoding",
               [=] { return post(valid_raw, "application/x-protobuf", "identity"); }, 415,
               {"unsupported Content-Encoding \"identity\""}});
  c.push_back({"JSON Content-Type", [=] { return post(valid_body, "application/json"); }, 415,
               {"unsupported Content-Type \"application/json\""}});
  c.push_back({"text Content-Type", [=] { return post(valid_body, "text/plain; version=0.0.4"); }, 415,
               {"unsupported Content-Type"}});
  c.push_back({"1.0 body as remote write 2.0",
               [=] { return post(valid_body, "application/x-protobuf;proto=io.prometheus.write.v2.Request"); },
               400, {"fields 1-3 are reserved in remote write 2.0"}});
  c.push_back({"unknown proto message",
               [=] { return post(valid_body, "application/x-protobuf; proto=foo.Bar"); }, 415,
               {"unsupported protobuf message \"foo.Bar\""}});
  c.push_back({"GET instead of POST",
               [=] {
                 HttpRequest r = post(valid_body);
                 r.method = "GET";
                 return r;
               },
               405, {"expects POST"}});

  // --- protobuf wire format
  c.push_back({"truncated protobuf",
               [=] { return post(snappy_encode(valid_raw.substr(0, valid_raw.size() - 4))); }, 400,
               {"cannot parse WriteRequest: timeseries[0]: length", "exceeds the remaining"}});
  c.push_back({"random bytes after snappy", [] { return post(snappy_encode("\xff\xff\xff\xff")); },
               400, {"cannot parse WriteRequest", "varint"}});
  c.push_back({"timeseries sent as varint",
               [] { return raw_request(Wire().varint_field(1, 7)); }, 400,
               {"cannot parse WriteRequest: timeseries: wire type varint, want length-delimited"}});
  c.push_back({"sample value sent as varint",
               [] {
                 Wire s;
                 s.varint_field(1, 42).varint_field(2, 5000);
                 return one_series(Wire().msg(1, Wire::label("__name__", "bad")).msg(2, s));
               },
               400, {"timeseries[0].samples[0].value: wire type varint, want fixed64"}});
  c.push_back({"sample timestamp sent as fixed64",
               [] {
                 Wire s;
                 s.double_field(1, 1).fixed64(2, 5000);
                 return one_series(Wire().msg(1, Wire::label("__name__", "bad")).msg(2, s));
               },
               400, {"timeseries[0].samples[0].timestamp: wire type fixed64, want varint"}});
  c.push_back({"label name sent as fixed32",
               [] {
                 Wire l;
                 l.fixed32(1, 1234).len(2, "v");
                 return one_series(Wire().msg(1, Wire::label("__name__", "bad")).msg(1, l).msg(
                     2, Wire::sample(1, 5000)));
               },
               400, {"timeseries[0].labels[1].name: wire type fixed32, want length-delimited"}});
  c.push_back({"metadata type sent as bytes",
               [] {
                 Wire md;
                 md.len(1, "counter").len(2, "bad");
                 return raw_request(Wire().msg(3, md));
               },
               400, {"metadata[0].type: wire type length-delimited, want varint"}});
  c.push_back({"11-byte varint timestamp",
               [] {
                 Wire s;
                 s.double_field(1, 1).tag(2, 0).raw(std::string(10, '\x81')).raw("\x01");
                 return one_series(Wire().msg(1, Wire::label("__name__", "bad")).msg(2, s));
               },
               400, {"timeseries[0].samples[0].timestamp: varint longer than 10 bytes"}});
  c.push_back({"huge length prefix",
               [] {
                 Wire w;
                 w.tag(1, 2).varint(uint64_t(1) << 40).raw("abc");
                 return raw_request(w);
               },
               400, {"timeseries[0]: length 1099511627776 exceeds the remaining 3 bytes"}});
  c.push_back({"invalid wire type 7",
               [] { return raw_request(Wire().tag(1, 7).raw("abcdefgh")); }, 400,
               {"invalid wire type 7"}});
  c.push_back({"field number 0", [] { return raw_request(Wire().tag(0, 0).varint(1)); }, 400,
               {"invalid field number 0"}});
  c.push_back({"end-group without start-group",
               [] { return raw_request(Wire().tag(5, 4)); }, 400,
               {"unexpected end-group tag for field 5"}});
  c.push_back({"start-group never closed",
               [] { return raw_request(Wire().tag(9, 3).varint_field(1, 1)); }, 400,
               {"missing end-group tag for field 9"}});
  c.push_back({"groups nested 1000 deep",
               [] {
                 Wire w;
                 for (int i = 0; i < 1000; ++i) w.tag(9, 3);
                 for (int i = 0; i < 1000; ++i) w.tag(9, 4);
                 return raw_request(w);
               },
               400, {"nesting deeper than 100 levels"}});

  // --- labels (nothing of these series may be stored)
  c.push_back({"empty label name",
               [] { return series_with_labels({{"__name__", "bad"}, {"", "v"}}); }, 400,
               {"invalid labels in timeseries[0]", "empty label name"}});
  c.push_back({"invalid label name",
               [] { return series_with_labels({{"__name__", "bad"}, {"1abc", "v"}}); }, 400,
               {"invalid label name \"1abc\""}});
  c.push_back({"label name with a dash",
               [] { return series_with_labels({{"__name__", "bad"}, {"my-label", "v"}}); }, 400,
               {"invalid label name \"my-label\""}});
  c.push_back({"invalid metric name",
               [] { return series_with_labels({{"__name__", "bad-metric"}}); }, 400,
               {"invalid metric name \"bad-metric\""}});
  c.push_back({"missing metric name",
               [] { return series_with_labels({{"job", "bad"}}); }, 400,
               {"missing metric name (__name__ label)"}});
  c.push_back({"empty metric name (empty = absent)",
               [] { return series_with_labels({{"__name__", ""}, {"job", "bad"}}); }, 400,
               {"missing metric name"}});
  c.push_back({"no labels at all",
               [] { return one_series(Wire().msg(2, Wire::sample(1, 5000))); }, 400,
               {"invalid labels in timeseries[0]: missing metric name (__name__ label) in {}"}});
  c.push_back({"duplicate label names",
               [] { return series_with_labels({{"__name__", "bad"}, {"job", "a"}, {"job", "b"}}); },
               400, {"duplicate label name \"job\""}});
  c.push_back({"invalid UTF-8 in label value",
               [] { return series_with_labels({{"__name__", "bad"}, {"job", "a\xff"}}); }, 400,
               {"invalid UTF-8 in value of label \"job\""}});
  c.push_back({"invalid UTF-8 in label name",
               [] { return series_with_labels({{"__name__", "bad"}, {"jo\xc3", "a"}}); }, 400,
               {"label name is not valid UTF-8"}});
  c.push_back({"invalid UTF-8 in metric name",
               [] { return series_with_labels({{"__name__", "bad\xe2\x82"}}); }, 400,
               {"invalid UTF-8 in value of label \"__name__\""}});
  c.push_back({"overlong UTF-8 encoding",
               [] { return series_with_labels({{"__name__", "bad"}, {"job", "\xc0\xaf"}}); }, 400,
               {"invalid UTF-8 in value of label \"job\""}});
  c.push_back({"UTF-16 surrogate in UTF-8",
               [] { return series_with_labels({{"__name__", "bad"}, {"job", "\xed\xa0\x80"}}); }, 400,
               {"invalid UTF-8 in value of label \"job\""}});

  // --- samples (the seed series holds t = 1000..10000)
  c.push_back({"out of order against stored data",
               [] { return typed([](auto* r) { add_series(r, {"__name__", "seed", "job", "keep"}, {{500, 9}}); }); },
               400, {"out of order sample for series {__name__=\"seed\", job=\"keep\"} at timestamp 500"}});
  c.push_back({"duplicate timestamp with a different value (stored)",
               [] { return typed([](auto* r) { add_series(r, {"__name__", "seed", "job", "keep"}, {{10000, 99}}); }); },
               400, {"duplicate sample for timestamp", "(duplicate: 1), 0 samples written"}});
  c.push_back({"native histogram",
               [] {
                 return typed([](auto* r) {
                   auto* ts = add_series(r, {"__name__", "bad"}, {});
                   ts->add_histograms()->set_timestamp(5000);
                 });
               },
               400, {"native histograms are not supported yet", "(native_histogram_unsupported: 1)"}});
  return c;
}

class MalformedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-rw-malformed-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    tsdb::DBOptions opts;
    opts.dir = dir_;
    db_ = std::move(tsdb::DB::open(opts, &reg_).value());
    handler_ = std::make_unique<WriteHandler>(*db_, reg_);
    prometheus::WriteRequest seed;
    std::initializer_list<std::pair<int64_t, double>> pts = {
        {1000, 1}, {2000, 2}, {3000, 3}, {4000, 4}, {5000, 5},
        {6000, 6}, {7000, 7}, {8000, 8}, {9000, 9}, {10000, 10}};
    add_series(&seed, {"__name__", "seed", "job", "keep"}, pts);
    seed_.assign(pts.begin(), pts.end());
    HttpResponse resp;
    handler_->handle(post(seed), resp);
    ASSERT_EQ(resp.status, 204) << resp.body;
  }
  void TearDown() override {
    handler_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  metrics::Registry reg_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<WriteHandler> handler_;
  std::vector<std::pair<int64_t, double>> seed_;
};

TEST_F(MalformedTest, EachCaseGetsItsStatusAndMessageAndLeavesStoreIntact) {
  std::vector<Case> all = cases();
  ASSERT_GE(all.size(), 30u);
  for (const Case& c : all) {
    SCOPED_TRACE(c.name);
    HttpResponse resp;
    handler_->handle(c.request(), resp);
    EXPECT_EQ(resp.status, c.status) << resp.body;
    EXPECT_EQ(resp.content_type, "text/plain; charset=utf-8");
    ASSERT_FALSE(resp.body.empty());
    EXPECT_EQ(resp.body.back(), '\n');
    for (const std::string& part : c.message_parts) EXPECT_THAT(resp.body, ::testing::HasSubstr(part));
    EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "seed", "job", "keep"})), seed_);
    EXPECT_EQ(count_series(*db_, "bad"), 0u);
  }
}

// A request that contradicts itself is not malformed: as in Prometheus, the
// first sample at a timestamp is kept, later ones that conflict with the
// request's own earlier samples are dropped, and the answer is 204.
TEST_F(MalformedTest, ContradictionsWithinOneRequestKeepTheFirstSample) {
  HttpResponse resp;
  handler_->handle(typed([](auto* r) {
                     add_series(r, {"__name__", "dup_in_req"}, {{1000, 1}, {1000, 2}, {2000, 3}});
                     add_series(r, {"__name__", "ooo_in_req"}, {{2000, 1}, {1000, 2}});
                     add_series(r, {"__name__", "twice"}, {{1000, 1}});
                     add_series(r, {"__name__", "twice"}, {{1000, 5}});
                   }),
                   resp);
  EXPECT_EQ(resp.status, 204) << resp.body;
  using P = std::vector<std::pair<int64_t, double>>;
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "dup_in_req"})),
            (P{{1000, 1}, {2000, 3}}));
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "ooo_in_req"})),
            (P{{2000, 1}}));
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "twice"})), (P{{1000, 1}}));
}

TEST_F(MalformedTest, UnknownFieldNumbersAreSkipped) {
  Wire ts;
  ts.msg(1, Wire::label("__name__", "fwd")).msg(2, Wire::sample(1, 5000)).varint_field(99, 1);
  Wire req;
  req.msg(1, ts).len(2, "cortex source").fixed64(77, 1).tag(88, 3).varint_field(1, 5).tag(88, 4);
  HttpResponse resp;
  handler_->handle(raw_request(req), resp);
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(read_series(*db_, tsdb::Labels::from_strings({"__name__", "fwd"})).size(), 1u);
}

TEST_F(MalformedTest, SmallerDecodedSizeCapIs413) {
  WriteHandlerOptions opts;
  opts.max_decoded_bytes = 100;
  WriteHandler small(*db_, reg_, opts);
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "bad", "payload", std::string(200, 'x')}, {{5000, 1}});
  HttpResponse resp;
  small.handle(post(req), resp);
  EXPECT_EQ(resp.status, 413);
  EXPECT_THAT(resp.body, ::testing::HasSubstr("exceeds the limit of 100 bytes"));
  EXPECT_EQ(count_series(*db_, "bad"), 0u);
}

TEST_F(MalformedTest, RawProtobufWithoutSnappyIsRejected) {
  prometheus::WriteRequest req;
  add_series(&req, {"__name__", "bad"}, {{5000, 1}});
  HttpResponse resp;
  handler_->handle(post(req.SerializeAsString()), resp);
  EXPECT_EQ(resp.status, 400) << resp.body;
  EXPECT_EQ(count_series(*db_, "bad"), 0u);
}

TEST_F(MalformedTest, HugeBadLabelValuesGiveBoundedMessages) {
  prometheus::WriteRequest req;
  std::string name = "bad-" + std::string(100000, 'x');
  add_series(&req, {"__name__", name, "job", std::string(50000, '\xe2')}, {{5000, 1}});
  HttpResponse resp;
  handler_->handle(post(req), resp);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, ::testing::StartsWith("invalid labels in timeseries[0] {__name__=\"bad-xxx"));
  EXPECT_LT(resp.body.size(), 2200u);
  EXPECT_THAT(resp.body, ::testing::HasSubstr("...; 1 of 1 samples rejected"));
}

}  // namespace
}  // namespace strata::api::remote
