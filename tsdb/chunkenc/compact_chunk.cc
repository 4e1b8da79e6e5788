#include "tsdb/chunkenc/compact_chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "base/coding.h"
#include "tsdb/chunkenc/int_stream.h"
#include "tsdb/chunkenc/bitstream.h"

namespace strata::tsdb {
namespace {

enum TimeMode : uint8_t { kTimeRegular = 0, kTimeDelta = 1, kTimeGrid = 2 };
enum ValueMode : uint8_t { kValueConst = 0, kValueDecimal = 1, kValueXor = 2 };
constexpr uint8_t kHasExceptions = 0x80;

// Exact powers of ten: 10^15 < 2^53, so each is a double without rounding and
// m / 10^E is the correctly rounded decimal m * 10^-E.
constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
constexpr int kMaxExp = 15;

double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
uint64_t to_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// m with m / 10^e == v bit for bit, if there is one.
bool to_decimal(uint64_t v_bits, int e, int64_t* m) {
  double x = from_bits(v_bits) * kPow10[e];
  if (!(std::fabs(x) < 4.6e18)) return false;  // keeps m and its differences in int64
  int64_t r = std::llround(x);
  if (to_bits(double(r) / kPow10[e]) != v_bits) return false;
  *m = r;
  return true;
}

// Values that go to the exception list: NaN (stale markers), ±Inf, -0.
bool is_exception(uint64_t b) {
  double d = from_bits(b);
  return !std::isfinite(d) || b == 0x8000000000000000ULL;
}

void put_xor_values(const uint64_t* v, size_t n, std::string* out) {
  std::string buf;
  BitWriter bw(&buf);
  bw.write_bits(v[0], 64);
  uint8_t leading = 0xff, trailing = 0;
  for (size_t i = 1; i < n; ++i) {
    uint64_t delta = v[i] ^ v[i - 1];
    if (delta == 0) {
      bw.write_bit(false);
      continue;
    }
    bw.write_bit(true);
    uint8_t lead = uint8_t(std::min(std::countl_zero(delta), 31));
    uint8_t trail = uint8_t(std::countr_zero(delta));
    // Unlike the streaming XOR chunk, reuse the previous window only when
    // that is cheaper than a new one (a window that once grew wide otherwise
    // sticks for the rest of the chunk).
    bool fits = leading != 0xff && lead >= leading && trail >= trailing;
    if (fits && 64 - leading - trailing <= 11 + 64 - lead - trail) {
      bw.write_bit(false);
      bw.write_bits(delta >> trailing, 64 - leading - trailing);
    } else {
      leading = lead;
      trailing = trail;
      bw.write_bit(true);
      bw.write_bits(lead, 5);
      int sig = 64 - lead - trail;
      bw.write_bits(uint64_t(sig & 63), 6);
      bw.write_bits(delta >> trail, sig);
    }
  }
  put_uvarint(out, buf.size());
  out->append(buf);
}

bool get_xor_values(const char** p, const char* end, uint64_t* v, size_t n) {
  std::string_view body;
  if (!get_lenstr(p, end, &body)) return false;
  BitReader br(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  v[0] = br.read_bits(64);
  uint8_t leading = 0, trailing = 0;
  for (size_t i = 1; i < n; ++i) {
    if (!br.read_bit()) {
      v[i] = v[i - 1];
      continue;
    }
    if (br.read_bit()) {
      leading = uint8_t(br.read_bits(5));
      int sig = int(br.read_bits(6));
      if (sig == 0) sig = 64;
      if (leading + sig > 64) return false;
      trailing = uint8_t(64 - leading - sig);
    }
    v[i] = v[i - 1] ^ (br.read_bits(64 - leading - trailing) << trailing);
  }
  return br.ok();
}

// The most frequent interval, smallest on ties.
int64_t common_interval(const int64_t* t, size_t n, std::vector<int64_t>* scratch) {
  scratch->assign(n - 1, 0);
  for (size_t i = 1; i < n; ++i) (*scratch)[i - 1] = t[i] - t[i - 1];
  std::sort(scratch->begin(), scratch->end());
  int64_t best = (*scratch)[0];
  size_t best_run = 0;
  for (size_t i = 0; i < scratch->size();) {
    size_t j = i;
    while (j < scratch->size() && (*scratch)[j] == (*scratch)[i]) ++j;
    if (j - i > best_run) {
      best_run = j - i;
      best = (*scratch)[i];
    }
    i = j;
  }
  return best;
}

void encode_times(const int64_t* t, size_t n, std::string* out) {
  put_varint(out, t[0]);
  if (n == 1) return;
  std::vector<int64_t> scratch;
  int64_t d = common_interval(t, n, &scratch);
  put_uvarint(out, uint64_t(d));
  std::vector<int64_t> dev(n - 1), grid(n - 1);
  bool regular = true;
  for (size_t i = 1; i < n; ++i) {
    dev[i - 1] = (t[i] - t[i - 1]) - d;
    grid[i - 1] = int64_t(uint64_t(t[i]) - uint64_t(t[0]) - uint64_t(i) * uint64_t(d));
    regular = regular && dev[i - 1] == 0;
  }
  if (regular) {
    out->push_back(char(kTimeRegular));
  } else if (int_stream_size(dev.data(), n - 1) <= int_stream_size(grid.data(), n - 1)) {
    out->push_back(char(kTimeDelta));
    put_int_stream(out, dev.data(), n - 1);
  } else {
    out->push_back(char(kTimeGrid));
    put_int_stream(out, grid.data(), n - 1);
  }
}

// Decimal coding of `v` at the smallest exponent that fits every value, as
// first (order 1) or second (order 2) differences. Empty when not decimal.
std::string encode_decimal(const uint64_t* v, size_t n) {
  int e = 0;
  int64_t m;
  for (size_t i = 0; i < n; ++i) {
    while (!to_decimal(v[i], e, &m)) {
      if (++e > kMaxExp) return {};
    }
  }
  std::vector<int64_t> ms(n);
  for (size_t i = 0; i < n; ++i) {
    if (!to_decimal(v[i], e, &ms[i])) return {};
  }
  std::vector<int64_t> d1(n > 1 ? n - 1 : 0), d2(n > 2 ? n - 2 : 0);
  for (size_t i = 1; i < n; ++i) d1[i - 1] = int64_t(uint64_t(ms[i]) - uint64_t(ms[i - 1]));
  for (size_t i = 1; i < d1.size(); ++i) d2[i - 1] = int64_t(uint64_t(d1[i]) - uint64_t(d1[i - 1]));
  int order = 1;
  if (n > 2 && int_stream_size(d2.data(), d2.size()) + 2 < int_stream_size(d1.data(), d1.size()))
    order = 2;
  std::string out;
  out.push_back(char(e));
  out.push_back(char(order));
  put_varint(&out, ms[0]);
  if (order == 1) {
    put_int_stream(&out, d1.data(), d1.size());
  } else {
    put_varint(&out, d1[0]);
    put_int_stream(&out, d2.data(), d2.size());
  }
  return out;
}

}  // namespace

void encode_compact_chunk(const int64_t* t, const uint64_t* v_bits, size_t n, std::string* out) {
  put_uvarint(out, n);
  encode_times(t, n, out);

  if (std::all_of(v_bits, v_bits + n, [&](uint64_t b) { return b == v_bits[0]; })) {
    out->push_back(char(kValueConst));
    put_fixed64(out, v_bits[0]);
    return;
  }
  // Exceptions are replaced by the previous regular value (the first regular
  // value for leading ones), so they cost nothing in the main coding.
  std::vector<size_t> exc;
  for (size_t i = 0; i < n; ++i) {
    if (is_exception(v_bits[i])) exc.push_back(i);
  }
  const uint64_t* main = v_bits;
  std::vector<uint64_t> filled;
  if (!exc.empty() && exc.size() * 4 <= n) {
    filled.assign(v_bits, v_bits + n);
    size_t first = 0;
    while (is_exception(filled[first])) ++first;
    for (size_t i = 0; i < n; ++i) {
      if (is_exception(filled[i])) filled[i] = i < first ? v_bits[first] : filled[i - 1];
    }
    main = filled.data();
  } else {
    exc.clear();
  }
  uint8_t flags = exc.empty() ? 0 : kHasExceptions;
  if (std::all_of(main, main + n, [&](uint64_t b) { return b == main[0]; })) {
    out->push_back(char(kValueConst | flags));
    put_fixed64(out, main[0]);
  } else {
    std::string dec = encode_decimal(main, n);
    std::string x;
    put_xor_values(main, n, &x);
    if (!dec.empty() && dec.size() <= x.size()) {
      out->push_back(char(kValueDecimal | flags));
      out->append(dec);
    } else {
      out->push_back(char(kValueXor | flags));
      out->append(x);
    }
  }
  if (exc.empty()) return;
  put_uvarint(out, exc.size());
  size_t prev = 0;
  for (size_t k = 0; k < exc.size(); ++k) {
    put_uvarint(out, k == 0 ? exc[k] : exc[k] - prev - 1);
    put_fixed64(out, v_bits[exc[k]]);
    prev = exc[k];
  }
}

size_t compact_chunk_num_samples(std::string_view chunk) {
  const char* p = chunk.data();
  uint64_t n;
  if (!get_uvarint(&p, chunk.data() + chunk.size(), &n) || n > kMaxCompactChunkSamples) return 0;
  return size_t(n);
}

bool CompactChunkDecoder::decode_times(const char** p, const char* end) {
  int64_t t0;
  if (!get_varint(p, end, &t0)) return false;
  t_[0] = t0;
  if (n_ == 1) return true;
  uint64_t d;
  if (!get_uvarint(p, end, &d) || *p >= end) return false;
  uint8_t mode = uint8_t(*(*p)++);
  // Unsigned sums, as for the grid: a corrupt chunk's deltas may overflow
  // int64, which must wrap (garbage timestamps), not be undefined behaviour.
  if (mode == kTimeRegular) {
    for (size_t i = 1; i < n_; ++i) t_[i] = int64_t(uint64_t(t_[i - 1]) + d);
    return true;
  }
  scratch_.resize(n_ - 1);
  if (!get_int_stream(p, end, scratch_.data(), n_ - 1)) return false;
  if (mode == kTimeDelta) {
    for (size_t i = 1; i < n_; ++i)
      t_[i] = int64_t(uint64_t(t_[i - 1]) + d + uint64_t(scratch_[i - 1]));
  } else if (mode == kTimeGrid) {
    for (size_t i = 1; i < n_; ++i)
      t_[i] = int64_t(uint64_t(t0) + uint64_t(i) * d + uint64_t(scratch_[i - 1]));
  } else {
    return false;
  }
  return true;
}

bool CompactChunkDecoder::decode_values(const char** p, const char* end) {
  if (*p >= end) return false;
  uint8_t mode = uint8_t(*(*p)++);
  bool has_exc = mode & kHasExceptions;
  mode &= ~kHasExceptions;
  uint64_t* v = v_.data();
  if (mode == kValueConst) {
    if (end - *p < 8) return false;
    std::fill(v, v + n_, get_fixed64(*p));
    *p += 8;
  } else if (mode == kValueDecimal) {
    if (end - *p < 2) return false;
    int e = uint8_t(*(*p)++);
    int order = uint8_t(*(*p)++);
    int64_t m0, d1 = 0;
    if (e > kMaxExp || (order != 1 && order != 2) || !get_varint(p, end, &m0)) return false;
    if (order == 2 && n_ > 1 && !get_varint(p, end, &d1)) return false;
    size_t k = n_ > size_t(order) ? n_ - size_t(order) : 0;
    if (order == 2 && n_ == 1) k = 0;
    scratch_.resize(k);
    if (!get_int_stream(p, end, scratch_.data(), k)) return false;
    // Mantissas first, then one pass to doubles: integers (e = 0, most
    // counters) need no division, which would dominate the loop.
    int64_t* m = reinterpret_cast<int64_t*>(v);
    m[0] = m0;
    if (order == 1) {
      for (size_t i = 1; i < n_; ++i) m[i] = int64_t(uint64_t(m[i - 1]) + uint64_t(scratch_[i - 1]));
    } else if (n_ > 1) {
      uint64_t delta = uint64_t(d1);
      m[1] = int64_t(uint64_t(m0) + delta);
      for (size_t i = 2; i < n_; ++i) {
        delta += uint64_t(scratch_[i - 2]);
        m[i] = int64_t(uint64_t(m[i - 1]) + delta);
      }
    }
    if (e == 0) {
      for (size_t i = 0; i < n_; ++i) v[i] = to_bits(double(m[i]));
    } else {
      const double scale = kPow10[e];
      for (size_t i = 0; i < n_; ++i) v[i] = to_bits(double(m[i]) / scale);
    }
  } else if (mode == kValueXor) {
    if (!get_xor_values(p, end, v, n_)) return false;
  } else {
    return false;
  }
  if (!has_exc) return true;
  uint64_t count;
  if (!get_uvarint(p, end, &count) || count > n_) return false;
  size_t idx = 0;
  for (uint64_t k = 0; k < count; ++k) {
    uint64_t gap;
    if (!get_uvarint(p, end, &gap)) return false;
    idx = k == 0 ? size_t(gap) : idx + 1 + size_t(gap);
    if (idx >= n_ || end - *p < 8) return false;
    v[idx] = get_fixed64(*p);
    *p += 8;
  }
  return true;
}

bool CompactChunkDecoder::decode(std::string_view chunk) {
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  uint64_t n;
  n_ = 0;
  if (!get_uvarint(&p, end, &n) || n == 0 || n > kMaxCompactChunkSamples) return false;
  n_ = size_t(n);
  t_.resize(n_);
  v_.resize(n_);
  if (!decode_times(&p, end) || !decode_values(&p, end) || p != end) {
    n_ = 0;
    return false;
  }
  return true;
}

}  // namespace strata::tsdb
