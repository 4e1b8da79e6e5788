// A Grafana dashboard as the linter sees it: the parts of the JSON model that
// hold Prometheus queries (panels and their targets, annotations, template
// variables) and what is needed to resolve them (__inputs, datasources, the
// time range). Loaded from the JSON Grafana 9-11 exports: `panels` with the
// panels of collapsed rows nested in the row, legacy `rows[].panels`, the
// HTTP API's `{"dashboard": {...}}` wrapper, datasources written as a name
// string or as `{type, uid}`.
//
// Plain values, owned by the Dashboard; fields the linter does not need are
// not kept. Fields of an unexpected JSON type read as absent, except the
// query texts themselves, which become `problems` (a query that is not a
// string is a finding, not a reason to stop).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::dashlint {

// A `datasource` field: absent/null (the default datasource), a string (a
// datasource name, `${DS_X}` or `-- Mixed --`), or an object {type, uid}.
struct DatasourceRef {
  bool present = false;
  std::string type;  // objects only; "" when not given
  std::string uid;   // the object's uid or the string itself
};

struct Target {
  std::string ref_id;
  std::string expr;
  bool has_expr = false;  // `expr` present (Prometheus queries always have one)
  bool hide = false;
  DatasourceRef datasource;
};

struct Panel {
  int64_t id = 0;
  bool has_id = false;
  std::string title;
  std::string type;
  std::string min_interval;  // the panel's `interval` ("1m", ">10s", "$var", "")
  DatasourceRef datasource;
  std::vector<Target> targets;
};

struct Annotation {
  std::string name;
  std::string expr;
  bool has_expr = false;
  bool enabled = true;
  DatasourceRef datasource;
};

enum class VariableType { kQuery, kCustom, kConstant, kInterval, kTextbox, kDatasource, kAdhoc, kOther };

struct Variable {
  std::string name;
  VariableType type = VariableType::kOther;
  bool multi = false;
  bool include_all = false;
  std::optional<std::string> all_value;  // a custom "All" value (`allValue`), when non-empty
  std::vector<std::string> current;      // current.value: one or several; "$__all" for All
  std::vector<std::string> current_text;
  std::vector<std::string> options;  // option values other than "$__all"
  // The query (query variables: the string or `query.query`; custom: "a,b";
  // constant/textbox: the value; datasource: the plugin id, e.g. "prometheus").
  std::string query;
  DatasourceRef datasource;
};

// A datasource placeholder of `__inputs` (`${DS_PROMETHEUS}`).
struct Input {
  std::string name;
  std::string type;       // "datasource", "constant", ...
  std::string plugin_id;  // "prometheus" for a datasource input
  std::string value;      // constants
};

// Something in the JSON that cannot be linted as it stands, e.g. an `expr`
// that is not a string. Reported as errors at the given place.
struct LoadProblem {
  std::string where;  // e.g. `panel "CPU" (id 3) target A`
  std::string message;
};

struct Dashboard {
  std::string title;
  std::string uid;
  std::vector<Input> inputs;
  std::vector<Variable> variables;
  std::vector<Panel> panels;  // every panel with targets, rows flattened, in file order
  std::vector<Annotation> annotations;
  std::string time_from;  // `time.from`, e.g. "now-6h"
  std::vector<LoadProblem> problems;
};

// Parses a dashboard from JSON text. InvalidArgument with the JSON parser's
// position when it is not JSON, or when it is not an object.
absl::StatusOr<Dashboard> parse_dashboard(std::string_view json_text);

}  // namespace strata::dashlint
