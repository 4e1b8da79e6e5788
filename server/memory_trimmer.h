// MemoryTrimmer: gives freed heap memory back to the kernel once queries are
// over. main() raises glibc's trim threshold (base/malloc_tuning.h) so that
// back-to-back queries reuse their pages instead of faulting them in again;
// without
// this, the memory of one heavy query would stay resident for good. A
// background thread looks every kInterval: when no query is evaluating and
// more than kMinFreeBytes of resident memory is free heap, it calls
// malloc_trim(0).
//
// Threads: start() and stop() from one thread (the server's main thread).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "base/metrics.h"

namespace strata::server {

class MemoryTrimmer {
 public:
  // `idle` says whether no query is evaluating; called from the trimmer's thread.
  MemoryTrimmer(std::function<bool()> idle, metrics::Registry* registry);
  ~MemoryTrimmer() { stop(); }

  void start();
  void stop();

  // Two seconds: long enough not to trim between the queries of one
  // dashboard refresh, short enough that memory is back "within seconds".
  static constexpr std::chrono::milliseconds kInterval{2000};
  // Free heap kept resident. Ordinary dashboard queries free tens of MB
  // and find those pages again on the next refresh; trimming them made the
  // next query ~30 ms slower (page faults), measured on 20k series. Only the
  // aftermath of a heavy query (hundreds of MB) is worth giving back.
  static constexpr size_t kMinFreeBytes = size_t(256) << 20;

 private:
  void loop();

  std::function<bool()> idle_;
  metrics::Counter* trims_ = nullptr;
  metrics::Counter* trimmed_bytes_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace strata::server
