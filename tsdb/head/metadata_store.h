// MetadataStore keeps HELP/TYPE/UNIT per metric family as ingest paths report
// it, for /api/v1/metadata. A few distinct entries per family are kept (the
// most recent first), like Prometheus' per-target metadata view. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/storage.h"

namespace strata::tsdb {

class MetadataStore {
 public:
  void update(const std::string& family, const MetricMetadata& md);
  // Whether `md` is already the most recent entry of `family` (so update()
  // would change nothing and the WAL need not log it).
  bool is_latest(const std::string& family, const MetricMetadata& md) const;
  // family -> entries, sorted by family; `metric` "" = all. Limits 0 = none.
  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> get(
      const std::string& metric, size_t limit, size_t limit_per_metric) const;
  // Every (family, entry), oldest entry of each family first: replaying
  // update() in this order rebuilds the store.
  std::vector<std::pair<std::string, MetricMetadata>> snapshot() const;

 private:
  static constexpr size_t kMaxPerFamily = 8;  // bounded: metadata churn must not grow memory
  mutable std::mutex mu_;
  std::map<std::string, std::vector<MetricMetadata>> by_family_;
};

}  // namespace strata::tsdb
