// A fast 64-bit non-cryptographic hash for label sets and strings (in-memory
// maps and shard selection only; never persisted).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata {

// Mixes 8-byte words with multiply-xorshift rounds (the MurmurHash64A scheme).
inline uint64_t hash64(const void* data, size_t len, uint64_t seed = 0x9e3779b97f4a7c15ULL) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (len * m);
  auto p = static_cast<const unsigned char*>(data);
  const unsigned char* end = p + (len & ~size_t(7));
  for (; p != end; p += 8) {
    uint64_t k;
    std::memcpy(&k, p, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  // The 1..7 tail bytes as a little-endian word (what memcpy into a zeroed
  // word gives, without a libc call for a variable length).
  uint64_t tail = 0;
  switch (len & 7) {
    case 7: tail |= uint64_t(p[6]) << 48; [[fallthrough]];
    case 6: tail |= uint64_t(p[5]) << 40; [[fallthrough]];
    case 5: tail |= uint64_t(p[4]) << 32; [[fallthrough]];
    case 4: tail |= uint64_t(p[3]) << 24; [[fallthrough]];
    case 3: tail |= uint64_t(p[2]) << 16; [[fallthrough]];
    case 2: tail |= uint64_t(p[1]) << 8; [[fallthrough]];
    case 1: tail |= uint64_t(p[0]);
  }
  if (len & 7) {
    h ^= tail;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

inline uint64_t hash64(std::string_view s, uint64_t seed = 0x9e3779b97f4a7c15ULL) {
  return hash64(s.data(), s.size(), seed);
}

}  // namespace strata
