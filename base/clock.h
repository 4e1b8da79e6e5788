// Wall and monotonic time. Ingest and queries use milliseconds since the Unix
// epoch (`t_ms`) like Prometheus.
#pragma once

#include <chrono>
#include <cstdint>

namespace strata {

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
inline double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata
