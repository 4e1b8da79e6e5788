#include "tsdb/wal/codec.h"

#include <cstring>

#include "base/coding.h"

namespace strata::tsdb {

void encode_series_count(uint64_t n, std::string* out) { put_uvarint(out, n); }

void encode_series_entry(uint64_t ref, const Labels& labels, std::string* out) {
  put_uvarint(out, ref);
  put_uvarint(out, labels.size());
  for (const Label& l : labels) {
    put_lenstr(out, l.name);
    put_lenstr(out, l.value);
  }
}

void encode_series_entry(uint64_t ref, std::span<const LabelView> labels, std::string* out) {
  put_uvarint(out, ref);
  put_uvarint(out, labels.size());
  for (const auto& [n, v] : labels) {
    put_lenstr(out, n);
    put_lenstr(out, v);
  }
}

SeriesRecordReader::SeriesRecordReader(std::string_view payload)
    : p_(payload.data()), end_(payload.data() + payload.size()) {
  // Every entry takes at least two bytes, which bounds a corrupt count.
  if (!get_uvarint(&p_, end_, &n_) || n_ > payload.size()) {
    ok_ = false;
    n_ = 0;
  }
}

bool SeriesRecordReader::next(uint64_t* ref, std::vector<LabelView>* labels) {
  if (!ok_) return false;
  if (read_ == n_) {
    ok_ = p_ == end_;  // trailing bytes mean the count was wrong
    return false;
  }
  uint64_t nl;
  if (!get_uvarint(&p_, end_, ref) || !get_uvarint(&p_, end_, &nl) ||
      nl > uint64_t(end_ - p_) / 2) {
    ok_ = false;
    return false;
  }
  labels->resize(nl);
  for (uint64_t i = 0; i < nl; ++i) {
    if (!get_lenstr(&p_, end_, &(*labels)[i].first) ||
        !get_lenstr(&p_, end_, &(*labels)[i].second)) {
      ok_ = false;
      return false;
    }
  }
  ++read_;
  return true;
}

void encode_samples(std::span<const WalSample> samples, std::string* out) {
  // Refs and timestamps as deltas to the previous sample: a commit usually
  // holds many series (consecutive refs) at one timestamp, so a sample takes
  // 1 + 1 + 8 bytes.
  put_uvarint(out, samples.size());
  uint64_t prev_ref = 0;
  int64_t prev_t = 0;
  for (const WalSample& s : samples) {
    put_varint(out, int64_t(s.ref - prev_ref));
    // Two's-complement deltas: any two timestamps, int64 min and max
    // included, round-trip (a signed difference could overflow).
    put_varint(out, int64_t(uint64_t(s.t_ms) - uint64_t(prev_t)));
    uint64_t bits;
    std::memcpy(&bits, &s.v, 8);
    put_fixed64(out, bits);
    prev_ref = s.ref;
    prev_t = s.t_ms;
  }
}

bool decode_samples(std::string_view payload, std::vector<WalSample>* out) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > payload.size() / 10 + 1) return false;
  size_t base = out->size();
  out->resize(base + n);
  WalSample* dst = out->data() + base;
  uint64_t ref = 0;
  int64_t t = 0;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t dref, dt;
    // Fast path for one-byte deltas, the common case.
    if (end - p >= 10 && !(p[0] & 0x80) && !(p[1] & 0x80)) {
      dref = zigzag_decode(uint8_t(p[0]));
      dt = zigzag_decode(uint8_t(p[1]));
      p += 2;
    } else if (!get_varint(&p, end, &dref) || !get_varint(&p, end, &dt) || end - p < 8) {
      out->resize(base);
      return false;
    }
    ref += uint64_t(dref);
    t = int64_t(uint64_t(t) + uint64_t(dt));  // wraps as the encoder's delta did
    uint64_t bits = get_fixed64(p);
    p += 8;
    dst[i].ref = ref;
    dst[i].t_ms = t;
    std::memcpy(&dst[i].v, &bits, 8);
  }
  if (p != end) {
    out->resize(base);
    return false;
  }
  return true;
}

void encode_tombstones(std::span<const WalTombstone> ts, std::string* out) {
  put_uvarint(out, ts.size());
  for (const WalTombstone& x : ts) {
    put_uvarint(out, x.ref);
    put_varint(out, x.mint_ms);
    put_varint(out, x.maxt_ms);
  }
}

bool decode_tombstones(std::string_view payload, std::vector<WalTombstone>* out) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > payload.size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    WalTombstone t;
    if (!get_uvarint(&p, end, &t.ref) || !get_varint(&p, end, &t.mint_ms) ||
        !get_varint(&p, end, &t.maxt_ms))
      return false;
    out->push_back(t);
  }
  return p == end;
}

void encode_metadata(const std::vector<std::pair<std::string, MetricMetadata>>& md,
                     std::string* out) {
  put_uvarint(out, md.size());
  for (const auto& [family, m] : md) {
    put_lenstr(out, family);
    put_lenstr(out, m.type);
    put_lenstr(out, m.help);
    put_lenstr(out, m.unit);
  }
}

bool decode_metadata(std::string_view payload, std::vector<WalMetadata>* out) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > payload.size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    WalMetadata m;
    if (!get_lenstr(&p, end, &m.family) || !get_lenstr(&p, end, &m.type) ||
        !get_lenstr(&p, end, &m.help) || !get_lenstr(&p, end, &m.unit))
      return false;
    out->push_back(m);
  }
  return p == end;
}

}  // namespace strata::tsdb
