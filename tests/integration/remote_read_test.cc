// Remote read (POST /api/v1/read) against Prometheus 2.42:
//  - the same samples are remote-written to a real Prometheus and to strata
//    (same external labels); the same ReadRequests, in both response types,
//    must return the same series and samples from both (and the same status
//    for bad requests);
//  - a Prometheus 2.42 whose only data is `remote_read` from strata answers
//    PromQL queries exactly as strata does itself.
// Responses are decoded here with libprotobuf and snappy directly, and
// chunks with the XOR decoder that Prometheus' own chunks validate.
#include <gtest/gtest.h>
#include <snappy.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <ostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "remote/remote.pb.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace strata::integration {
namespace {

using nlohmann::json;
using prometheus::ReadRequest;
using testutil::RwSeries;

constexpr const char* kExtConfig =
    "global:\n"
    "  scrape_interval: 1m\n"
    "  external_labels:\n"
    "    zone: eu\n";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

double stale_nan() {
  uint64_t bits = 0x7ff0000000000002ULL;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// An hour of 15 s samples (240: several chunks) for a few series ending at t.
std::vector<RwSeries> data(int64_t t) {
  std::vector<RwSeries> out;
  auto series = [&](testutil::LabelPairs labels, auto value) {
    RwSeries s{std::move(labels), {}};
    for (int i = 239; i >= 0; --i) s.samples.push_back({t - i * 15000, value(239 - i)});
    out.push_back(std::move(s));
  };
  for (const char* code : {"200", "404", "500"}) {
    double rate = code[0] == '2' ? 40 : code[0] == '4' ? 3 : 0.5;
    series({{"__name__", "rr_requests_total"}, {"job", "api"}, {"instance", "a:1"}, {"code", code}},
           [rate](int i) { return std::floor(rate * 15 * i + (i % 7)); });
  }
  series({{"__name__", "rr_temp_celsius"}, {"job", "node"}, {"sensor", "cpu"}},
         [](int i) { return 40 + (i % 13) * 0.1; });
  series({{"__name__", "rr_random"}, {"job", "node"}},
         [](int i) { return std::sin(i * 0.37) * 1e-3 + i * 1234.56789; });
  // Special values, and a series that went stale half-way. (Not -0:
  // Prometheus' SAMPLES encoder drops its sign, Strata's keeps it.)
  out.push_back({{{"__name__", "rr_odd"}, {"zone", "us"}},
                 {{t - 60000, std::nan("")}, {t - 45000, INFINITY}, {t - 30000, -INFINITY}, {t - 15000, 0.0}}});
  out.push_back({{{"__name__", "rr_gone"}, {"job", "x"}},
                 {{t - 1800000, 1}, {t - 1785000, 2}, {t - 1770000, stale_nan()}}});
  return out;
}

struct Sample {
  int64_t t;
  uint64_t bits;
  bool operator==(const Sample&) const = default;
};
void PrintTo(const Sample& s, std::ostream* os) { *os << s.t << ":" << std::hex << s.bits << std::dec; }
// query index -> labels text -> samples
using Answer = std::map<int, std::map<std::string, std::vector<Sample>>>;

std::string labels_text(const google::protobuf::RepeatedPtrField<prometheus::Label>& ls) {
  std::string s;
  for (const auto& l : ls) s += l.name() + "=" + l.value() + ",";
  return s;
}

std::string uncompress(const std::string& body) {
  std::string out;
  EXPECT_TRUE(snappy::Uncompress(body.data(), body.size(), &out));
  return out;
}

// Decodes either response type into samples in [start, end] per series.
Answer decode(const testutil::HttpResponse& r, const ReadRequest& req) {
  Answer out;
  if (r.header("content-type") == "application/x-protobuf") {
    EXPECT_EQ(r.header("content-encoding"), "snappy");
    prometheus::ReadResponse resp;
    EXPECT_TRUE(resp.ParseFromString(uncompress(r.body)));
    EXPECT_EQ(resp.results_size(), req.queries_size());
    for (int i = 0; i < resp.results_size(); ++i) {
      for (const auto& ts : resp.results(i).timeseries()) {
        auto& v = out[i][labels_text(ts.labels())];
        for (const auto& s : ts.samples()) v.push_back({s.timestamp(), bits_of(s.value())});
      }
    }
    return out;
  }
  EXPECT_EQ(r.header("content-type"),
            "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
  std::string_view b = r.body;
  while (!b.empty()) {
    uint64_t n = 0;
    int shift = 0;
    size_t i = 0;
    for (; i < b.size(); ++i, shift += 7) {
      n |= uint64_t(uint8_t(b[i]) & 0x7f) << shift;
      if (uint8_t(b[i]) < 0x80) break;
    }
    b.remove_prefix(i + 1);
    if (b.size() < 4 + n) {
      ADD_FAILURE() << "truncated frame";
      break;
    }
    uint32_t crc = (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) |
                   (uint32_t(uint8_t(b[2])) << 8) | uint8_t(b[3]);
    std::string_view msg = b.substr(4, n);
    b.remove_prefix(4 + n);
    EXPECT_EQ(crc, crc32c(msg));
    prometheus::ChunkedReadResponse frame;
    EXPECT_TRUE(frame.ParseFromArray(msg.data(), int(msg.size())));
    const prometheus::Query& q = req.queries(int(frame.query_index()));
    for (const auto& cs : frame.chunked_series()) {
      auto& v = out[int(frame.query_index())][labels_text(cs.labels())];
      for (const auto& c : cs.chunks()) {
        EXPECT_EQ(c.type(), prometheus::Chunk::XOR);
        tsdb::XorIterator it(c.data());
        while (it.next()) {
          // Whole chunks may reach outside the range: readers filter.
          if (it.t() >= q.start_timestamp_ms() && it.t() <= q.end_timestamp_ms())
            v.push_back({it.t(), it.v_bits()});
        }
        EXPECT_TRUE(it.ok());
      }
    }
  }
  return out;
}

std::string dump(const Answer& a) {
  std::string s;
  for (const auto& [q, series] : a)
    for (const auto& [l, v] : series) s += std::to_string(q) + " {" + l + "} " + std::to_string(v.size()) + " samples\n";
  return s;
}

prometheus::Query query(int64_t start, int64_t end,
                        std::vector<std::tuple<prometheus::LabelMatcher::Type, std::string, std::string>> ms) {
  prometheus::Query q;
  q.set_start_timestamp_ms(start);
  q.set_end_timestamp_ms(end);
  for (auto& [type, name, value] : ms) {
    auto* m = q.add_matchers();
    m->set_type(type);
    m->set_name(name);
    m->set_value(value);
  }
  return q;
}

class RemoteReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    auto s = testutil::start_strata({"--query.compat=v2"}, kExtConfig);
    ASSERT_TRUE(s.ok()) << s.status();
    strata_ = std::move(*s);
    auto p = testutil::start_prometheus(kExtConfig, 0, {"--web.enable-remote-write-receiver"});
    ASSERT_TRUE(p.ok()) << p.status();
    prom_ = std::move(*p);
    t_ = now_ms() / 1000 * 1000 - 5000;
    write(*prom_);
    write(*strata_);
  }

  void write(testutil::ServerProcess& s) {
    auto r = s.client().post("/api/v1/write", testutil::encode_write_request(data(t_)),
                             "application/x-protobuf", testutil::remote_write_headers());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 204) << r->body;
  }

