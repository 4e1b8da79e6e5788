// What the HTTP API may see of scraping: a read-only snapshot of the scrape
// pools and their targets (/api/v1/targets, /api/v1/targets/metadata,
// /api/v1/scrape_pools). scrape::Manager implements it.
//
// Thread-safe: pools() may be called from any thread; the Targets it returns
// stay valid (shared) and report their health under their own lock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "scrape/target.h"

namespace strata::scrape {

struct DroppedTarget {
  tsdb::Labels discovered;
};

// One job as the targets API lists it.
struct PoolSnapshot {
  std::string job;
  std::vector<std::shared_ptr<Target>> active;
  std::vector<DroppedTarget> dropped;  // at most keep_dropped_targets
  size_t dropped_total = 0;
  // The job's discovery sections Strata ignores (ScrapeConfig::unsupported_sd_configs).
  std::vector<std::string> unsupported_sd_configs;
};

class TargetsView {
 public:
  virtual ~TargetsView() = default;
  // Every job in configuration order.
  virtual std::vector<PoolSnapshot> pools() const = 0;
};

}  // namespace strata::scrape
