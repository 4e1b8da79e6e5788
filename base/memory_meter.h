// MemoryMeter: counts what a decoder allocates for one request against a
// reservation it obtains piece by piece, so that memory whose size only the
// decode itself reveals (vectors of views over a body) is reserved before it
// is allocated, not estimated from the body's size.
//
// charge(bytes) before allocating them; the first refusal of the reserve
// function stops the meter (every later charge fails too) and status() is
// that refusal, for the caller to answer with (the HTTP layer's 503/413).
// Reservations are asked for in steps of at least kStep, so the function
// runs once per kStep of growth, and are held, like the memory, until the
// request ends (the caller's reservation owns them).
//
// Vectors: grow_for_one() makes room for one more element by doubling the
// capacity itself and charging the whole new buffer: while the elements move
// both buffers exist, and the old one was charged when it was made. Charges
// are held to the request's end, so a vector's charges sum to under twice its
// final capacity and cover that peak. Capacity a reused vector already has costs
// nothing (it was allocated, and is bounded, by whoever keeps it).
//
// Not thread-safe: one per request and thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"

namespace strata {

class MemoryMeter {
 public:
  // Asks for this many more bytes; non-OK refuses. Null: unmetered.
  using ReserveFn = std::function<absl::Status(uint64_t)>;
  static constexpr uint64_t kStep = uint64_t(256) << 10;

  explicit MemoryMeter(ReserveFn reserve) : reserve_(std::move(reserve)) {}

  // False once a reservation was refused.
  bool charge(uint64_t bytes) {
    if (!status_.ok()) return false;
    used_ += bytes;
    if (used_ <= granted_ || !reserve_) return true;
    const uint64_t ask = std::max(used_ - granted_, kStep);
    status_ = reserve_(ask);
    if (!status_.ok()) return false;
    granted_ += ask;
    return true;
  }

  const absl::Status& status() const { return status_; }
  uint64_t charged() const { return used_; }

 private:
  ReserveFn reserve_;
  uint64_t used_ = 0, granted_ = 0;
  absl::Status status_;
};

// Room for one more element in `v`, its growth charged to `m` (may be null:
// unmetered). False when the meter refused; `v` is unchanged then.
template <typename T>
bool grow_for_one(std::vector<T>& v, MemoryMeter* m) {
  if (v.size() < v.capacity()) return true;
  const size_t cap = std::max<size_t>(16, 2 * v.capacity());
  if (m != nullptr && !m->charge(uint64_t(cap) * sizeof(T))) return false;
  v.reserve(cap);
  return true;
}

}  // namespace strata
