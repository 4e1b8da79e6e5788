#include "tests/integration/difftest/remote_write.h"

#include <snappy.h>

#include <algorithm>
#include <cstring>

namespace strata::difftest {
namespace {

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(char(v | 0x80));
    v >>= 7;
  }
  out->push_back(char(v));
}

void put_tag(std::string* out, int field, int wire_type) { put_varint(out, uint64_t(field << 3 | wire_type)); }

void put_bytes(std::string* out, int field, const std::string& bytes) {
  put_tag(out, field, 2);
  put_varint(out, bytes.size());
  out->append(bytes);
}

double from_bits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

double stale_nan() { return from_bits(0x7ff0000000000002ULL); }
double normal_nan() { return from_bits(0x7ff8000000000001ULL); }

std::string encode_write_request(const std::vector<RwSeries>& series) {
  std::string req, ts, msg;
  for (const RwSeries& s : series) {
    ts.clear();
    LabelPairs labels = s.labels;
    std::sort(labels.begin(), labels.end());
    for (const auto& [name, value] : labels) {
      msg.clear();
      put_bytes(&msg, 1, name);
      put_bytes(&msg, 2, value);
      put_bytes(&ts, 1, msg);
    }
    for (const RwSample& sample : s.samples) {
      msg.clear();
      put_tag(&msg, 1, 1);  // double value, fixed64
      uint64_t bits;
      std::memcpy(&bits, &sample.value, sizeof bits);
      for (int i = 0; i < 8; ++i) msg.push_back(char(bits >> (8 * i)));
      put_tag(&msg, 2, 0);  // int64 timestamp, varint
      put_varint(&msg, uint64_t(sample.t_ms));
      put_bytes(&ts, 2, msg);
    }
    put_bytes(&req, 1, ts);
  }
  std::string compressed;
  snappy::Compress(req.data(), req.size(), &compressed);
  return compressed;
}

}  // namespace strata::difftest
