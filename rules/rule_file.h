// Rule files in Prometheus' format (the `rule_files` of prometheus.yml,
// `promtool check rules`):
//
//   groups:
//     - name: api              # unique in the file
//       interval: 30s          # default: global evaluation_interval
//       query_offset: 1m       # Prometheus 3; default: none
//       limit: 10              # series / alerts per rule; 0 = no limit
//       rules:
//         - record: job:http_errors:rate5m
//           expr: sum by (job) (rate(http_errors_total[5m]))
//           labels: {team: api}
//         - alert: HighErrorRate
//           expr: job:http_errors:rate5m > 0.1
//           for: 5m
//           keep_firing_for: 2m
//           labels: {severity: page}
//           annotations: {summary: "{{ $labels.job }} fails"}
//
// parse_rule_file() reads and validates one file and reports every problem
// at once, each in the words of Prometheus 2.42's rulefmt so that a file
// promtool refuses is refused here with the same lines, e.g.
//   rules.yml: 6:15: group "api", rule 1, "job:up": could not parse expression: 1:17: ...
//   rules.yml: group "api", rule 3, "X": invalid label name: __name__
//   rules.yml: 23:5: groupname: "api" is repeated in the same file
//   rules.yml: yaml: unmarshal errors:\n  line 3: field foo not found in type rulefmt.RuleGroup
// (YAML syntax errors come from yaml-cpp, not Go's yaml.v3, and keep only
// the "yaml: line N:" prefix in common.)
//
// Expressions are parsed with the PromQL parser; templates of alerting rules
// are parsed (not executed) with rules/template/. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promql/parser/parser.h"

namespace strata::rules {

// A label or annotation as written; a rule's lists are sorted by name.
using KeyValue = std::pair<std::string, std::string>;

struct RuleNode {
  std::string record;  // exactly one of record / alert is set
  std::string alert;
  std::string expr;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  std::vector<KeyValue> labels;
  std::vector<KeyValue> annotations;

  const std::string& name() const { return alert.empty() ? record : alert; }
  bool is_alert() const { return !alert.empty(); }
};

struct RuleGroupNode {
  std::string name;
  int64_t interval_ms = 0;  // 0: the global evaluation_interval
  std::optional<int64_t> query_offset_ms;  // unset: global.rule_query_offset
  int64_t limit = 0;        // 0: no limit
  std::vector<RuleNode> rules;
};

struct RuleFileOptions {
  // Expressions are parsed with these. Compat::kV2 also means Prometheus
  // 2.x's names (metric and label names must match the classic
  // [a-zA-Z_:][a-zA-Z0-9_:]* forms; Prometheus 3 accepts any UTF-8) and
  // fields (no query_offset).
  promql::parser::ParseOptions parse;
};

struct ParsedRuleFile {
  std::string path;
  std::vector<RuleGroupNode> groups;
  // Every problem, each a full line prefixed with the path; empty = valid.
  std::vector<std::string> errors;

  bool ok() const { return errors.empty(); }
  size_t rule_count() const;
};

// Parses and validates `content`, read from `path` (used in messages).
ParsedRuleFile parse_rule_file(std::string path, std::string_view content,
                               const RuleFileOptions& opts = {});
// Reads the file first; a read error is the one error ("path: open path: ...").
ParsedRuleFile load_rule_file(const std::string& path, const RuleFileOptions& opts = {});

// The files matched by prometheus.yml's rule_files globs, sorted and
// deduplicated; a glob that is not a valid pattern is an error.
struct RuleFileList {
  std::vector<std::string> files;
  std::string error;
};
RuleFileList expand_rule_globs(const std::vector<std::string>& globs);

}  // namespace strata::rules
