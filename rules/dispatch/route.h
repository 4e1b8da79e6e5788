// RoutingTree: Alertmanager's routing of an alert through the `route` tree
// of the notifications config. A route matches when all its matchers match;
// its children are tried in order and the first match stops the search
// unless that child has `continue: true`; a matching route none of whose
// children matches is a result itself. So every alert gets at least the
// root route (which has no matchers).
//
// Each node has Alertmanager's key: the root is "{}", a child is
// "<parent key>/{<its matchers>}"; the group key of an aggregation group is
// "<route key>:<group labels>" (e.g. `{}/{team="db"}:{alertname="Down"}`),
// which is what webhook payloads carry as groupKey and what the
// notification log is indexed by.
//
// Immutable after construction; the RouteConfig it was built from must
// outlive it. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rules/dispatch/config.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {

struct RouteNode {
  const RouteConfig* config = nullptr;
  std::string key;
  std::vector<std::unique_ptr<RouteNode>> children;

  bool matches(const tsdb::Labels& labels) const;
  // The labels the alert is grouped by on this route.
  tsdb::Labels group_labels(const tsdb::Labels& labels) const;
};

class RoutingTree {
 public:
  explicit RoutingTree(const RouteConfig& root);

  // The routes `labels` goes to, in tree order (never empty).
  std::vector<const RouteNode*> match(const tsdb::Labels& labels) const;
  const RouteNode& root() const { return *root_; }

 private:
  std::unique_ptr<RouteNode> root_;
};

// "<route key>:<group labels>", as above.
std::string group_key(const RouteNode& route, const tsdb::Labels& group_labels);

}  // namespace strata::rules::dispatch
