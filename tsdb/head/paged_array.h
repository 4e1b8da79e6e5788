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
// Cost when empty: the directory is an anonymous mapping of its own, so the
// kernel hands out zero pages as they are touched (2 MiB of address space
// for the head's 256k pages, no writes; calloc would memset it once glibc's
// adaptive mmap threshold has grown past 2 MiB), and the destructor visits
// only the pages below the highest one allocated. An empty table is built and torn down in microseconds, where
// zeroing and scanning the whole directory took most of a WAL fuzz
// iteration (two heads per input).
//
// Memory: freed when the table is destroyed; pages are never given back
// before that.
#pragma once

#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <new>

namespace strata::tsdb {

template <typename T, int kPageBits, size_t kMaxPages>
class PagedArray {
 public:
  static constexpr size_t kPageSize = size_t(1) << kPageBits;
  static constexpr size_t kCapacity = kPageSize * kMaxPages;

  PagedArray() {
    void* p = mmap(nullptr, kDirBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    dir_ = static_cast<T**>(p);  // zero bytes are null pointers (implicitly created)
  }
  ~PagedArray() {
    for (size_t i = 0; i < pages_hi_; ++i) delete[] dir_[i];
    munmap(dir_, kDirBytes);
  }
  PagedArray(const PagedArray&) = delete;
  PagedArray& operator=(const PagedArray&) = delete;

  // The element at i, or nullptr when its page was never allocated.
  // i < kCapacity.
  T* slot(size_t i) const {
    T* page = std::atomic_ref<T*>(dir_[i >> kPageBits]).load(std::memory_order_acquire);
    return page == nullptr ? nullptr : page + (i & (kPageSize - 1));
  }

  // The element at i, allocating its page first if need be. i < kCapacity.
  T& ensure(size_t i) {
    const size_t p = i >> kPageBits;
    std::atomic_ref<T*> entry(dir_[p]);
    T* page = entry.load(std::memory_order_relaxed);
    if (page == nullptr) {
      page = new T[kPageSize]();
      entry.store(page, std::memory_order_release);
      if (p >= pages_hi_) pages_hi_ = p + 1;
    }
    return page[i & (kPageSize - 1)];
  }

 private:
  static constexpr size_t kDirBytes = kMaxPages * sizeof(T*);
  T** dir_;              // kMaxPages entries; read through atomic_ref
  size_t pages_hi_ = 0;  // every allocated page is below this; ensure() only
};

}  // namespace strata::tsdb
