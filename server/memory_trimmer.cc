#include "server/memory_trimmer.h"

#include <malloc.h>

#include <cstdio>
#include <cstring>

namespace strata::server {
namespace {

// Resident anonymous memory (heap, anonymous mappings, stacks), in bytes;
// file-backed pages such as mmapped blocks are not part of it.
size_t rss_anon_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kb = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "RssAnon:", 8) == 0) {
      kb = size_t(std::strtoull(line + 8, nullptr, 10));
      break;
    }
  }
  std::fclose(f);
  return kb * 1024;
}

}  // namespace

MemoryTrimmer::MemoryTrimmer(std::function<bool()> idle, metrics::Registry* registry)
    : idle_(std::move(idle)) {
  if (registry) {
    trims_ = &registry->counter("strata_memory_trims_total",
                                "Times freed heap memory was returned to the kernel after queries.");
    trimmed_bytes_ = &registry->counter("strata_memory_trimmed_bytes_total",
                                        "Resident memory handed back to the kernel by those trims.");
  }
}

void MemoryTrimmer::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void MemoryTrimmer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemoryTrimmer::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, kInterval, [this] { return stopping_; })) {
    // Resident but not in use by malloc's callers: freed chunks whose pages
    // the heap still holds. Once trimmed they stop counting as resident.
    struct mallinfo2 mi = mallinfo2();
    size_t rss = rss_anon_bytes();
    size_t used = mi.uordblks + mi.hblkhd;
    if (rss < used + kMinFreeBytes || !idle_()) continue;
    lock.unlock();
    malloc_trim(0);
    size_t after = rss_anon_bytes();
    if (trims_) trims_->inc();
    if (trimmed_bytes_ && rss > after) trimmed_bytes_->inc(double(rss - after));
    lock.lock();
  }
}

}  // namespace strata::server
