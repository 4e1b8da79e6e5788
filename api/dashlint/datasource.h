// Which datasource a panel, target, annotation or variable queries, decided
// as Grafana does from the JSON alone.
//
// A reference resolves when it is
//  * absent or null, "default", or {"type": "prometheus"} without a uid: the
//    default datasource, taken to be Prometheus (what the linter is for);
//  * Grafana's built-ins "-- Mixed --", "-- Grafana --"/"grafana" and
//    "-- Dashboard --" (their own targets are not PromQL and are skipped);
//  * a placeholder `${NAME}`, `$NAME` or `[[NAME]]` where NAME is a
//    datasource entry of `__inputs` (filled in on import) or a datasource
//    template variable; it is Prometheus when that input's pluginId or the
//    variable's plugin type is "prometheus", else another datasource whose
//    queries are skipped;
//  * a literal uid or name given with --datasource-uid (they exist in the
//    Grafana the dashboard is for).
// A placeholder naming nothing is an error: Grafana shows "datasource not
// found" on every panel using it. Any other literal uid or name is a
// warning, reported once per dashboard: it only resolves in the Grafana the
// dashboard was exported from. Objects with another `type` (loki, ...) are
// other datasources and skipped.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/dashlint/dashboard.h"
#include "api/dashlint/finding.h"

namespace strata::dashlint {

enum class DatasourceKind { kPrometheus, kOther, kMixed, kBuiltin };

struct ResolvedDatasource {
  DatasourceKind kind = DatasourceKind::kPrometheus;
  bool unresolved = false;  // then `severity` and `problem` say why
  Severity severity = Severity::kWarning;
  std::string problem;
};

class DatasourceResolver {
 public:
  DatasourceResolver(const Dashboard& d, const std::vector<std::string>& known_uids);
  ResolvedDatasource resolve(const DatasourceRef& ref) const;

 private:
  // Placeholder name -> whether it stands for Prometheus.
  std::unordered_map<std::string, bool> placeholders_;
  std::unordered_set<std::string> known_uids_;
};

}  // namespace strata::dashlint
