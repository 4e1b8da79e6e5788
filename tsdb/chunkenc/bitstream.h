// Bit-level writer and reader for the XOR chunk encoding. The writer appends
// to a std::string it owns; the reader walks a byte span it does not own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::tsdb {

class BitWriter {
 public:
  explicit BitWriter(std::string* buf) : buf_(buf) {}
  // Number of unused low bits in the last byte (0 = byte aligned).
  int free_bits() const { return free_; }
  void set_free_bits(int n) { free_ = n; }

  void write_bit(bool bit) {
    if (free_ == 0) {
      buf_->push_back(0);
      free_ = 8;
    }
    if (bit) buf_->back() = char(uint8_t(buf_->back()) | (1u << (free_ - 1)));
    --free_;
  }
  // Writes the low `n` bits of `v`, most significant first (n <= 64).
  void write_bits(uint64_t v, int n) {
    while (n > 0) {
      if (free_ == 0) {
        buf_->push_back(0);
        free_ = 8;
      }
      int take = n < free_ ? n : free_;
      uint8_t chunk = uint8_t((v >> (n - take)) & ((1u << take) - 1));
      buf_->back() = char(uint8_t(buf_->back()) | uint8_t(chunk << (free_ - take)));
      free_ -= take;
      n -= take;
    }
  }

 private:
  std::string* buf_;
  int free_ = 0;
};

class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool ok() const { return ok_; }
  size_t byte_pos() const { return size_t(p_ - start_); }

  bool read_bit() {
    if (valid_ == 0 && !refill()) return false;
    --valid_;
    return (cur_ >> valid_) & 1;
  }
  uint64_t read_bits(int n) {
    uint64_t v = 0;
    while (n > 0) {
      if (valid_ == 0 && !refill()) return 0;
      int take = n < valid_ ? n : valid_;
      valid_ -= take;
      uint64_t bits = (cur_ >> valid_) & (take == 64 ? ~0ULL : ((1ULL << take) - 1));
      v = take == 64 ? bits : (v << take) | bits;
      n -= take;
    }
    return v;
  }

 private:
  // Loads up to 8 more bytes into the 64-bit buffer.
  bool refill() {
    if (p_ >= end_) {
      ok_ = false;
      return false;
    }
    size_t avail = size_t(end_ - p_);
    if (avail >= 8) {
      uint64_t w;
      __builtin_memcpy(&w, p_, 8);
      cur_ = __builtin_bswap64(w);
      valid_ = 64;
      p_ += 8;
    } else {
      cur_ = 0;
      for (size_t i = 0; i < avail; ++i) cur_ = (cur_ << 8) | p_[i];
      valid_ = int(avail * 8);
      p_ = end_;
    }
    return true;
  }
  const uint8_t* start_ = nullptr;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t cur_ = 0;
  int valid_ = 0;
  bool ok_ = true;
};

}  // namespace strata::tsdb
