// Helpers for the remote-write tests: building requests (typed, or raw wire
// bytes for malformed ones), reading series back from storage, and a fake
// Appendable whose appends fail on chosen timestamps.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http.h"
#include "remote/codec.h"
#include "remote/remote.pb.h"
#include "tsdb/db.h"
#include "tsdb/storage.h"

namespace strata::remote::testing {

inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
inline uint64_t to_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// Adds one series with name/value label pairs (in the given order) and
// (t_ms, v) samples.
inline prometheus::TimeSeries* add_series(prometheus::WriteRequest* req,
                                          std::initializer_list<std::string_view> labels,
                                          std::initializer_list<std::pair<int64_t, double>> samples) {
  auto* ts = req->add_timeseries();
  for (auto it = labels.begin(); it != labels.end() && it + 1 != labels.end(); it += 2) {
    auto* l = ts->add_labels();
    l->set_name(std::string(*it));
    l->set_value(std::string(*(it + 1)));
  }
  for (auto [t, v] : samples) {
    auto* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  return ts;
}

inline api::HttpRequest post(std::string body,
                        std::string content_type = "application/x-protobuf",
                        std::string content_encoding = "snappy") {
  api::HttpRequest r;
  r.method = "POST";
  r.path = "/api/v1/write";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  if (!content_encoding.empty())
    r.headers.emplace_back("content-encoding", std::move(content_encoding));
  r.headers.emplace_back("x-prometheus-remote-write-version", "0.1.0");
  r.body = std::move(body);
  return r;
}

inline api::HttpRequest post(const prometheus::WriteRequest& req) {
  return post(encode_write_request(req));
}

// Raw protobuf wire bytes, for requests the typed API cannot express.
class Wire {
 public:
  Wire& varint(uint64_t v) {
    while (v >= 0x80) {
      b_.push_back(char(v | 0x80));
      v >>= 7;
    }
    b_.push_back(char(v));
    return *this;
  }
  Wire& tag(uint32_t field, int wire_type) { return varint((uint64_t(field) << 3) | wire_type); }
  Wire& len(uint32_t field, std::string_view data) {
    tag(field, 2).varint(data.size());
    b_.append(data);
    return *this;
  }
  Wire& msg(uint32_t field, const Wire& m) { return len(field, m.str()); }
  Wire& fixed64(uint32_t field, uint64_t v) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) b_.push_back(char(v >> (8 * i)));
    return *this;
  }
  Wire& fixed32(uint32_t field, uint32_t v) {
    tag(field, 5);
    for (int i = 0; i < 4; ++i) b_.push_back(char(v >> (8 * i)));
    return *this;
  }
  Wire& double_field(uint32_t field, double d) { return fixed64(field, to_bits(d)); }
  Wire& varint_field(uint32_t field, uint64_t v) { return tag(field, 0).varint(v); }
  Wire& raw(std::string_view bytes) {
    b_.append(bytes);
    return *this;
  }
  const std::string& str() const { return b_; }

  // Common shapes.
  static Wire label(std::string_view name, std::string_view value) {
    Wire w;
    w.len(1, name).len(2, value);
    return w;
  }
  static Wire sample(double v, int64_t t) {
    Wire w;
    w.double_field(1, v).varint_field(2, uint64_t(t));
    return w;
  }

 private:
  std::string b_;
};

// All samples (t, v) of the series exactly matching `labels`, from `db`.
std::vector<std::pair<int64_t, double>> read_series(tsdb::Queryable& db, const tsdb::Labels& labels,
                                                    int64_t mint_ms = INT64_MIN / 2,
                                                    int64_t maxt_ms = INT64_MAX / 2);
// Number of series whose __name__ equals `name`.
size_t count_series(tsdb::Queryable& db, const std::string& name);

// An Appendable whose appends fail by timestamp: -1 out of bounds, -2 too
// old, -3 InvalidArgument("sample rejected by policy"), -4 Unavailable("disk
// full"); commit() returns `commit_status`. Committed samples are kept.
class FakeAppendable : public tsdb::Appendable {
 public:
  struct Committed {
    tsdb::Labels labels;
    int64_t t;
    double v;
  };
  std::unique_ptr<tsdb::Appender> appender() override;

  absl::Status commit_status;
  std::vector<Committed> committed;
  std::vector<std::pair<std::string, tsdb::MetricMetadata>> metadata;
  int commits = 0;
  int rollbacks = 0;
};

// `in` as one gzip member (Content-Encoding: gzip request bodies).
std::string gzip(const std::string& in);

}  // namespace strata::remote::testing
