// Malformed remote-write requests; see bad_input_cases.h.
#include "tests/integration/bad_input_cases.h"
#include "tests/testutil/remote_write.h"

namespace strata::integration {
namespace {

using testutil::LabelPairs;
using testutil::RwSeries;
using testutil::snappy_compress;
using testutil::Wire;

// A WriteRequest with one series given as wire bytes.
std::string one_series(const Wire& ts) {
  Wire req;
  req.msg(1, ts);
  return snappy_compress(req.str());
}

std::string series_with_labels(const LabelPairs& labels, int64_t t_ms) {
  return one_series(Wire::series(labels, {{t_ms, 1}}));
}

std::string typed(const std::vector<RwSeries>& series) {
  return testutil::encode_write_request_unsorted(series);
}

}  // namespace

std::vector<WriteCase> write_cases(int64_t t0) {
  const int64_t t = t0 + 60'000;
  const std::string valid =
      typed({{{{"__name__", "bad_valid"}, {"job", "x"}}, {{t, 1}, {t + 1000, 2}}}});
  std::string valid_raw;
  {
    Wire req;
    req.msg(1, Wire::series({{"__name__", "bad_valid"}, {"job", "x"}}, {{t, 1}, {t + 1000, 2}}));
    valid_raw = req.str();
  }
  const LabelPairs seed = {
      {"__name__", "e2e_requests_total"}, {"code", "200"}, {"instance", "a:9100"}, {"job", "api"}};
  std::vector<WriteCase> c;

  // --- transport: body, compression, headers, methods
  c.push_back({"empty body", "", 400, {"empty request body"}});
  c.push_back(
      {"snappy length varint overflows", std::string(12, '\xff'), 400, {"snappy: corrupt input"}});
  c.push_back({"snappy framed (stream) format instead of block format",
               std::string("\xff\x06\x00\x00sNaPpY\x00\x05\x00\x00", 14),
               400,
               {"snappy: corrupt input"}});
  c.push_back({"truncated snappy block",
               valid.substr(0, valid.size() - 3),
               400,
               {"snappy: corrupt input"}});
  c.push_back(
      {"garbage after the snappy block", valid + "\x01\x02\x03", 400, {"snappy: corrupt input"}});
  c.push_back({"snappy header claims 1 GiB decoded",
               std::string("\x80\x80\x80\x80\x04\x00", 6),
               413,
               {"exceeds the limit of 67108864 bytes"}});
  c.push_back({"protobuf without snappy", valid_raw, 400, {"snappy"}});
  c.push_back({"gzip Content-Encoding",
               valid,
               415,
               {"unsupported Content-Encoding \"gzip\""},
               {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}}});
  c.push_back({"identity Content-Encoding",
               valid_raw,
               415,
               {"unsupported Content-Encoding \"identity\""},
               {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "identity"}}});
  c.push_back({"JSON Content-Type",
               valid,
               415,
               {"unsupported Content-Type \"application/json\""},
               {{"Content-Type", "application/json"}, {"Content-Encoding", "snappy"}}});
  c.push_back({"text Content-Type",
               valid,
               415,
               {"unsupported Content-Type"},
               {{"Content-Type", "text/plain; version=0.0.4"}, {"Content-Encoding", "snappy"}}});
  c.push_back({"1.0 body as remote write 2.0",
               valid,
               400,
               {"fields 1-3 are reserved in remote write 2.0"},
               {{"Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"},
                {"Content-Encoding", "snappy"}}});
  c.push_back({"unknown proto message",
               valid,
               415,
               {"unsupported protobuf message \"foo.Bar\""},
               {{"Content-Type", "application/x-protobuf; proto=foo.Bar"},
                {"Content-Encoding", "snappy"}}});
  c.push_back({"GET instead of POST", "", 405, {"Method Not Allowed"}, {}, "GET"});
  c.push_back({"PUT instead of POST",
               valid,
               405,
               {"Method Not Allowed"},
               {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "snappy"}},
               "PUT"});

  // --- protobuf wire format
  c.push_back({"truncated protobuf",
               snappy_compress(valid_raw.substr(0, valid_raw.size() - 4)),
               400,
               {"cannot parse WriteRequest: timeseries[0]: length", "exceeds the remaining"}});
  c.push_back({"random bytes after snappy",
               snappy_compress("\xff\xff\xff\xff"),
               400,
               {"cannot parse WriteRequest", "varint"}});
  c.push_back({"timeseries sent as varint",
               snappy_compress(Wire().varint_field(1, 7).str()),
               400,
               {"cannot parse WriteRequest: timeseries: wire type varint, want length-delimited"}});
  {
    Wire s;
    s.varint_field(1, 42).varint_field(2, uint64_t(t));
    c.push_back({"sample value sent as varint",
                 one_series(Wire().msg(1, Wire::label("__name__", "bad_x")).msg(2, s)),
                 400,
                 {"timeseries[0].samples[0].value: wire type varint, want fixed64"}});
  }
  {
    Wire s;
    s.double_field(1, 1).fixed64(2, uint64_t(t));
    c.push_back({"sample timestamp sent as fixed64",
                 one_series(Wire().msg(1, Wire::label("__name__", "bad_x")).msg(2, s)),
                 400,
                 {"timeseries[0].samples[0].timestamp: wire type fixed64, want varint"}});
  }
  {
    Wire l;
    l.fixed32(1, 1234).len(2, "v");
    c.push_back(
        {"label name sent as fixed32",
         one_series(
             Wire().msg(1, Wire::label("__name__", "bad_x")).msg(1, l).msg(2, Wire::sample(1, t))),
         400,
         {"timeseries[0].labels[1].name: wire type fixed32, want length-delimited"}});
  }
  {
    Wire s;
    s.double_field(1, 1).tag(2, 0).raw(std::string(10, '\x81')).raw("\x01");
    c.push_back({"11-byte varint timestamp",
                 one_series(Wire().msg(1, Wire::label("__name__", "bad_x")).msg(2, s)),
                 400,
                 {"timeseries[0].samples[0].timestamp: varint longer than 10 bytes"}});
  }
  {
    Wire w;
    w.tag(1, 2).varint(uint64_t(1) << 40).raw("abc");
    c.push_back({"huge length prefix",
                 snappy_compress(w.str()),
                 400,
                 {"timeseries[0]: length 1099511627776 exceeds the remaining 3 bytes"}});
  }
  c.push_back({"invalid wire type 7",
               snappy_compress(Wire().tag(1, 7).raw("abcdefgh").str()),
               400,
               {"invalid wire type 7"}});
  c.push_back({"field number 0",
               snappy_compress(Wire().tag(0, 0).varint(1).str()),
               400,
               {"invalid field number 0"}});
  c.push_back({"end-group without start-group",
               snappy_compress(Wire().tag(5, 4).str()),
               400,
               {"unexpected end-group tag for field 5"}});
  {
    Wire w;
    for (int i = 0; i < 1000; ++i) w.tag(9, 3);
    for (int i = 0; i < 1000; ++i) w.tag(9, 4);
    c.push_back({"groups nested 1000 deep",
                 snappy_compress(w.str()),
                 400,
                 {"nesting deeper than 100 levels"}});
  }

  // --- labels (nothing of these series may be stored)
  c.push_back({"empty label name",
               series_with_labels({{"__name__", "bad_x"}, {"", "v"}}, t),
               400,
               {"invalid labels in timeseries[0]", "empty label name"}});
  c.push_back({"label name starting with a digit",
               series_with_labels({{"__name__", "bad_x"}, {"1abc", "v"}}, t),
               400,
               {"invalid label name \"1abc\""}});
  c.push_back({"label name with a dash",
               series_with_labels({{"__name__", "bad_x"}, {"my-label", "v"}}, t),
               400,
               {"invalid label name \"my-label\""}});
  c.push_back({"metric name with a dash",
               series_with_labels({{"__name__", "bad-metric"}}, t),
               400,
               {"invalid metric name \"bad-metric\""}});
  c.push_back({"metric name with a dot",
               series_with_labels({{"__name__", "bad.metric"}}, t),
               400,
               {"invalid metric name \"bad.metric\""}});
  c.push_back({"missing metric name",
               series_with_labels({{"job", "bad_x"}}, t),
               400,
               {"missing metric name (__name__ label)"}});
  c.push_back({"empty metric name (empty means absent)",
               series_with_labels({{"__name__", ""}, {"job", "bad_x"}}, t),
               400,
               {"missing metric name"}});
  c.push_back({"no labels at all",
               one_series(Wire().msg(2, Wire::sample(1, t))),
               400,
               {"invalid labels in timeseries[0]: missing metric name (__name__ label) in {}"}});
  c.push_back({"duplicate label names",
               series_with_labels({{"__name__", "bad_x"}, {"job", "a"}, {"job", "b"}}, t),
               400,
               {"duplicate label name \"job\""}});
  c.push_back({"invalid UTF-8 in a label value",
               series_with_labels({{"__name__", "bad_x"}, {"job", "a\xff"}}, t),
               400,
               {"invalid UTF-8 in value of label \"job\""}});
  c.push_back({"invalid UTF-8 in a label name",
               series_with_labels({{"__name__", "bad_x"}, {"jo\xc3", "a"}}, t),
               400,
               {"label name is not valid UTF-8"}});
  c.push_back({"invalid UTF-8 in the metric name",
               series_with_labels({{"__name__", "bad_x\xe2\x82"}}, t),
               400,
               {"invalid UTF-8 in value of label \"__name__\""}});
  c.push_back({"overlong UTF-8 encoding",
               series_with_labels({{"__name__", "bad_x"}, {"job", "\xc0\xaf"}}, t),
               400,
               {"invalid UTF-8 in value of label \"job\""}});
  c.push_back({"UTF-16 surrogate in UTF-8",
               series_with_labels({{"__name__", "bad_x"}, {"job", "\xed\xa0\x80"}}, t),
               400,
               {"invalid UTF-8 in value of label \"job\""}});

  // --- samples (against the known data written first)
  c.push_back({"out of order against stored data",
               typed({{seed, {{t0 - 1000, 9}}}}),
               400,
               {"out of order sample for series {__name__=\"e2e_requests_total\", code=\"200\", "
                "instance=\"a:9100\", job=\"api\"} at timestamp " +
                std::to_string(t0 - 1000)}});
  c.push_back({"duplicate timestamp with a different value (stored)",
               typed({{seed, {{t0 + 300'000, 99}}}}),
               400,
               {"duplicate sample for timestamp", "(duplicate: 1), 0 samples written"}});
  {
    // A native histogram: TimeSeries.histograms (field 4), with a timestamp.
    Wire h;
    h.varint_field(1, 1).varint_field(15, uint64_t(t));
    c.push_back({"native histogram",
                 one_series(Wire().msg(1, Wire::label("__name__", "bad_x")).msg(4, h)),
                 400,
                 {"native histograms are not supported yet", "(native_histogram_unsupported: 1)"}});
  }
  return c;
}

}  // namespace strata::integration
