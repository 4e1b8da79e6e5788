#include "rules/rule_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "base/duration.h"
#include "base/go_glob.h"
#include "base/go_yaml.h"
#include "absl/strings/str_join.h"
#include "base/go_quote.h"
#include "rules/template/alert_template.h"
#include "tsdb/storage.h"

namespace strata::rules {
namespace {

// Go's yaml.v3 decoding into rulefmt's types: type errors accumulate
// ("line N: cannot unmarshal !!seq into string"); an error of a custom
// unmarshaler (durations) aborts the whole decode with only its message.
struct Decoder {
  std::vector<std::string> terrors;
  std::optional<std::string> fatal;

  static int line(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

  // yaml.v3's resolved tag of a node, in its short form.
  std::string tag(const YAML::Node& n) {
    if (n.IsSequence()) return "!!seq";
    if (n.IsMap()) return "!!map";
    if (n.IsNull()) return "!!null";
    return scalar(n).tag;
  }

  // A scalar as yaml.v3 resolves it; an explicit tag that does not fit the
  // text fails the whole decode, as in Go.
  YamlScalar scalar(const YAML::Node& n) {
    YamlScalar v = resolve_yaml_scalar(n.Scalar(), n.Tag(), GoYaml::kV3);
    if (!v.decode_error.empty() && !fatal) fatal = "yaml: " + v.decode_error;
    return v;
  }

  void type_error(const YAML::Node& n, std::string_view into) {
    terrors.push_back(
        fmt::format("line {}: {}", line(n), yaml_type_error(tag(n), n.IsScalar() ? n.Scalar() : "", into)));
  }

  // A mapping's entries; unknown and repeated keys are type errors.
  std::vector<std::pair<std::string, YAML::Node>> fields(const YAML::Node& n,
                                                         std::initializer_list<std::string_view> known,
                                                         std::string_view type) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    std::vector<int> key_lines;
    if (n.IsNull()) return out;
    if (!n.IsMap()) {
      type_error(n, type);
      return out;
    }
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      auto prev = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == key; });
      if (prev != out.end()) {
        terrors.push_back(fmt::format("line {}: mapping key {} already defined at line {}",
                                      line(kv.first), go_quote(key), key_lines[prev - out.begin()]));
        continue;
      }
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        terrors.push_back(fmt::format("line {}: field {} not found in type {}", line(kv.first), key, type));
        continue;
      }
      out.emplace_back(key, kv.second);
      key_lines.push_back(line(kv.first));
    }
    return out;
  }

  std::string str(const YAML::Node& n) {
    if (n.IsNull()) return "";
    if (!n.IsScalar()) {
      type_error(n, "string");
      return "";
    }
    // Any plain or quoted scalar decodes into a Go string; an explicit tag
    // that does not fit the text ("!!int g") fails the decode (scalar()).
    if (n.Tag() != "?" && n.Tag() != "!") (void)scalar(n);
    return n.Scalar();
  }

  int64_t integer(const YAML::Node& n) {
    if (n.IsNull()) return 0;
    if (n.IsScalar())  // yaml.v3 into a Go int
      if (auto v = yaml_decode_int(scalar(n))) return *v;
    type_error(n, "int");
    return 0;
  }

  int64_t duration(const YAML::Node& n) {
    if (n.IsNull()) return 0;
    if (!n.IsScalar()) {
      type_error(n, "string");  // model.Duration unmarshals a string first
      return 0;
    }
    auto d = parse_duration(str(n));
    if (!d.ok() && !fatal) fatal = std::string(d.status().message());
    return d.ok() ? *d : 0;
  }

  std::vector<KeyValue> string_map(const YAML::Node& n) {
    std::map<std::string, std::string> m;
    if (n.IsNull()) return {};
    if (!n.IsMap()) {
      type_error(n, "map[string]string");
      return {};
    }
    for (const auto& kv : n) m[str(kv.first)] = str(kv.second);
    return {m.begin(), m.end()};
  }
};

// Where a rule's fields are in the file, for messages (0:0 when absent).
struct Pos {
  int line = 0, col = 0;
  static Pos of(const YAML::Node& n) {
    if (!n.IsDefined() || n.Mark().is_null()) return {};
    return {n.Mark().line + 1, n.Mark().column + 1};
  }
  std::string str() const { return fmt::format("{}:{}", line, col); }
};

struct RulePos {
  Pos record, alert, expr;
};

