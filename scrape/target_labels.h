// A scrape target's labels, as Prometheus derives them from service
// discovery and the scrape config (its PopulateLabels), and the URL it
// scrapes. The scrape manager calls this for every discovered target; the
// targets API shows the results (`discoveredLabels`, `labels`, `scrapeUrl`,
// dropped targets).
//
// populate_target_labels(target, group, cfg):
//   1. discovered = the target's labels, plus the group's where the target
//      has no such label; then, where absent, job = job_name,
//      __scrape_interval__ / __scrape_timeout__ (Prometheus durations like
//      "15s", "1m30s"), __metrics_path__, __scheme__, and __param_<name> =
//      the first value of each `params` entry (Prometheus 2.x sets
//      __param_<name> even when discovery did). Empty values count as absent.
//   2. relabel_configs run on it (tsdb/labels/relabel.h). A dropped target is
//      `dropped` with `discovered` kept (the targets API lists it under
//      droppedTargets).
//   3. Checks, in Prometheus' order and words: `no address` when
//      __address__ is empty; `"a/b" is not a valid hostname` when it has a
//      '/'; `error parsing scrape interval: <why>`, `scrape interval cannot
//      be 0`, the same for the timeout, and `scrape timeout cannot be greater
//      than scrape interval ("20s" > "10s")`; `invalid label value for "l":
//      "v"` for values that are not UTF-8. A failed target has `error` set
//      and is neither scraped nor listed (Prometheus logs it).
//   4. __meta_* labels are removed; instance defaults to __address__.
//      `all` is the result: Prometheus' target labels, still with
//      __address__, __scheme__, __metrics_path__, __param_*,
//      __scrape_interval__, __scrape_timeout__ and other `__` labels;
//      `labels` is `all` without every `__`-prefixed label: what the targets
//      API shows and what every scraped series gets.
// Prometheus 3 does not add a default port to an address without one; 2.x
// appended :80 (http) or :443 (https) — TargetLabelsOptions::prometheus_v2.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "scrape/config.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/relabel.h"

namespace strata::scrape {

struct TargetLabelsOptions {
  // Prometheus 2.x (checked against 2.42) instead of 3.x: a default port for
  // addresses without one, config params overriding discovered __param_*
  // labels, and replace targets limited to legacy label names.
  bool prometheus_v2 = false;
};

struct TargetLabels {
  tsdb::Labels discovered;  // before relabeling, with the job defaults added
  tsdb::Labels all;         // after relabeling, __meta_* removed, instance set
  tsdb::Labels labels;      // `all` without `__` labels
  bool dropped = false;     // relabeling dropped it
  absl::Status error;       // invalid after relabeling: not a target at all

  // What the target scrapes (valid when !dropped && error.ok()).
  std::string scheme;        // __scheme__
  std::string address;       // __address__ (host:port)
  std::string metrics_path;  // __metrics_path__
  // The config's params with each __param_<name> label replacing the first
  // value of <name> (or adding it).
  std::map<std::string, std::vector<std::string>> params;
  int64_t interval_ms = 0;  // __scrape_interval__
  int64_t timeout_ms = 0;   // __scrape_timeout__

  bool active() const { return !dropped && error.ok(); }
  // The scrape URL as Prometheus prints it (Go's url.URL.String()):
  // scheme://address/path?k=v&k2=v2 with keys sorted, values in order,
  // query-escaped.
  std::string url() const;
};

// See the header comment. `target` wins over `group` for a label both have.
// `scratch` (optional) is reused between calls to save allocations.
TargetLabels populate_target_labels(const tsdb::Labels& target, const tsdb::Labels& group,
                                    const ScrapeConfig& cfg, const TargetLabelsOptions& opts = {},
                                    tsdb::relabel::LabelsBuilder* scratch = nullptr);

// Every target of cfg.static_configs, in order: {__address__ = target} with
// the entry's labels as the group labels.
std::vector<TargetLabels> static_target_labels(const ScrapeConfig& cfg,
                                               const TargetLabelsOptions& opts = {});

}  // namespace strata::scrape
