#include "remote/series_ref_cache.h"

namespace strata::remote {

tsdb::SeriesRef SeriesRefCache::get(std::string_view raw_labels) const {
  Hash128 k = hash128(raw_labels);
  const Stripe& s = stripes_[stripe_of(k)];
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(k);
  return it == s.map.end() ? 0 : it->second;
}

void SeriesRefCache::put(std::string_view raw_labels, tsdb::SeriesRef ref) {
  Hash128 k = hash128(raw_labels);
  Stripe& s = stripes_[stripe_of(k)];
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.map.size() >= kMaxEntriesPerStripe) {
    entries_.fetch_sub(int64_t(s.map.size()), std::memory_order_relaxed);
    s.map.clear();
  }
  auto [it, inserted] = s.map.insert_or_assign(k, ref);
  if (inserted) entries_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace strata::remote