RuleNode decode_rule(Decoder& d, const YAML::Node& n, RulePos* pos) {
  RuleNode r;
  auto fs = d.fields(n, {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"},
                     "rulefmt.RuleNode");
  for (const auto& [k, value] : fs) {
    const YAML::Node& v = value;  // clang 14 cannot capture a structured binding
    // record, alert and expr are yaml.Nodes in rulefmt: any node is taken,
    // only a scalar has a value.
    auto node_value = [&](Pos* p) {
      *p = Pos::of(v);
      return v.IsScalar() ? v.Scalar() : std::string();
    };
    if (k == "record") r.record = node_value(&pos->record);
    else if (k == "alert") r.alert = node_value(&pos->alert);
    else if (k == "expr") r.expr = node_value(&pos->expr);
    else if (k == "for") r.for_ms = d.duration(v);
    else if (k == "keep_firing_for") r.keep_firing_for_ms = d.duration(v);
    else if (k == "labels") r.labels = d.string_map(v);
    else if (k == "annotations") r.annotations = d.string_map(v);
  }
  return r;
}

bool valid_label_name(std::string_view s, bool v3) {
  return v3 ? !s.empty() && tsdb::is_valid_utf8(s) : tsdb::is_valid_label_name(s);
}
bool valid_metric_name(std::string_view s, bool v3) {
  return v3 ? !s.empty() && tsdb::is_valid_utf8(s) : tsdb::is_valid_metric_name(s);
}

// rulefmt's RuleNode.Validate: the problems of one rule, each with the
// positions Prometheus puts in front ("" when it gives none).
std::vector<std::pair<std::string, std::string>> validate_rule(const RuleNode& r, const RulePos& p,
                                                               const RuleFileOptions& opts) {
  const bool v3 = opts.parse.compat == promql::Compat::kV3;
  std::vector<std::pair<std::string, std::string>> out;
  if (!r.record.empty() && !r.alert.empty())
    out.emplace_back(p.record.str() + ": " + p.alert.str(), "only one of 'record' and 'alert' must be set");
  if (r.record.empty() && r.alert.empty())
    out.emplace_back(p.record.str(), "one of 'record' or 'alert' must be set");
  if (r.expr.empty()) {
    out.emplace_back(p.expr.str(), "field 'expr' must be set in rule");
  } else if (auto e = promql::parser::parse_expr(r.expr, opts.parse); !e.ok()) {
    out.emplace_back(p.expr.str(), "could not parse expression: " + std::string(e.status().message()));
  }
  if (!r.record.empty()) {
    if (!r.annotations.empty())
      out.emplace_back(p.record.str(), "invalid field 'annotations' in recording rule");
    if (r.for_ms != 0) out.emplace_back(p.record.str(), "invalid field 'for' in recording rule");
    if (r.keep_firing_for_ms != 0)
      out.emplace_back(p.record.str(), "invalid field 'keep_firing_for' in recording rule");
    if (!valid_metric_name(r.record, v3))
      out.emplace_back(p.record.str(), "invalid recording rule name: " + r.record);
  }
  for (const auto& [k, v] : r.labels) {
    if (!valid_label_name(k, v3) || k == tsdb::kMetricName) out.emplace_back("", "invalid label name: " + k);
    if (!tsdb::is_valid_utf8(v)) out.emplace_back("", "invalid label value: " + v);
  }
  for (const auto& [k, v] : r.annotations)
    if (!valid_label_name(k, v3)) out.emplace_back("", "invalid annotation name: " + k);
  if (!r.alert.empty()) {
    for (const auto& [k, v] : r.labels)
      if (auto s = check_alert_template(r.alert, v); !s.ok())
        out.emplace_back("", fmt::format("label {}: {}", go_quote(k), std::string(s.message())));
    for (const auto& [k, v] : r.annotations)
      if (auto s = check_alert_template(r.alert, v); !s.ok())
        out.emplace_back("", fmt::format("annotation {}: {}", go_quote(k), std::string(s.message())));
  }
  return out;
}

}  // namespace

size_t ParsedRuleFile::rule_count() const {
  size_t n = 0;
  for (const auto& g : groups) n += g.rules.size();
  return n;
}