  static testutil::HttpResponse read(testutil::ServerProcess& s, const std::string& body) {
    auto r = s.client().post("/api/v1/read", body, "application/x-protobuf",
                             {{"Content-Encoding", "snappy"},
                              {"X-Prometheus-Remote-Read-Version", "0.1.0"}});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : testutil::HttpResponse{};
  }

  static std::string encode(const ReadRequest& req) {
    std::string raw = req.SerializeAsString(), out;
    snappy::Compress(raw.data(), raw.size(), &out);
    return out;
  }

  std::unique_ptr<testutil::ServerProcess> strata_, prom_;
  int64_t t_ = 0;
};

TEST_F(RemoteReadTest, BothResponseTypesAnswerLikePrometheus) {
  using M = prometheus::LabelMatcher;
  const int64_t hour = 3600000;
  ReadRequest req;
  *req.add_queries() = query(t_ - hour, t_, {{M::EQ, "__name__", "rr_requests_total"}});
  *req.add_queries() = query(t_ - 20 * 60000, t_ - 10 * 60000 + 1, {{M::RE, "__name__", "rr_.*"}, {M::NEQ, "job", "api"}});
  // An external label: matches series that lack it, not those with another value.
  *req.add_queries() = query(t_ - hour, t_, {{M::EQ, "zone", "eu"}, {M::RE, "__name__", "rr_(odd|temp.*)"}});
  *req.add_queries() = query(t_ - hour, t_, {{M::EQ, "job", ""}, {M::NRE, "__name__", "rr_req.*"}});
  *req.add_queries() = query(t_ - 2 * hour, t_ - hour - 1, {{M::EQ, "__name__", "rr_random"}});  // no data
  *req.add_queries() = query(t_ - hour, t_, {{M::EQ, "__name__", "rr_gone"}});

  for (auto type : {ReadRequest::SAMPLES, ReadRequest::STREAMED_XOR_CHUNKS}) {
    SCOPED_TRACE(ReadRequest::ResponseType_Name(type));
    req.clear_accepted_response_types();
    req.add_accepted_response_types(type);
    testutil::HttpResponse want = read(*prom_, encode(req));
    testutil::HttpResponse got = read(*strata_, encode(req));
    ASSERT_EQ(want.status, 200) << want.body;
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.header("content-type"), want.header("content-type"));
    Answer w = decode(want, req), g = decode(got, req);
    EXPECT_TRUE(g == w) << "prometheus:\n" << dump(w) << "strata:\n" << dump(g);
    EXPECT_EQ(w[0].size(), 3u) << dump(w);  // the comparison is not vacuous
    EXPECT_EQ(w[0].begin()->second.size(), 240u) << dump(w);
  }
  // The first supported type in the client's list wins; none listed is SAMPLES.
  req.clear_accepted_response_types();
  req.add_accepted_response_types(ReadRequest::ResponseType(7));
  req.add_accepted_response_types(ReadRequest::STREAMED_XOR_CHUNKS);
  EXPECT_EQ(read(*strata_, encode(req)).header("content-type"), read(*prom_, encode(req)).header("content-type"));
  req.clear_accepted_response_types();
  EXPECT_EQ(read(*strata_, encode(req)).header("content-type"), "application/x-protobuf");
}

