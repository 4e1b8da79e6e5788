// A fast 64-bit non-cryptographic hash for label sets and strings (in-memory
// maps and shard selection only; never persisted).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

// XXH3 compiled in (static inline functions): no library to link.
#define XXH_INLINE_ALL
#include <xxhash.h>

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

// A 128-bit hash (XXH3), for keys that stand for their bytes without a
// comparison: two different inputs collide with probability ~2^-128, so ten
// million keys see a collision with probability ~10^-25.
struct Hash128 {
  uint64_t lo = 0, hi = 0;
  bool operator==(const Hash128&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const Hash128& k) {
    return H::combine(std::move(h), k.lo);  // lo is already uniformly distributed
  }
};

inline Hash128 hash128(std::string_view s) {
  XXH128_hash_t h = XXH3_128bits(s.data(), s.size());
  return {h.low64, h.high64};
}

}  // namespace strata
