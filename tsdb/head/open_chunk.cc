#include "tsdb/head/open_chunk.h"

#include <bit>
#include <cstring>

namespace strata::tsdb {
namespace {

// Worst case of one sample: a 64-bit delta-of-delta with its 4-bit prefix
// plus a value with a new XOR window (2 + 5 + 6 + 64 bits) = 145 bits, or the
// first sample's varint timestamp and raw value (10 + 8 bytes).
constexpr size_t kMaxSampleBytes = 20;

bool fits_bits(int64_t v, int n) {
  return v >= -((int64_t(1) << (n - 1)) - 1) && v <= (int64_t(1) << (n - 1));
}

// Appends bits to a ChunkBuf with kMaxSampleBytes spare bytes. (A version
// writing 64-bit words measured no faster: growth and the per-sample branches
// dominate, and it needed more spare room per series.)
class Bits {
 public:
  Bits(ChunkBuf* b, uint8_t free) : p_(b->data()), size_(b->size()), free_(free) {}
  void bit(bool v) {
    if (free_ == 0) {
      p_[size_++] = 0;
      free_ = 8;
    }
    --free_;
    if (v) p_[size_ - 1] = char(uint8_t(p_[size_ - 1]) | (1u << free_));
  }
  void bits(uint64_t v, int n) {
    while (n > 0) {
      if (free_ == 0) {
        p_[size_++] = 0;
        free_ = 8;
      }
      int take = n < free_ ? n : free_;
      uint8_t chunk = uint8_t((v >> (n - take)) & ((1u << take) - 1));
      p_[size_ - 1] = char(uint8_t(p_[size_ - 1]) | uint8_t(chunk << (free_ - take)));
      free_ = uint8_t(free_ - take);
      n -= take;
    }
  }
  void varint_bytes(uint64_t u) {
    while (u >= 0x80) {
      bits((u & 0x7f) | 0x80, 8);
      u >>= 7;
    }
    bits(u, 8);
  }
  uint32_t size() const { return size_; }
  uint8_t free() const { return free_; }

 private:
  char* p_;
  uint32_t size_;
  uint8_t free_;
};

}  // namespace

void OpenChunk::append(int64_t t_ms, uint64_t bits) {
  if (!buf) {
    // Room for ~16 samples of typical data before the first growth.
    buf = ChunkBuf::create(48);
    buf->data()[0] = buf->data()[1] = 0;
    buf->set_size(2);
    free_bits = 0;
    n = 0;
    leading = 0xff;
    trailing = 0;
  }
  if (buf->capacity() - buf->size() < kMaxSampleBytes) {
    size_t size = buf->size();
    // Small steps keep the spare room of ~1 KiB chunks near 10%; realloc
    // mostly extends in place, and a copy costs less than encoding.
    buf = ChunkBuf::grow(buf, size + kMaxSampleBytes + 12 + size / 8);
  }
  Bits w(buf, free_bits);
  if (n == 0) {
    uint64_t zz = (uint64_t(t_ms) << 1) ^ uint64_t(t_ms >> 63);
    w.varint_bytes(zz);
    w.bits(bits, 64);
  } else {
    if (n == 1) {
      t_delta = int32_t(t_ms - t);
      w.varint_bytes(uint64_t(int64_t(t_delta)));
    } else {
      int64_t delta = t_ms - t;
      int64_t dod = delta - t_delta;
      if (dod == 0) {
        w.bit(false);
      } else if (fits_bits(dod, 14)) {
        w.bits(0b10, 2);
        w.bits(uint64_t(dod), 14);
      } else if (fits_bits(dod, 17)) {
        w.bits(0b110, 3);
        w.bits(uint64_t(dod), 17);
      } else if (fits_bits(dod, 20)) {
        w.bits(0b1110, 4);
        w.bits(uint64_t(dod), 20);
      } else {
        w.bits(0b1111, 4);
        w.bits(uint64_t(dod), 64);
      }
      t_delta = int32_t(delta);
    }
    uint64_t x = bits ^ v_bits;
    if (x == 0) {
      w.bit(false);
    } else {
      w.bit(true);
      uint8_t lead = uint8_t(std::countl_zero(x));
      uint8_t trail = uint8_t(std::countr_zero(x));
      if (lead >= 32) lead = 31;  // 5 bits hold at most 31
      if (leading != 0xff && lead >= leading && trail >= trailing) {
        w.bit(false);
        w.bits(x >> trailing, 64 - leading - trailing);
      } else {
        leading = lead;
        trailing = trail;
        w.bit(true);
        w.bits(lead, 5);
        int sig = 64 - lead - trail;  // 64 is written as 0
        w.bits(uint64_t(sig & 63), 6);
        w.bits(x >> trail, sig);
      }
    }
  }
  buf->set_size(w.size());
  free_bits = w.free();
  t = t_ms;
  v_bits = bits;
  ++n;
  buf->data()[0] = char(n >> 8);
  buf->data()[1] = char(n & 0xff);
}

int64_t OpenChunk::mint_ms() const {
  if (!buf || n == 0) return t;
  // The first timestamp is a zig-zag varint right after the 2-byte count,
  // byte aligned.
  const uint8_t* p = reinterpret_cast<const uint8_t*>(buf->data()) + 2;
  uint64_t u = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = *p++;
    u |= uint64_t(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return int64_t(u >> 1) ^ -int64_t(u & 1);
}

ChunkBuf* OpenChunk::release() {
  ChunkBuf* b = buf ? ChunkBuf::shrink_to_fit(buf) : nullptr;
  buf = nullptr;
  n = 0;
  return b;
}

void OpenChunk::reset() {
  if (buf) buf->unref();
  buf = nullptr;
  n = 0;
}

}  // namespace strata::tsdb
