#include "api/dashlint/variable_query.h"

namespace strata::dashlint {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_label_char(char c) { return is_label_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

VariableQuery parse_variable_query(std::string_view q) {
  int b = 0, e = int(q.size());
  while (b < e && is_blank(q[b])) ++b;
  while (e > b && is_blank(q[e - 1])) --e;
  VariableQuery out;
  out.arg_start = b;
  out.arg_end = e;
  std::string_view t = q.substr(b, e - b);
  struct Func {
    std::string_view prefix;
    VariableQueryKind kind;
  };
  static constexpr Func kFuncs[] = {
      {"label_names(", VariableQueryKind::kLabelNames},
      {"label_values(", VariableQueryKind::kLabelValues},
      {"metrics(", VariableQueryKind::kMetrics},
      {"query_result(", VariableQueryKind::kQueryResult},
  };
  for (const Func& f : kFuncs) {
    if (!t.starts_with(f.prefix) || !t.ends_with(")")) continue;
    int as = b + int(f.prefix.size()), ae = e - 1;  // inside the parentheses
    out.kind = f.kind;
    out.arg_start = as;
    out.arg_end = ae;
    if (f.kind == VariableQueryKind::kLabelValues) {
      // (?:(.+),\s*)?(label): the label is the last word; what precedes its
      // last comma is the selector.
      int le = ae;
      while (le > as && is_blank(q[le - 1])) --le;
      int ls = le;
      while (ls > as && is_label_char(q[ls - 1])) --ls;
      // Not a label name: Grafana's pattern does not match, the whole text
      // goes to /api/v1/series.
      if (ls == le || !is_label_start(q[ls])) {
        out.kind = VariableQueryKind::kSeries;
        out.arg_start = b;
        out.arg_end = e;
        return out;
      }
      out.label = std::string(q.substr(ls, le - ls));
      int k = ls;
      while (k > as && is_blank(q[k - 1])) --k;
      if (k > as && q[k - 1] == ',') {
        out.arg_end = k - 1;
      } else {
        out.arg_start = out.arg_end = ls;  // label_values(label)
      }
    }
    while (out.arg_start < out.arg_end && is_blank(q[out.arg_start])) ++out.arg_start;
    while (out.arg_end > out.arg_start && is_blank(q[out.arg_end - 1])) --out.arg_end;
    // Grafana's patterns need an argument here ((.+)); without one the text
    // is a series selector (and a bad one).
    if (out.arg_start == out.arg_end &&
        (f.kind == VariableQueryKind::kQueryResult || f.kind == VariableQueryKind::kMetrics)) {
      out.kind = VariableQueryKind::kSeries;
      out.arg_start = b;
      out.arg_end = e;
    }
    return out;
  }
  return out;
}

}  // namespace strata::dashlint
