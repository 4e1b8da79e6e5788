// Alertmanagers from service discovery, as Prometheus' notifier derives them
// (its AlertmanagerFromGroup): for each target of a group,
//   1. the target's labels, then __scheme__ = the config's scheme and
//      __alerts_path__ = path_prefix without trailing '/' + "/api/v2/alerts"
//      (both replacing what discovery set), then the group's labels where
//      the target has none of that name;
//   2. the config's relabel_configs run on that set; a dropped target is
//      listed as dropped, with its labels from before relabeling;
//   3. an empty __address__ after relabeling drops it too; an address with
//      a '/' is refused as Prometheus does (`"a/b" is not a valid
//      hostname`) and its whole group is left out (logged by the caller).
// The URL is __scheme__://__address__ + __alerts_path__. Within one
// alertmanagers config a URL is kept once (Prometheus de-duplicates).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "rules/config.h"
#include "scrape/discovery/target_group.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::notifier {

struct AlertmanagerTarget {
  tsdb::Labels labels;  // after relabeling (or before, for a dropped one)
  std::string url;      // where alerts are POSTed
};

struct AlertmanagerTargets {
  std::vector<AlertmanagerTarget> active;   // unique URLs, discovery order
  std::vector<AlertmanagerTarget> dropped;  // by relabeling or an empty address
  std::vector<std::string> errors;          // invalid addresses, Prometheus' words
};

// "/api/v2/alerts" under `path_prefix` (its trailing slashes removed).
std::string alerts_path(const std::string& path_prefix);

// scheme://address + path, from the labels above.
std::string alertmanager_url(const tsdb::Labels& labels);

// Every target of `groups` for `cfg`, in the order of the groups and their
// targets.
AlertmanagerTargets alertmanagers_from_groups(const std::vector<scrape::TargetGroup>& groups,
                                              const AlertmanagerConfig& cfg);

}  // namespace strata::rules::notifier
