// The random source of the PromQL fuzzers: a std::mt19937_64 seeded
// explicitly, with small hand-written helpers on top. The standard
// distributions (std::uniform_int_distribution, ...) are not specified
// bit-for-bit, so a seed would give other queries with another standard
// library; these helpers give the same numbers everywhere.
//
// Not thread-safe; one per generating thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace strata::promql::fuzz {

class FuzzRng {
 public:
  explicit FuzzRng(uint64_t seed) : gen_(seed) {}

  // The seed of the index-th item of a campaign: a splitmix64 step, so that
  // neighbouring indices give unrelated streams and any item can be
  // regenerated alone from (seed, index).
  static uint64_t derive(uint64_t seed, uint64_t index) {
    uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t next() { return gen_(); }
  // Uniform in [0, n); n > 0. Multiply-shift: no modulo bias worth caring about.
  uint64_t below(uint64_t n) { return uint64_t((unsigned __int128)next() * n >> 64); }
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) { return lo + int64_t(below(uint64_t(hi - lo) + 1)); }
  // True with probability num/den.
  bool chance(uint64_t num, uint64_t den) { return below(den) < num; }
  // Uniform in [0, 1), 53 bits.
  double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
  // Index drawn with the given relative weights (all >= 0, at least one > 0).
  size_t weighted(const std::vector<int>& weights) {
    uint64_t total = 0;
    for (int w : weights) total += uint64_t(w);
    uint64_t r = below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (r < uint64_t(weights[i])) return i;
      r -= uint64_t(weights[i]);
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 gen_;  // mt19937_64's output sequence is fixed by the standard
};

}  // namespace strata::promql::fuzz
