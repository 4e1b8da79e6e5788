// Alertmanager target labels and URLs (rules/notifier/alertmanager_targets.h).
#include "rules/notifier/alertmanager_targets.h"

#include <algorithm>

#include "tsdb/labels/relabel.h"

namespace strata::rules::notifier {
namespace {

constexpr std::string_view kAddressLabel = "__address__";
constexpr std::string_view kSchemeLabel = "__scheme__";
constexpr std::string_view kAlertsPathLabel = "__alerts_path__";

}  // namespace

std::string alerts_path(const std::string& path_prefix) {
  std::string p = path_prefix;
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p + "/api/v2/alerts";
}

std::string alertmanager_url(const tsdb::Labels& labels) {
  std::string url(labels.get(kSchemeLabel));
  url += "://";
  url += labels.get(kAddressLabel);
  const std::string_view path = labels.get(kAlertsPathLabel);
  // Go's url.URL.String() puts a '/' before a relative path after a host.
  if (!path.empty() && path.front() != '/') url.push_back('/');
  url += path;
  return url;
}

AlertmanagerTargets alertmanagers_from_groups(const std::vector<scrape::TargetGroup>& groups,
                                              const AlertmanagerConfig& cfg) {
  AlertmanagerTargets out;
  const std::string path = alerts_path(cfg.path_prefix);
  tsdb::relabel::LabelsBuilder lb;
  std::vector<AlertmanagerTarget> active, dropped;
  for (const auto& g : groups) {
    active.clear();
    dropped.clear();
    bool failed = false;
    for (const auto& target : g.targets) {
      lb.reset(target);
      lb.set(kSchemeLabel, cfg.scheme);
      lb.set(kAlertsPathLabel, path);
      for (const auto& l : g.labels)
        if (!target.has(l.name)) lb.set(l.name, l.value);
      tsdb::Labels before = lb.labels();
      if (!tsdb::relabel::process(lb, cfg.relabel_configs) || lb.get(kAddressLabel).empty()) {
        std::string url = alertmanager_url(before);
        dropped.push_back({std::move(before), std::move(url)});
        continue;
      }
      const std::string_view addr = lb.get(kAddressLabel);
      if (addr.find('/') != std::string_view::npos) {
        out.errors.push_back(tsdb::go_quote(addr) + " is not a valid hostname");
        failed = true;
        break;
      }
      tsdb::Labels after = lb.labels();
      std::string url = alertmanager_url(after);
      active.push_back({std::move(after), std::move(url)});
    }
    if (failed) continue;  // as Prometheus: the whole group is left out
    for (auto& am : active) {
      if (std::any_of(out.active.begin(), out.active.end(),
                      [&](const AlertmanagerTarget& o) { return o.url == am.url; }))
        continue;
      out.active.push_back(std::move(am));
    }
    for (auto& am : dropped) out.dropped.push_back(std::move(am));
  }
  return out;
}

}  // namespace strata::rules::notifier
