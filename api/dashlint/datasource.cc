#include "api/dashlint/datasource.h"

namespace strata::dashlint {
namespace {

// NAME of `${NAME}`, `$NAME` or `[[NAME]]` (a ${NAME:format} too), or "".
std::string placeholder_name(const std::string& uid) {
  std::string_view s = uid;
  if (s.starts_with("${") && s.ends_with("}")) s = s.substr(2, s.size() - 3);
  else if (s.starts_with("[[") && s.ends_with("]]")) s = s.substr(2, s.size() - 4);
  else if (s.starts_with("$")) s = s.substr(1);
  else return "";
  s = s.substr(0, s.find(':'));
  return std::string(s);
}

}  // namespace

DatasourceResolver::DatasourceResolver(const Dashboard& d, const std::vector<std::string>& known_uids)
    : known_uids_(known_uids.begin(), known_uids.end()) {
  for (const Input& i : d.inputs)
    if (i.type == "datasource") placeholders_.emplace(i.name, i.plugin_id == "prometheus");
  for (const Variable& v : d.variables)
    if (v.type == VariableType::kDatasource) placeholders_.emplace(v.name, v.query == "prometheus");
}

ResolvedDatasource DatasourceResolver::resolve(const DatasourceRef& ref) const {
  ResolvedDatasource r;
  if (!ref.present) return r;
  const std::string& uid = ref.uid;
  if (uid == "-- Mixed --") {
    r.kind = DatasourceKind::kMixed;
    return r;
  }
  if (uid == "-- Grafana --" || uid == "grafana" || uid == "-- Dashboard --") {
    r.kind = DatasourceKind::kBuiltin;
    return r;
  }
  bool typed_other = !ref.type.empty() && ref.type != "prometheus" && ref.type != "datasource" &&
                     ref.type.find('$') == std::string::npos;
  if (uid.empty() || uid == "default") {
    if (typed_other) r.kind = DatasourceKind::kOther;
    return r;
  }
  if (std::string name = placeholder_name(uid); !name.empty()) {
    auto it = placeholders_.find(name);
    if (it == placeholders_.end()) {
      r.unresolved = true;
      r.severity = Severity::kError;
      r.problem = "datasource " + uid + " does not resolve: \"" + name +
                  "\" is neither a datasource in __inputs nor a datasource variable";
      return r;
    }
    if (!it->second || typed_other) r.kind = DatasourceKind::kOther;
    return r;
  }
  if (typed_other) {
    r.kind = DatasourceKind::kOther;
    return r;
  }
  if (known_uids_.count(uid)) return r;
  r.unresolved = true;
  r.severity = Severity::kWarning;
  r.problem = "datasource \"" + uid +
              "\" does not resolve: a literal uid or name exists only in the Grafana the dashboard "
              "came from; use an __inputs placeholder (${DS_PROMETHEUS}) or a datasource variable, "
              "or pass --datasource-uid=" + uid + " if it exists where the dashboard goes";
  return r;
}

}  // namespace strata::dashlint
