#include "tsdb/head/metadata_store.h"

#include <algorithm>

namespace strata::tsdb {

void MetadataStore::update(const std::string& family, const MetricMetadata& md) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& v = by_family_[family];
  auto it = std::find(v.begin(), v.end(), md);
  if (it == v.begin() && it != v.end()) return;
  if (it != v.end()) v.erase(it);
  v.insert(v.begin(), md);
  if (v.size() > kMaxPerFamily) v.resize(kMaxPerFamily);
}

bool MetadataStore::is_latest(const std::string& family, const MetricMetadata& md) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_family_.find(family);
  return it != by_family_.end() && !it->second.empty() && it->second.front() == md;
}

std::vector<std::pair<std::string, MetricMetadata>> MetadataStore::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, MetricMetadata>> out;
  for (const auto& [name, v] : by_family_)
    for (auto it = v.rbegin(); it != v.rend(); ++it) out.emplace_back(name, *it);
  return out;
}

std::vector<std::pair<std::string, std::vector<MetricMetadata>>> MetadataStore::get(
    const std::string& metric, size_t limit, size_t limit_per_metric) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> out;
  auto add = [&](const std::string& name, const std::vector<MetricMetadata>& v) {
    std::vector<MetricMetadata> entries = v;
    if (limit_per_metric > 0 && entries.size() > limit_per_metric) entries.resize(limit_per_metric);
    out.emplace_back(name, std::move(entries));
  };
  if (!metric.empty()) {
    auto it = by_family_.find(metric);
    if (it != by_family_.end()) add(it->first, it->second);
    return out;
  }
  for (const auto& [name, v] : by_family_) {
    if (limit > 0 && out.size() >= limit) break;
    add(name, v);
  }
  return out;
}

}  // namespace strata::tsdb
