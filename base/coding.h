// Little-endian fixed-width and LEB128 varint coding, used by every on-disk and
// wire format in Strata. Decoders take a [p, end) range and never read past it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata {

inline void put_fixed32(std::string* dst, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // x86 and arm64 are little endian; formats are LE.
  dst->append(b, 4);
}
inline void put_fixed64(std::string* dst, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  dst->append(b, 8);
}
inline uint32_t get_fixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t get_fixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void put_be32(std::string* dst, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  dst->append(b, 4);
}
inline uint32_t get_be32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t(u[0]) << 24) | (uint32_t(u[1]) << 16) | (uint32_t(u[2]) << 8) | u[3];
}

inline void put_uvarint(std::string* dst, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = char(v | 0x80);
    v >>= 7;
  }
  b[n++] = char(v);
  dst->append(b, n);
}
// Bytes put_uvarint writes for v (1 to 10).
inline size_t uvarint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline uint64_t zigzag_encode(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline int64_t zigzag_decode(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }
inline void put_varint(std::string* dst, int64_t v) { put_uvarint(dst, zigzag_encode(v)); }

// Decodes an unsigned varint at *p. Advances *p and returns true on success;
// false on truncation or a varint longer than 10 bytes.
inline bool get_uvarint(const char** p, const char* end, uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint64_t byte = static_cast<unsigned char>(**p);
    ++*p;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *out = result;
      return true;
    }
  }
  return false;
}
inline bool get_varint(const char** p, const char* end, int64_t* out) {
  uint64_t u;
  if (!get_uvarint(p, end, &u)) return false;
  *out = zigzag_decode(u);
  return true;
}
// Length-prefixed byte string.
inline void put_lenstr(std::string* dst, std::string_view s) {
  put_uvarint(dst, s.size());
  dst->append(s.data(), s.size());
}
inline bool get_lenstr(const char** p, const char* end, std::string_view* out) {
  uint64_t n;
  if (!get_uvarint(p, end, &n) || n > uint64_t(end - *p)) return false;
  *out = std::string_view(*p, n);
  *p += n;
  return true;
}

}  // namespace strata
