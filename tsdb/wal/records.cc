#include "tsdb/wal/records.h"

#include <cstring>

#include "base/coding.h"

namespace strata::tsdb {
namespace {

absl::Status bad(const char* what) { return absl::DataLossError(std::string("malformed ") + what + " record"); }

}  // namespace

void encode_series(const std::vector<WalSeries>& s, std::string* out) {
  put_uvarint(out, s.size());
  for (const auto& x : s) {
    put_uvarint(out, x.ref);
    put_uvarint(out, x.labels.size());
    for (const auto& l : x.labels) {
      put_lenstr(out, l.name);
      put_lenstr(out, l.value);
    }
  }
}

void encode_samples(const std::vector<WalSample>& s, std::string* out) {
  // Refs and timestamps as deltas to the previous sample: a batch usually
  // holds many series at one timestamp, so most deltas take a byte or two.
  put_uvarint(out, s.size());
  uint64_t prev_ref = 0;
  int64_t prev_t = 0;
  for (const auto& x : s) {
    put_varint(out, int64_t(x.ref - prev_ref));
    put_varint(out, x.t - prev_t);
    uint64_t bits;
    std::memcpy(&bits, &x.v, 8);
    put_fixed64(out, bits);
    prev_ref = x.ref;
    prev_t = x.t;
  }
}

void encode_tombstones(const std::vector<WalTombstone>& s, std::string* out) {
  put_uvarint(out, s.size());
  for (const auto& x : s) {
    put_uvarint(out, x.ref);
    put_varint(out, x.mint);
    put_varint(out, x.maxt);
  }
}

void encode_metadata(const std::vector<WalMetadata>& s, std::string* out) {
  put_uvarint(out, s.size());
  for (const auto& x : s) {
    put_lenstr(out, x.family);
    put_lenstr(out, x.md.type);
    put_lenstr(out, x.md.help);
    put_lenstr(out, x.md.unit);
  }
}

absl::Status decode_series(std::string_view in, std::vector<WalSeries>* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > in.size()) return bad("series");
  out->reserve(out->size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    WalSeries s;
    uint64_t nl;
    if (!get_uvarint(&p, end, &s.ref) || !get_uvarint(&p, end, &nl) || nl > in.size()) return bad("series");
    std::vector<Label> ls;
    ls.reserve(nl);
    for (uint64_t k = 0; k < nl; ++k) {
      std::string_view name, value;
      if (!get_lenstr(&p, end, &name) || !get_lenstr(&p, end, &value)) return bad("series");
      ls.push_back({std::string(name), std::string(value)});
    }
    s.labels = Labels::from_unsorted(std::move(ls));
    out->push_back(std::move(s));
  }
  if (p != end) return bad("series");
  return absl::OkStatus();
}

absl::Status decode_samples(std::string_view in, std::vector<WalSample>* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > in.size()) return bad("samples");
  out->reserve(out->size() + n);
  uint64_t ref = 0;
  int64_t t = 0;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t dref, dt;
    if (!get_varint(&p, end, &dref) || !get_varint(&p, end, &dt) || end - p < 8) return bad("samples");
    ref += uint64_t(dref);
    t += dt;
    uint64_t bits = get_fixed64(p);
    p += 8;
    double v;
    std::memcpy(&v, &bits, 8);
    out->push_back({ref, t, v});
  }
  if (p != end) return bad("samples");
  return absl::OkStatus();
}

absl::Status decode_tombstones(std::string_view in, std::vector<WalTombstone>* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > in.size()) return bad("tombstones");
  for (uint64_t i = 0; i < n; ++i) {
    WalTombstone t;
    if (!get_uvarint(&p, end, &t.ref) || !get_varint(&p, end, &t.mint) ||
        !get_varint(&p, end, &t.maxt))
      return bad("tombstones");
    out->push_back(t);
  }
  if (p != end) return bad("tombstones");
  return absl::OkStatus();
}

absl::Status decode_metadata(std::string_view in, std::vector<WalMetadata>* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > in.size()) return bad("metadata");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view f, t, h, u;
    if (!get_lenstr(&p, end, &f) || !get_lenstr(&p, end, &t) || !get_lenstr(&p, end, &h) ||
        !get_lenstr(&p, end, &u))
      return bad("metadata");
    out->push_back({std::string(f), {std::string(t), std::string(h), std::string(u)}});
  }
  if (p != end) return bad("metadata");
  return absl::OkStatus();
}

void encode_chunks(const std::vector<WalChunk>& s, std::string* out) {
  put_uvarint(out, s.size());
  for (const auto& x : s) {
    put_uvarint(out, x.ref);
    put_varint(out, x.mint);
    put_varint(out, x.maxt);
    put_lenstr(out, x.data);
  }
}

absl::Status decode_chunks(std::string_view in, std::vector<WalChunk>* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > in.size()) return bad("chunks");
  for (uint64_t i = 0; i < n; ++i) {
    WalChunk c;
    std::string_view data;
    if (!get_uvarint(&p, end, &c.ref) || !get_varint(&p, end, &c.mint) ||
        !get_varint(&p, end, &c.maxt) || !get_lenstr(&p, end, &data))
      return bad("chunks");
    c.data = std::string(data);
    out->push_back(std::move(c));
  }
  if (p != end) return bad("chunks");
  return absl::OkStatus();
}

}  // namespace strata::tsdb
