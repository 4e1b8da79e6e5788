#include "tsdb/chunkenc/xor_chunk.h"

#include <bit>
#include <cstring>

#include "base/coding.h"

namespace strata::tsdb {
namespace {

bool fits_bits(int64_t v, int n) {
  // v fits into n bits two's complement: -(2^(n-1)-1) <= v <= 2^(n-1).
  return v >= -((int64_t(1) << (n - 1)) - 1) && v <= (int64_t(1) << (n - 1));
}

}  // namespace

void XorAppender::append(int64_t t_ms, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  if (n_ == 0) {
    std::string tmp;
    put_varint(&tmp, t_ms);
    for (char c : tmp) bw_.write_bits(uint8_t(c), 8);
    bw_.write_bits(bits, 64);
  } else if (n_ == 1) {
    t_delta_ = t_ms - t_;
    std::string tmp;
    put_uvarint(&tmp, uint64_t(t_delta_));
    for (char c : tmp) bw_.write_bits(uint8_t(c), 8);
  } else {
    int64_t delta = t_ms - t_;
    int64_t dod = delta - t_delta_;
    if (dod == 0) {
      bw_.write_bit(false);
    } else if (fits_bits(dod, 14)) {
      bw_.write_bits(0b10, 2);
      bw_.write_bits(uint64_t(dod), 14);
    } else if (fits_bits(dod, 17)) {
      bw_.write_bits(0b110, 3);
      bw_.write_bits(uint64_t(dod), 17);
    } else if (fits_bits(dod, 20)) {
      bw_.write_bits(0b1110, 4);
      bw_.write_bits(uint64_t(dod), 20);
    } else {
      bw_.write_bits(0b1111, 4);
      bw_.write_bits(uint64_t(dod), 64);
    }
    t_delta_ = delta;
  }
  if (n_ > 0) {
    uint64_t delta = bits ^ v_bits_;
    if (delta == 0) {
      bw_.write_bit(false);
    } else {
      bw_.write_bit(true);
      uint8_t lead = uint8_t(std::countl_zero(delta));
      uint8_t trail = uint8_t(std::countr_zero(delta));
      if (lead >= 32) lead = 31;  // 5 bits hold at most 31
      if (leading_ != 0xff && lead >= leading_ && trail >= trailing_) {
        bw_.write_bit(false);
        bw_.write_bits(delta >> trailing_, 64 - leading_ - trailing_);
      } else {
        leading_ = lead;
        trailing_ = trail;
        bw_.write_bit(true);
        bw_.write_bits(lead, 5);
        int sig = 64 - lead - trail;  // 64 is written as 0
        bw_.write_bits(uint64_t(sig & 63), 6);
        bw_.write_bits(delta >> trail, sig);
      }
    }
  }
  t_ = t_ms;
  v_bits_ = bits;
  ++n_;
  buf_[0] = char(n_ >> 8);
  buf_[1] = char(n_ & 0xff);
}

void XorIterator::reset(std::string_view chunk) {
  *this = XorIterator();
  if (chunk.size() < 2) {
    ok_ = chunk.empty();
    return;
  }
  auto p = reinterpret_cast<const uint8_t*>(chunk.data());
  total_ = (int(p[0]) << 8) | p[1];
  br_ = BitReader(p + 2, chunk.size() - 2);
}

double XorIterator::v() const {
  double d;
  std::memcpy(&d, &v_bits_, 8);
  return d;
}

bool XorIterator::read_value() {
  if (!br_.read_bit()) return br_.ok();
  if (br_.read_bit()) {
    leading_ = uint8_t(br_.read_bits(5));
    int sig = int(br_.read_bits(6));
    if (sig == 0) sig = 64;
    if (leading_ + sig > 64) return false;
    trailing_ = uint8_t(64 - leading_ - sig);
  }
  int sig = 64 - leading_ - trailing_;
  uint64_t bits = br_.read_bits(sig);
  v_bits_ ^= bits << trailing_;
  return br_.ok();
}

bool XorIterator::next() {
  if (!ok_ || read_ >= total_) return false;
  if (read_ == 0) {
    // Varint bytes are read bit-wise because the stream is not byte aligned in general.
    uint64_t u = 0;
    int shift = 0;
    for (;; shift += 7) {
      uint64_t b = br_.read_bits(8);
      if (!br_.ok() || shift > 63) return ok_ = false;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    t_ = zigzag_decode(u);
    v_bits_ = br_.read_bits(64);
  } else if (read_ == 1) {
    uint64_t u = 0;
    for (int shift = 0;; shift += 7) {
      uint64_t b = br_.read_bits(8);
      if (!br_.ok() || shift > 63) return ok_ = false;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    t_delta_ = int64_t(u);
    t_ = int64_t(uint64_t(t_) + uint64_t(t_delta_));
    if (!read_value()) return ok_ = false;
  } else {
    int prefix = 0;
    while (prefix < 4 && br_.read_bit()) ++prefix;
    int64_t dod = 0;
    static constexpr int kWidth[] = {0, 14, 17, 20, 64};
    if (prefix > 0) {
      int w = kWidth[prefix];
      uint64_t raw = br_.read_bits(w);
      if (w < 64 && raw > (uint64_t(1) << (w - 1))) raw -= uint64_t(1) << w;  // sign extend
      dod = int64_t(raw);
    }
    // Unsigned sums: a corrupt chunk's deltas may overflow int64, which must
    // wrap (garbage timestamps), not be undefined behaviour.
    t_delta_ = int64_t(uint64_t(t_delta_) + uint64_t(dod));
    t_ = int64_t(uint64_t(t_) + uint64_t(t_delta_));
    if (!read_value()) return ok_ = false;
  }
  if (!br_.ok()) return ok_ = false;
  ++read_;
  return true;
}

}  // namespace strata::tsdb
