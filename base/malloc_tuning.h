// glibc malloc settings for a process that evaluates queries. A query
// allocates and frees tens of MB (decoded samples, step arrays); with glibc's
// defaults large blocks are mmapped and the heap is trimmed after each
// query, so the next one page-faults all of it in again (~15 % of a query's
// CPU time). Raising both thresholds keeps that memory for the next query;
// server/memory_trimmer.h gives it back once queries stop.
//
// Call once at start, before other threads allocate: the server's main()
// and the benchmarks that measure query paths (so they measure what the
// server runs).
#pragma once

namespace strata {

inline constexpr int kMmapThresholdBytes = 32 << 20;
inline constexpr int kTrimThresholdBytes = 128 << 20;

void tune_malloc_for_queries();

}  // namespace strata
