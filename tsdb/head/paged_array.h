// PagedArray: an array indexed by dense ids whose elements never move. A
// fixed directory holds kMaxPages page pointers; a page of 2^kPageBits
// elements is allocated (value-initialised) the first time an id in it is
// written. The head's series-by-id table and the symbol table are built on it.
//
// Threads: slot() is lock-free and may run beside ensure(); a reader finds a
// page published by ensure() (release/acquire on the directory entry). The
// element itself is the owner's to publish (the head stores its series
// pointers atomically; the symbol table publishes its count). An ensure()
// that allocates a page must not run beside another ensure() (the owner's
// writer lock); on pages that exist it only reads the directory, so the
// head's snapshot loader, which allocates every page first, fills them from
// several threads.
//
// Cost when empty: the directory is calloc'd, which for its size (2 MiB
// for the head's 256k pages) is a fresh mapping whose zero pages the kernel
// hands out as they are touched, and the destructor visits only the pages
// below the highest one allocated. (Once glibc's adaptive mmap threshold
// has grown past the size, calloc memsets heap memory instead: still no
// walk. Not mmap directly: LeakSanitizer does not scan mappings, so the
// pages would look leaked while the table lives.) An empty table is built and torn down in microseconds, where
// zeroing and scanning the whole directory took most of a WAL fuzz
// iteration (two heads per input).
//
// Memory: freed when the table is destroyed; pages are never given back
// before that.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace strata::tsdb {

template <typename T, int kPageBits, size_t kMaxPages>
class PagedArray {
 public:
  static constexpr size_t kPageSize = size_t(1) << kPageBits;
  static constexpr size_t kCapacity = kPageSize * kMaxPages;

  // calloc creates the pointers (implicit-lifetime objects), all null.
  PagedArray() : dir_(static_cast<T**>(std::calloc(kMaxPages, sizeof(T*)))) {
    if (dir_ == nullptr) throw std::bad_alloc();
  }
  ~PagedArray() {
    const size_t hi = pages_hi_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < hi; ++i) delete[] dir_[i];
    std::free(dir_);
  }
  PagedArray(const PagedArray&) = delete;
  PagedArray& operator=(const PagedArray&) = delete;

  // The element at i, or nullptr when its page was never allocated.
  // i < kCapacity.
  T* slot(size_t i) const {
    T* page = std::atomic_ref<T*>(dir_[i >> kPageBits]).load(std::memory_order_acquire);
    return page == nullptr ? nullptr : page + (i & (kPageSize - 1));
  }

  // The element at i, whose page is known to exist (an id already handed
  // out): slot() without the null check, for hot paths.
  T& at(size_t i) const {
    return std::atomic_ref<T*>(dir_[i >> kPageBits]).load(std::memory_order_acquire)[i & (kPageSize - 1)];
  }

  // The element at i, allocating its page first if need be. i < kCapacity.
  T& ensure(size_t i) {
    const size_t p = i >> kPageBits;
    std::atomic_ref<T*> entry(dir_[p]);
    T* page = entry.load(std::memory_order_relaxed);
    if (page == nullptr) {
      page = new T[kPageSize]();
      entry.store(page, std::memory_order_release);
      if (p >= pages_hi_.load(std::memory_order_relaxed))
        pages_hi_.store(p + 1, std::memory_order_release);
    }
    return page[i & (kPageSize - 1)];
  }

  // Calls f(i, slot(i)) for every i < end whose page is allocated, in
  // order, skipping pages that are not: a walk costs what is allocated,
  // not the highest id (a sparse id, say 4e9 from a damaged WAL, must not
  // turn every walk over a head into billions of steps). Lock-free, like
  // slot(); pages allocated during the walk may or may not be visited.
  template <typename F>
  void for_each_slot(size_t end, F&& f) const {
    const size_t pages = std::min(pages_hi_.load(std::memory_order_acquire),
                                  (end + kPageSize - 1) >> kPageBits);
    for (size_t p = 0; p < pages; ++p) {
      T* page = std::atomic_ref<T*>(dir_[p]).load(std::memory_order_acquire);
      if (page == nullptr) continue;
      const size_t base = p << kPageBits;
      const size_t n = std::min(kPageSize, end - base);
      for (size_t j = 0; j < n; ++j) f(base + j, page + j);
    }
  }

 private:
  T** dir_;                          // kMaxPages entries; read through atomic_ref
  std::atomic<size_t> pages_hi_{0};  // every allocated page is below this
};

}  // namespace strata::tsdb
