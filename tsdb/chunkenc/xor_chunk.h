// The XOR chunk: Gorilla compression of (timestamp, float) samples, bit-compatible
// with Prometheus' XOR chunk (so it can be shipped in remote-read responses).
//   bytes 0..1  sample count, big endian
//   sample 0    timestamp as zigzag varint, value as 64 raw bits
//   sample 1    timestamp delta as uvarint, value XOR-coded
//   sample n>1  delta-of-delta in buckets '0' | '10'+14b | '110'+17b | '1110'+20b
//               | '1111'+64b, value XOR-coded ('0' same; '10' reuse window;
//               '11' + 5b leading zeros + 6b significant bits + bits).
// XorAppender owns the bytes being written; XorIterator reads an immutable span.
// Staleness markers and every NaN payload round-trip bit-exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tsdb/chunkenc/bitstream.h"

namespace strata::tsdb {

class XorAppender {
 public:
  XorAppender() : bw_(&buf_) { buf_.assign(2, '\0'); }
  void append(int64_t t_ms, double v);
  int num_samples() const { return n_; }
  const std::string& bytes() const { return buf_; }
  // Moves the encoded bytes out; the appender must not be used afterwards.
  std::string release() { return std::move(buf_); }
  size_t size_bytes() const { return buf_.size(); }

 private:
  std::string buf_;
  BitWriter bw_;
  int n_ = 0;
  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint8_t leading_ = 0xff;
  uint8_t trailing_ = 0;
};

class XorIterator final {
 public:
  XorIterator() = default;
  explicit XorIterator(std::string_view chunk) { reset(chunk); }
  void reset(std::string_view chunk);

  // Advances to the next sample; false at the end or on corrupt data (see ok()).
  bool next();
  int64_t t() const { return t_; }
  double v() const;
  uint64_t v_bits() const { return v_bits_; }
  int num_samples() const { return total_; }
  // False if the chunk ended before its sample count was reached.
  bool ok() const { return ok_; }

 private:
  bool read_value();
  BitReader br_;
  int total_ = 0;
  int read_ = 0;
  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  bool ok_ = true;
};

}  // namespace strata::tsdb
