// Target: one endpoint a scrape pool scrapes, as /api/v1/targets shows it.
// Identity (labels, URL, interval, timeout) is fixed at creation; a target
// whose labels or URL change after a reload is a new target. Health, the
// last error and the metadata of the last scrape change after every scrape.
//
// Thread-safe: the scrape loop reports from its worker thread while the API
// reads from HTTP threads; the mutable part is guarded by `mu_`.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/metric_metadata.h"

namespace strata::scrape {

enum class HealthState { kUnknown, kUp, kDown };
// "unknown", "up", "down": the targets API's `health`.
const char* health_name(HealthState h);

struct TargetHealth {
  HealthState state = HealthState::kUnknown;
  std::string last_error;      // "" after a successful scrape
  int64_t last_scrape_ms = 0;  // Unix ms of the last scrape's start; 0 = never
  double last_duration_s = 0;
};

using MetadataList = std::vector<std::pair<std::string, tsdb::MetricMetadata>>;

class Target {
 public:
  struct Spec {
    tsdb::Labels labels;      // after relabelling: job, instance, ...
    tsdb::Labels discovered;  // before relabelling, with the __ labels
    std::string url;          // scheme://address/path?params
    int64_t interval_ms = 0;
    int64_t timeout_ms = 0;
    // As __scrape_interval__ / __scrape_timeout__ were written ("90s"):
    // what /api/v1/targets shows.
    std::string interval_text, timeout_text;
  };
  explicit Target(Spec spec);

  const tsdb::Labels& labels() const { return spec_.labels; }
  const tsdb::Labels& discovered_labels() const { return spec_.discovered; }
  const std::string& url() const { return spec_.url; }
  int64_t interval_ms() const { return spec_.interval_ms; }
  int64_t timeout_ms() const { return spec_.timeout_ms; }
  const std::string& interval_text() const { return spec_.interval_text; }
  const std::string& timeout_text() const { return spec_.timeout_text; }
  // Identity within a pool: labels and URL.
  uint64_t hash() const { return hash_; }
  // Where in each interval this target is scraped: spreads a pool's targets
  // over the interval, stable across restarts and reloads.
  int64_t phase_ms() const;

  TargetHealth health() const;
  void report(int64_t start_ms, double duration_s, const absl::Status& error);
  MetadataList metadata() const;
  void set_metadata(MetadataList md);

 private:
  const Spec spec_;
  const uint64_t hash_;
  mutable std::mutex mu_;
  TargetHealth health_ ABSL_GUARDED_BY(mu_);
  MetadataList metadata_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::scrape