TEST_F(RemoteReadTest, BadRequestsAreRefusedLikePrometheus) {
  ReadRequest only_unknown;
  *only_unknown.add_queries() = query(0, 1, {{prometheus::LabelMatcher::EQ, "__name__", "x"}});
  only_unknown.add_accepted_response_types(ReadRequest::ResponseType(7));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not snappy", "\xff\xff\xff\xff garbage"},
      {"not a ReadRequest", [] {
         std::string raw = "\x0a\xff\xff\xff\xff\x0f", out;
         snappy::Compress(raw.data(), raw.size(), &out);
         return out;
       }()},
      {"no acceptable response type", encode(only_unknown)},
  };
  for (const auto& [name, body] : cases) {
    SCOPED_TRACE(name);
    testutil::HttpResponse want = read(*prom_, body);
    testutil::HttpResponse got = read(*strata_, body);
    EXPECT_EQ(got.status, want.status) << "prometheus: " << want.body << "strata: " << got.body;
    EXPECT_EQ(got.status, 400);
  }
  EXPECT_EQ(read(*strata_, encode(only_unknown)).body,
            "server does not support any of the requested response types: [7]; supported: "
            "map[SAMPLES:{} STREAMED_XOR_CHUNKS:{}]\n");
  // Strata's answer to the client's fault is a 400 (Prometheus: 500).
  ReadRequest bad_regex;
  *bad_regex.add_queries() = query(0, 1, {{prometheus::LabelMatcher::RE, "__name__", "("}});
  testutil::HttpResponse r = read(*strata_, encode(bad_regex));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("error parsing regexp"), std::string::npos) << r.body;
  // The server is still there.
  EXPECT_EQ(strata_->client().get("/-/healthy")->status, 200);
}

TEST_F(RemoteReadTest, APrometheusReadingFromStrataAnswersLikeStrata) {
  // Without external labels, so both answers carry the same labels.
  auto s = testutil::start_strata({"--query.compat=v2"});
  ASSERT_TRUE(s.ok()) << s.status();
  auto strata = std::move(*s);
  write(*strata);
  auto p = testutil::start_prometheus("global:\n  scrape_interval: 1m\nremote_read:\n  - url: http://127.0.0.1:" +
                                      std::to_string(strata->port()) + "/api/v1/read\n    read_recent: true\n");
  ASSERT_TRUE(p.ok()) << p.status();
  auto reader = std::move(*p);

  const std::string at = std::to_string(double(t_) / 1000);
  const std::string start = std::to_string(double(t_ - 3000000) / 1000);
  const std::vector<std::string> queries = {
      "rr_requests_total",
      "sum by (code) (rate(rr_requests_total[5m]))",
      "avg_over_time(rr_temp_celsius[10m])",
      "rr_random * 2",
      "rr_odd",
      "count({__name__=~\"rr_.*\"})",
  };
  for (const std::string& q : queries) {
    SCOPED_TRACE(q);
    for (bool range : {false, true}) {
      std::string path = range ? "/api/v1/query_range?" + testutil::form_encode({{"query", q},
                                                                                   {"start", start},
                                                                                   {"end", at},
                                                                                   {"step", "60"}})
                               : "/api/v1/query?" + testutil::form_encode({{"query", q}, {"time", at}});
      auto want = strata->client().get(path);
      auto got = reader->client().get(path);
      ASSERT_TRUE(want.ok() && got.ok());
      ASSERT_EQ(want->status, 200) << want->body;
      json w = json::parse(want->body)["data"], g = json::parse(got->body)["data"];
      EXPECT_FALSE(w["result"].empty());
      EXPECT_EQ(g, w) << "prometheus via remote read: " << g.dump() << "\nstrata: " << w.dump();
    }
  }
}

}  // namespace
}  // namespace strata::integration