ParsedRuleFile parse_rule_file(std::string path, std::string_view content,
                               const RuleFileOptions& opts) {
  ParsedRuleFile out;
  out.path = std::move(path);
  const bool v3 = opts.parse.compat == promql::Compat::kV3;
  auto err = [&](const std::string& msg) { out.errors.push_back(out.path + ": " + msg); };

  YAML::Node root;
  try {
    root = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    err(fmt::format("yaml: line {}: {}", e.mark.is_null() ? 0 : e.mark.line + 1, e.msg));
    return out;
  }

  Decoder d;
  std::vector<Pos> group_pos;
  std::vector<std::vector<RulePos>> rule_pos;
  // rulefmt decodes twice: into its types, and into yaml.Nodes for the
  // groups' positions; a wrong shape of the document or of `groups` is
  // reported by both.
  std::vector<std::string> shape_errors;
  if (!root.IsNull() && !root.IsMap()) {
    d.type_error(root, "rulefmt.RuleGroups");
    shape_errors.push_back(d.terrors.back());
    shape_errors.back().replace(shape_errors.back().rfind("RuleGroups"), 10, "ruleGroups");
  }
  for (const auto& [k, groups] : d.fields(root.IsMap() ? root : YAML::Node(), {"groups"},
                                          "rulefmt.RuleGroups")) {
    if (groups.IsNull()) continue;
    if (!groups.IsSequence()) {
      d.type_error(groups, "[]rulefmt.RuleGroup");
      Decoder shape;
      shape.type_error(groups, "[]yaml.Node");
      shape_errors.push_back(shape.terrors.back());
      continue;
    }
    for (const auto& gn : groups) {
      RuleGroupNode g;
      group_pos.push_back(Pos::of(gn));
      rule_pos.emplace_back();
      auto fs = v3 ? d.fields(gn, {"name", "interval", "query_offset", "limit", "rules"}, "rulefmt.RuleGroup")
                   : d.fields(gn, {"name", "interval", "limit", "rules"}, "rulefmt.RuleGroup");
      for (const auto& [gk, gv] : fs) {
        if (gk == "name") g.name = d.str(gv);
        else if (gk == "interval") g.interval_ms = d.duration(gv);
        else if (gk == "query_offset") g.query_offset_ms = d.duration(gv);
        else if (gk == "limit") g.limit = d.integer(gv);
        else if (gk == "rules") {
          if (gv.IsNull()) continue;
          if (!gv.IsSequence()) {
            d.type_error(gv, "[]rulefmt.RuleNode");
            continue;
          }
          for (const auto& rn : gv) {
            rule_pos.back().emplace_back();
            g.rules.push_back(decode_rule(d, rn, &rule_pos.back().back()));
          }
        }
      }
      out.groups.push_back(std::move(g));
    }
  }
  if (d.fatal) {
    err(*d.fatal);
    return out;
  }
  if (!d.terrors.empty()) {
    err("yaml: unmarshal errors:\n  " + absl::StrJoin(d.terrors, "\n  "));
    if (!shape_errors.empty()) err("yaml: unmarshal errors:\n  " + absl::StrJoin(shape_errors, "\n  "));
    return out;
  }

  std::set<std::string> names;
  for (size_t gi = 0; gi < out.groups.size(); ++gi) {
    const RuleGroupNode& g = out.groups[gi];
    if (g.name.empty()) err(group_pos[gi].str() + ": Groupname must not be empty");
    if (!names.insert(g.name).second)
      err(fmt::format("{}: groupname: \"{}\" is repeated in the same file", group_pos[gi].str(), g.name));
    for (size_t ri = 0; ri < g.rules.size(); ++ri) {
      const RuleNode& r = g.rules[ri];
      for (const auto& [where, msg] : validate_rule(r, rule_pos[gi][ri], opts)) {
        std::string prefix = where.empty() ? "" : where + ": ";
        err(fmt::format("{}group {}, rule {}, {}: {}", prefix, go_quote(g.name), ri + 1,
                        go_quote(r.name()), msg));
      }
    }
  }
  return out;
}

ParsedRuleFile load_rule_file(const std::string& path, const RuleFileOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParsedRuleFile out;
    out.path = path;
    out.errors.push_back(fmt::format("{}: open {}: {}", path, path, std::strerror(errno)));
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_rule_file(path, ss.str(), opts);
}

RuleFileList expand_rule_globs(const std::vector<std::string>& globs) {
  RuleFileList out;
  std::set<std::string> seen;
  for (const auto& pattern : globs) {
    auto m = go_glob(pattern);  // unreadable or missing directories match nothing
    if (!m.ok()) {
      out.error = fmt::format("error retrieving rule files for {}: {}", pattern, std::string(m.status().message()));
      return out;
    }
    seen.insert(m->begin(), m->end());
  }
  out.files.assign(seen.begin(), seen.end());
  return out;
}

}  // namespace strata::rules
