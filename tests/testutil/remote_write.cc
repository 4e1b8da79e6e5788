#include "tests/testutil/remote_write.h"

#include <snappy.h>

#include <algorithm>
#include <cstring>

namespace strata::testutil {
namespace {

double from_bits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

std::string encode(const std::vector<RwSeries>& series, const std::vector<RwMetadata>& metadata,
                   bool sort_labels) {
  Wire req;
  for (const RwSeries& s : series) {
    LabelPairs labels = s.labels;
    if (sort_labels) std::sort(labels.begin(), labels.end());
    req.msg(1, Wire::series(labels, s.samples, s.exemplars));
  }
  for (const RwMetadata& m : metadata) {
    Wire md;
    md.varint_field(1, uint64_t(m.type)).len(2, m.metric_family_name).len(4, m.help).len(5, m.unit);
    req.msg(3, md);
  }
  return snappy_compress(req.str());
}

}  // namespace

double stale_nan() { return from_bits(0x7ff0000000000002ULL); }
double normal_nan() { return from_bits(0x7ff8000000000001ULL); }

uint64_t float_bits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

std::string snappy_compress(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

std::string encode_write_request(const std::vector<RwSeries>& series,
                                 const std::vector<RwMetadata>& metadata) {
  return encode(series, metadata, true);
}

std::string encode_write_request_unsorted(const std::vector<RwSeries>& series) {
  return encode(series, {}, false);
}

Headers remote_write_headers() {
  return {{"Content-Type", "application/x-protobuf"},
          {"Content-Encoding", "snappy"},
          {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
}

Wire& Wire::varint(uint64_t v) {
  while (v >= 0x80) {
    b_.push_back(char(v | 0x80));
    v >>= 7;
  }
  b_.push_back(char(v));
  return *this;
}

Wire& Wire::tag(uint32_t field, int wire_type) {
  return varint((uint64_t(field) << 3) | uint64_t(wire_type));
}

Wire& Wire::len(uint32_t field, std::string_view data) {
  tag(field, 2).varint(data.size());
  b_.append(data);
  return *this;
}

Wire& Wire::fixed64(uint32_t field, uint64_t v) {
  tag(field, 1);
  for (int i = 0; i < 8; ++i) b_.push_back(char(v >> (8 * i)));
  return *this;
}

Wire& Wire::fixed32(uint32_t field, uint32_t v) {
  tag(field, 5);
  for (int i = 0; i < 4; ++i) b_.push_back(char(v >> (8 * i)));
  return *this;
}

Wire& Wire::raw(std::string_view bytes) {
  b_.append(bytes);
  return *this;
}

Wire Wire::label(std::string_view name, std::string_view value) {
  Wire w;
  w.len(1, name).len(2, value);
  return w;
}

Wire Wire::sample(double v, int64_t t_ms) {
  Wire w;
  w.double_field(1, v).varint_field(2, uint64_t(t_ms));
  return w;
}

Wire Wire::exemplar(const RwExemplar& e) {
  Wire w;
  for (const auto& [n, v] : e.labels) w.msg(1, label(n, v));
  w.double_field(2, e.value).varint_field(3, uint64_t(e.t_ms));
  return w;
}

Wire Wire::series(const LabelPairs& labels, const std::vector<RwSample>& samples,
                  const std::vector<RwExemplar>& exemplars) {
  Wire ts;
  for (const auto& [n, v] : labels) ts.msg(1, label(n, v));
  for (const RwSample& s : samples) ts.msg(2, sample(s.value, s.t_ms));
  for (const RwExemplar& e : exemplars) ts.msg(3, exemplar(e));
  return ts;
}

}  // namespace strata::testutil
