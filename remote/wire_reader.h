// WireReader: a bounds-checked cursor over protobuf wire bytes, shared by the
// hand-written decoders of remote write 1.0 (write_view.h) and 2.0
// (write_v2_view.h). Every read checks the bounds and reports failure
// instead of reading past the end. Pure; one per message being read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata::remote {

// Wire types of the protobuf encoding.
inline constexpr uint32_t kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5;

// A cursor over one message's bytes. Every read checks the bounds; a failed
// read makes the whole decode fall back to libprotobuf.
struct Reader {
  const uint8_t* p;
  const uint8_t* end;

  bool done() const { return p >= end; }

  // protobuf reads at most 10 bytes; a 10th byte above 1 carries bits beyond
  // 64, which its parser truncates; such encodings are left to it.
  bool varint(uint64_t* v) {
    if (p < end && *p < 0x80) {  // one byte: most tags, lengths and small values
      *v = *p++;
      return true;
    }
    uint64_t r = 0;
    for (int i = 0; i < 10; ++i) {
      if (p >= end) return false;
      uint8_t b = *p++;
      if (i == 9 && b > 1) return false;
      r |= uint64_t(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        *v = r;
        return true;
      }
    }
    return false;
  }

  // A field key: field number >= 1 that fits 29 bits, wire type. Tags longer
  // than 5 bytes are left to protobuf.
  bool tag(uint32_t* field, uint32_t* wire) {
    const uint8_t* start = p;
    uint64_t t;
    if (!varint(&t) || p - start > 5 || t > 0xffffffffu) return false;
    *field = uint32_t(t >> 3);
    *wire = uint32_t(t & 7);
    return *field != 0;
  }

  bool fixed64(uint64_t* v) {
    if (end - p < 8) return false;
    std::memcpy(v, p, 8);  // little-endian hosts only (x86-64, arm64)
    p += 8;
    return true;
  }

  bool bytes(std::string_view* s) {
    uint64_t n;
    if (!varint(&n) || n > uint64_t(end - p) || n > 0x7fffffffu) return false;
    *s = std::string_view(reinterpret_cast<const char*>(p), size_t(n));
    p += n;
    return true;
  }

  bool sub(Reader* r) {
    std::string_view s;
    if (!bytes(&s)) return false;
    *r = Reader{reinterpret_cast<const uint8_t*>(s.data()), reinterpret_cast<const uint8_t*>(s.data()) + s.size()};
    return true;
  }

  // Skips a field whose number the message does not know.
  bool skip(uint32_t wire) {
    uint64_t v;
    std::string_view s;
    switch (wire) {
      case kVarint: return varint(&v);
      case kFixed64: return fixed64(&v);
      case kLen: return bytes(&s);
      case kFixed32:
        if (end - p < 4) return false;
        p += 4;
        return true;
      default: return false;  // groups (3, 4) and invalid wire types 6, 7
    }
  }
};

inline double as_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// A Sample message, the same in remote write 1.0 and 2.0: value = 1
// (fixed64), timestamp = 2 (varint); anything else, such as 2.0's
// start_timestamp = 3, is skipped like an unknown field.
inline bool decode_sample(Reader r, int64_t* t_ms, double* value) {
  *t_ms = 0;
  *value = 0;
  uint32_t field, wire;
  uint64_t v;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return false;
    if (field == 1) {
      if (wire != kFixed64 || !r.fixed64(&v)) return false;
      *value = as_double(v);
    } else if (field == 2) {
      if (wire != kVarint || !r.varint(&v)) return false;
      *t_ms = int64_t(v);
    } else if (!r.skip(wire)) {
      return false;
    }
  }
  return true;
}

}  // namespace strata::remote
