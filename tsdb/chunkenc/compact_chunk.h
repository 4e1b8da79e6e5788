// The compact chunk: how blocks store a run of one series' samples. Unlike the
// head's streaming XOR chunk, it is written once with every sample known, so
// each chunk picks its own timestamp and value coding (VictoriaMetrics' idea):
//
//  - timestamps: the first one, the most common interval d stored once, and —
//    only when some interval differs — the deviations, FOR bit-packed (either
//    interval - d, or distance from the t0 + i*d grid, whichever is smaller);
//  - values: one constant; or decimals m * 10^-E (integers when E = 0) coded as
//    FOR bit-packed first or second differences of m; or Gorilla XOR for
//    full-precision floats, whichever is smallest. NaN (staleness markers
//    included), ±Inf and -0 are stored bit-exactly as exceptions beside the
//    main coding, so one stale marker does not spoil a counter's coding.
//
// The byte layout is in tsdb/docs/format/chunks.md. Free functions, no state;
// CompactChunkDecoder holds reusable scratch space and is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::tsdb {

// At most this many samples per compact chunk: 2 h at a 7 s interval fits one
// chunk; bigger chunks barely compress better (headers are ~25 bytes) but make
// a query that needs a few samples decode more.
inline constexpr size_t kMaxCompactChunkSamples = 1024;

// Encodes n >= 1 samples (t strictly increasing, values as raw IEEE bits) and
// appends the chunk to *out.
void encode_compact_chunk(const int64_t* t, const uint64_t* v_bits, size_t n, std::string* out);

class CompactChunkDecoder {
 public:
  // Decodes a whole chunk into t() / v_bits(); false on malformed data.
  bool decode(std::string_view chunk);
  size_t size() const { return n_; }
  const int64_t* t() const { return t_.data(); }
  const uint64_t* v_bits() const { return v_.data(); }

 private:
  bool decode_times(const char** p, const char* end);
  bool decode_values(const char** p, const char* end);
  size_t n_ = 0;
  std::vector<int64_t> t_;
  std::vector<uint64_t> v_;
  std::vector<int64_t> scratch_;
};

// The sample count in a chunk's header (0 when malformed).
size_t compact_chunk_num_samples(std::string_view chunk);

}  // namespace strata::tsdb
