#include "tsdb/head/symbols.h"

#include <cstring>
#include <mutex>

namespace strata::tsdb {

SymbolTable::SymbolTable() = default;
SymbolTable::~SymbolTable() = default;

std::string_view SymbolTable::store(std::string_view s) {
  if (s.size() > kArenaBlock / 4) {
    // Large strings get their own allocation so blocks stay dense.
    arena_.emplace_back(new char[s.size()]);
    std::memcpy(arena_.back().get(), s.data(), s.size());
    return {arena_.back().get(), s.size()};
  }
  if (arena_used_ + s.size() > kArenaBlock) {
    arena_.emplace_back(new char[kArenaBlock]);
    arena_used_ = 0;
  }
  char* p = arena_.back().get() + arena_used_;
  std::memcpy(p, s.data(), s.size());
  arena_used_ += s.size();
  return {p, s.size()};
}

void SymbolTable::reserve(size_t n) {
  std::unique_lock lock(mu_);
  ids_.reserve(ids_.size() + n);
}

std::optional<uint32_t> SymbolTable::find(std::string_view s) const {
  std::shared_lock lock(mu_);
  auto it = ids_.find(s);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

uint32_t SymbolTable::intern(std::string_view s) {
  {
    std::shared_lock lock(mu_);
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  return add_locked(s);
}

void SymbolTable::intern_all(const std::string_view* in, size_t n, uint32_t* out) {
  bool missing = false;
  {
    std::shared_lock lock(mu_);
    for (size_t i = 0; i < n; ++i) {
      auto it = ids_.find(in[i]);
      if (it == ids_.end()) {
        missing = true;
        out[i] = UINT32_MAX;
      } else {
        out[i] = it->second;
      }
    }
  }
  if (!missing) return;
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < n; ++i)
    if (out[i] == UINT32_MAX) out[i] = add_locked(in[i]);
}

uint32_t SymbolTable::add_locked(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  uint32_t id = count_.load(std::memory_order_relaxed);
  std::string_view stored = s.empty() ? std::string_view() : store(s);
  pages_.ensure(id) = stored;
  ids_.emplace(stored, id);
  string_bytes_.fetch_add(s.size(), std::memory_order_relaxed);
  count_.store(id + 1, std::memory_order_release);
  return id;
}

}  // namespace strata::tsdb
