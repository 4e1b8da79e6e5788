// SymbolTable interns label names and values: each distinct string is stored
// once and referred to by a dense uint32 id. Lookups by id are lock-free (ids
// index fixed-size pages that never move); interning a new string takes a
// writer lock. Strings live until the table is destroyed.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/head/paged_array.h"

namespace strata::tsdb {

class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // The id of `s`, adding it when new. Thread-safe.
  uint32_t intern(std::string_view s);
  // Interns n strings at once (one lock round trip for all): out[i] is the
  // id of in[i]. Thread-safe.
  void intern_all(const std::string_view* in, size_t n, uint32_t* out);
  // Makes room for n more strings (bulk loading). Thread-safe.
  void reserve(size_t n);
  // The id of `s` if present. Thread-safe.
  std::optional<uint32_t> find(std::string_view s) const;
  // The string of an id returned by intern(); valid for the table's lifetime.
  std::string_view get(uint32_t id) const {
    return pages_.at(id);
  }
  size_t size() const { return count_.load(std::memory_order_relaxed); }
  // Bytes held by the strings themselves (for memory stats).
  size_t string_bytes() const { return string_bytes_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kPageBits = 12;  // 4096 ids per page: small first allocation
  static constexpr size_t kMaxPages = 1u << 16;  // 268M ids; the page table is 512 KiB
  static constexpr size_t kArenaBlock = 64 * 1024;

  std::string_view store(std::string_view s);  // copies into the arena; mu_ held
  uint32_t add_locked(std::string_view s);     // mu_ held exclusively

  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
  PagedArray<std::string_view, kPageBits, kMaxPages> pages_;  // by id; written under mu_
  std::atomic<uint32_t> count_{0};
  std::atomic<size_t> string_bytes_{0};
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_used_ = kArenaBlock;
};

}  // namespace strata::tsdb
