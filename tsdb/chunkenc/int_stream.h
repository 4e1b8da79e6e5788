// IntStream: the frame-of-reference (FOR) bit-packed integer stream that block
// chunks use for timestamp deviations and integer value deltas.
//
// A stream of k signed integers is cut into groups of kIntGroup values. Each
// group is written as
//   varint  base - previous group's base (zigzag; the first group's previous
//           base is 0)
//   byte    width w (0..64): bits per value
//   bytes   ceil(w * len / 8): value - base for each value, packed LSB first
// so a group of equal values costs two or three bytes, and a group whose values
// spread over a range r costs ceil(log2(r + 1)) bits per value. The count k is
// not stored: the chunk header knows it.
//
// Stateless free functions; the decoder never reads past `end`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace strata::tsdb {

// 128 values per group: the group header (2-3 bytes) stays below 0.025 B per
// value, while a single outlier (a counter reset, a missed scrape) widens at
// most 128 values.
inline constexpr size_t kIntGroup = 128;

// Appends the encoding of v[0..n) to *out.
void put_int_stream(std::string* out, const int64_t* v, size_t n);
// Encoded size in bytes of v[0..n), without writing it.
size_t int_stream_size(const int64_t* v, size_t n);
// Decodes n values from [*p, end) into out[0..n); advances *p. False when the
// data is truncated or malformed.
bool get_int_stream(const char** p, const char* end, int64_t* out, size_t n);

}  // namespace strata::tsdb
