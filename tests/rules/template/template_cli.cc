// Test helper: expands alert templates as Strata would, for the
// differential test against promtool (template_promtool_test.py).
// Input on stdin, one JSON-free record per line, fields separated by TAB:
//   <alertname> TAB <value> TAB <labels k=v;k=v (values \t \n \\ escaped)> TAB <template (escaped)>
// The `query` function answers "vector(N)" with one sample of value N.
// Output: one line per record, the expansion escaped the same way, or
// "PARSE_ERROR<TAB><message>".
#include <iostream>
#include <string>
#include <vector>

#include "base/float_format.h"
#include "rules/template/alert_template.h"

namespace {

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char c = s[++i];
      out.push_back(c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? p : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> f = split(line, '\t');
    if (f.size() != 4) {
      std::cout << "BAD_INPUT\n";
      continue;
    }
    strata::rules::AlertTemplateData data;
    data.value = strata::parse_go_float(f[1]).value_or(0);
    std::vector<strata::tsdb::Label> labels;
    if (!f[2].empty()) {
      for (const std::string& kv : split(f[2], ';')) {
        size_t eq = kv.find('=');
        labels.push_back({kv.substr(0, eq), unescape(kv.substr(eq + 1))});
      }
    }
    data.labels = strata::tsdb::Labels::from_unsorted(std::move(labels));
    auto t = strata::rules::AlertTemplate::parse(f[0], unescape(f[3]));
    if (!t.ok()) {
      std::cout << "PARSE_ERROR\t" << escape(std::string(t.status().message())) << "\n";
      continue;
    }
    // A stand-in for the PromQL engine: "vector(N)" is one sample without
    // labels (as promtool's engine answers), anything else is empty.
    strata::rules::TemplateQueryFn query =
        [](std::string_view q,
           int64_t) -> absl::StatusOr<std::vector<strata::rules::TemplateSample>> {
      std::vector<strata::rules::TemplateSample> out;
      if (q.starts_with("vector(") && q.ends_with(")")) {
        auto v = strata::parse_go_float(q.substr(7, q.size() - 8));
        if (v) out.push_back({strata::tsdb::Labels(), *v});
      }
      return out;
    };
    std::cout << escape(t->expand(data, 0, &query)) << "\n";
  }
  return 0;
}
