#include "api/dashlint/dashboard.h"

#include <nlohmann/json.hpp>

namespace strata::dashlint {
namespace {

using Json = nlohmann::json;

// The string at `key`, or "" when absent or not a string.
std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool boolean(const Json& j, const char* key, bool dflt) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : dflt;
}

// A scalar as Grafana shows it in a variable's value: strings as they are,
// numbers and booleans as JSON writes them.
std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

// A string or an array of strings (current.value, current.text).
std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (it->is_array()) {
    for (const Json& v : *it)
      if (auto s = scalar_text(v)) out.push_back(*s);
  } else if (auto s = scalar_text(*it)) {
    out.push_back(*s);
  }
  return out;
}

DatasourceRef datasource(const Json& j) {
  DatasourceRef ref;
  auto it = j.find("datasource");
  if (it == j.end() || it->is_null()) return ref;
  if (it->is_string()) {
    ref.present = true;
    ref.uid = it->get<std::string>();
  } else if (it->is_object()) {
    ref.present = true;
    ref.type = str(*it, "type");
    ref.uid = str(*it, "uid");
    // {"type": "prometheus"} alone names the default datasource of that type.
    if (ref.uid.empty() && ref.type.empty()) ref.present = false;
  }
  return ref;
}

std::string panel_where(const Panel& p) {
  std::string w = "panel \"" + p.title + "\"";
  if (p.has_id) w += " (id " + std::to_string(p.id) + ")";
  return w;
}

void add_panel(const Json& j, Dashboard* d) {
  if (!j.is_object()) return;
  auto nested = j.find("panels");
  bool is_row = str(j, "type") == "row";
  if (!is_row) {
    Panel p;
    auto id = j.find("id");
    if (id != j.end() && id->is_number_integer()) {
      p.id = id->get<int64_t>();
      p.has_id = true;
    }
    p.title = str(j, "title");
    p.type = str(j, "type");
    p.min_interval = str(j, "interval");
    p.datasource = datasource(j);
    auto targets = j.find("targets");
    if (targets != j.end() && targets->is_array()) {
      for (const Json& t : *targets) {
        if (!t.is_object()) continue;
        Target tg;
        tg.ref_id = str(t, "refId");
        tg.hide = boolean(t, "hide", false);
        tg.datasource = datasource(t);
        auto e = t.find("expr");
        if (e != t.end() && !e->is_null()) {
          tg.has_expr = true;
          if (e->is_string()) {
            tg.expr = e->get<std::string>();
          } else {
            d->problems.push_back({panel_where(p) + " target " + tg.ref_id,
                                   "expr is not a string: " + e->dump()});
            tg.has_expr = false;
          }
        }
        p.targets.push_back(std::move(tg));
      }
    }
    d->panels.push_back(std::move(p));
  }
  // Collapsed rows keep their panels inside; an expanded row has none.
  if (nested != j.end() && nested->is_array())
    for (const Json& c : *nested) add_panel(c, d);
}

VariableType variable_type(const std::string& t) {
  if (t == "query") return VariableType::kQuery;
  if (t == "custom") return VariableType::kCustom;
  if (t == "constant") return VariableType::kConstant;
  if (t == "interval") return VariableType::kInterval;
  if (t == "textbox") return VariableType::kTextbox;
  if (t == "datasource") return VariableType::kDatasource;
  if (t == "adhoc") return VariableType::kAdhoc;
  return VariableType::kOther;
}

