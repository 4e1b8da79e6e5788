#include "tsdb/chunkenc/int_stream.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/coding.h"

namespace strata::tsdb {
namespace {

int width_of(uint64_t range) { return range == 0 ? 0 : 64 - std::countl_zero(range); }

struct GroupShape {
  int64_t base;
  int width;
};

GroupShape shape(const int64_t* v, size_t n) {
  int64_t lo = v[0], hi = v[0];
  for (size_t i = 1; i < n; ++i) {
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
  }
  return {lo, width_of(uint64_t(hi) - uint64_t(lo))};
}

size_t varint_len(uint64_t u) {
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

size_t int_stream_size(const int64_t* v, size_t n) {
  size_t total = 0;
  int64_t prev_base = 0;
  for (size_t g = 0; g < n; g += kIntGroup) {
    size_t len = std::min(kIntGroup, n - g);
    GroupShape s = shape(v + g, len);
    total += varint_len(zigzag_encode(int64_t(uint64_t(s.base) - uint64_t(prev_base)))) + 1 +
             (size_t(s.width) * len + 7) / 8;
    prev_base = s.base;
  }
  return total;
}

void put_int_stream(std::string* out, const int64_t* v, size_t n) {
  int64_t prev_base = 0;
  for (size_t g = 0; g < n; g += kIntGroup) {
    size_t len = std::min(kIntGroup, n - g);
    GroupShape s = shape(v + g, len);
    put_varint(out, int64_t(uint64_t(s.base) - uint64_t(prev_base)));
    prev_base = s.base;
    out->push_back(char(s.width));
    if (s.width == 0) continue;
    size_t start = out->size();
    out->resize(start + (size_t(s.width) * len + 7) / 8, '\0');
    auto* dst = reinterpret_cast<uint8_t*>(out->data() + start);
    size_t bit = 0;
    for (size_t i = 0; i < len; ++i, bit += size_t(s.width)) {
      uint64_t x = uint64_t(v[g + i]) - uint64_t(s.base);
      // Scatter the w bits of x starting at `bit`, LSB first.
      int left = s.width;
      size_t pos = bit;
      while (left > 0) {
        int off = int(pos & 7);
        int take = std::min(left, 8 - off);
        dst[pos >> 3] |= uint8_t((x & ((1u << take) - 1)) << off);
        x >>= take;
        pos += size_t(take);
        left -= take;
      }
    }
  }
}

bool get_int_stream(const char** p, const char* end, int64_t* out, size_t n) {
  int64_t base = 0;
  for (size_t g = 0; g < n; g += kIntGroup) {
    size_t len = std::min(kIntGroup, n - g);
    int64_t d;
    if (!get_varint(p, end, &d) || *p >= end) return false;
    base = int64_t(uint64_t(base) + uint64_t(d));
    int w = uint8_t(**p);
    ++*p;
    if (w > 64) return false;
    size_t bytes = (size_t(w) * len + 7) / 8;
    if (size_t(end - *p) < bytes) return false;
    const auto* src = reinterpret_cast<const uint8_t*>(*p);
    int64_t* o = out + g;
    if (w == 0) {
      std::fill(o, o + len, base);
    } else if (w <= 56) {
      // Fast path: one unaligned 8-byte load per value while 8 bytes remain.
      const uint64_t mask = (uint64_t(1) << w) - 1;
      size_t bit = 0;
      size_t i = 0;
      for (; i < len && (bit >> 3) + 8 <= bytes; ++i, bit += size_t(w)) {
        uint64_t word;
        std::memcpy(&word, src + (bit >> 3), 8);
        o[i] = int64_t(uint64_t(base) + ((word >> (bit & 7)) & mask));
      }
      for (; i < len; ++i, bit += size_t(w)) {
        uint64_t word = 0;
        size_t avail = bytes - (bit >> 3);
        std::memcpy(&word, src + (bit >> 3), std::min<size_t>(avail, 8));
        o[i] = int64_t(uint64_t(base) + ((word >> (bit & 7)) & mask));
      }
    } else {
      size_t bit = 0;
      for (size_t i = 0; i < len; ++i) {
        uint64_t x = 0;
        for (int k = 0; k < w; ++k, ++bit) x |= uint64_t((src[bit >> 3] >> (bit & 7)) & 1) << k;
        o[i] = int64_t(uint64_t(base) + x);
      }
    }
    *p += bytes;
  }
  return true;
}

}  // namespace strata::tsdb