void add_variable(const Json& j, Dashboard* d) {
  if (!j.is_object()) return;
  Variable v;
  v.name = str(j, "name");
  v.type = variable_type(str(j, "type"));
  v.multi = boolean(j, "multi", false);
  v.include_all = boolean(j, "includeAll", false);
  std::string all = str(j, "allValue");
  if (!all.empty()) v.all_value = all;
  auto cur = j.find("current");
  if (cur != j.end() && cur->is_object()) {
    v.current = strings(*cur, "value");
    v.current_text = strings(*cur, "text");
  }
  auto opts = j.find("options");
  if (opts != j.end() && opts->is_array()) {
    for (const Json& o : *opts) {
      if (!o.is_object()) continue;
      auto val = o.find("value");
      if (val == o.end()) continue;
      if (auto s = scalar_text(*val); s && *s != "$__all") v.options.push_back(*s);
    }
  }
  auto q = j.find("query");
  if (q != j.end()) {
    if (q->is_string()) {
      v.query = q->get<std::string>();
    } else if (q->is_object()) {
      v.query = str(*q, "query");  // Grafana 10+: {query, refId, qryType}
    } else if (!q->is_null() && v.type == VariableType::kQuery) {
      d->problems.push_back({"variable \"" + v.name + "\"", "query is not a string: " + q->dump()});
    }
  }
  // Dashboards from older Grafanas keep the query text in `definition` only.
  if (v.query.empty() && v.type == VariableType::kQuery) v.query = str(j, "definition");
  v.datasource = datasource(j);
  d->variables.push_back(std::move(v));
}

void add_annotation(const Json& j, Dashboard* d) {
  if (!j.is_object()) return;
  Annotation a;
  a.name = str(j, "name");
  a.enabled = boolean(j, "enable", true);
  a.datasource = datasource(j);
  auto e = j.find("expr");
  if (e != j.end() && !e->is_null()) {
    if (e->is_string()) {
      a.has_expr = true;
      a.expr = e->get<std::string>();
    } else {
      d->problems.push_back({"annotation \"" + a.name + "\"", "expr is not a string: " + e->dump()});
    }
  }
  d->annotations.push_back(std::move(a));
}

// A list nested as {key: {list: [...]}} (templating, annotations).
const Json* list_of(const Json& root, const char* key) {
  auto it = root.find(key);
  if (it == root.end() || !it->is_object()) return nullptr;
  auto l = it->find("list");
  return l != it->end() && l->is_array() ? &*l : nullptr;
}

}  // namespace

absl::StatusOr<Dashboard> parse_dashboard(std::string_view json_text) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) return absl::InvalidArgumentError("invalid dashboard: not a JSON object");
  // The HTTP API's GET /api/dashboards/uid/... answer wraps the model.
  const Json* root = &doc;
  auto wrapped = doc.find("dashboard");
  if (wrapped != doc.end() && wrapped->is_object() && !doc.contains("panels") &&
      !doc.contains("rows"))
    root = &*wrapped;

  Dashboard d;
  d.title = str(*root, "title");
  d.uid = str(*root, "uid");
  auto time = root->find("time");
  if (time != root->end() && time->is_object()) d.time_from = str(*time, "from");
  auto inputs = root->find("__inputs");
  if (inputs != root->end() && inputs->is_array()) {
    for (const Json& i : *inputs) {
      if (!i.is_object()) continue;
      d.inputs.push_back({str(i, "name"), str(i, "type"), str(i, "pluginId"), str(i, "value")});
    }
  }
  if (const Json* vars = list_of(*root, "templating"))
    for (const Json& v : *vars) add_variable(v, &d);
  if (const Json* anns = list_of(*root, "annotations"))
    for (const Json& a : *anns) add_annotation(a, &d);
  auto panels = root->find("panels");
  if (panels != root->end() && panels->is_array())
    for (const Json& p : *panels) add_panel(p, &d);
  // Schema versions before 16 (Grafana 4) held panels in rows.
  auto rows = root->find("rows");
  if (rows != root->end() && rows->is_array()) {
    for (const Json& r : *rows) {
      if (!r.is_object()) continue;
      auto rp = r.find("panels");
      if (rp != r.end() && rp->is_array())
        for (const Json& p : *rp) add_panel(p, &d);
    }
  }
  return d;
}

}  // namespace strata::dashlint
