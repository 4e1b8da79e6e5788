// libFuzzer targets for what rules/ parses from files an operator writes,
// built from this file three times (RULES_FUZZ_TARGET 1, 2, 3):
//   1  rule files (rules/rule_file.h): any bytes give groups or errors, never
//      a crash; a file that validates has only rules with one name and an
//      expression;
//   2  alert templates (rules/template/): any text parses or fails; one that
//      parses expands within the output bound, twice to the same text;
//   3  the direct notifications' config (rules/dispatch/config.h).
//
// Seeds: seeds/<target>. Run with `make fuzz FUZZ_TARGETS=rule_file` etc.
// (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rules/dispatch/config.h"
#include "rules/rule_file.h"
#include "rules/template/alert_template.h"

namespace {

using namespace strata;

void rule_file(std::string_view text) {
  rules::ParsedRuleFile f = rules::parse_rule_file("fuzz.yml", text);
  if (!f.ok()) return;
  for (const auto& g : f.groups)
    for (const auto& r : g.rules)
      if (r.record.empty() == r.alert.empty() || r.expr.empty()) abort();
}

void alert_template(std::string_view text) {
  auto t = rules::AlertTemplate::parse("Fuzz", text);
  if (!t.ok()) return;
  rules::AlertTemplateData data;
  data.labels = tsdb::Labels::from_strings({"__name__", "up", "job", "api", "instance", "h:9090"});
  data.external_labels = tsdb::Labels::from_strings({"site", "lab"});
  data.external_url = "http://strata:9090";
  data.value = 0.25;
  const rules::TemplateQueryFn query = [](std::string_view, int64_t) {
    return absl::StatusOr<std::vector<rules::TemplateSample>>(
        std::vector<rules::TemplateSample>{{tsdb::Labels::from_strings({"a", "b"}), 1}});
  };
  rules::TemplateLimits limits;
  std::string a = t->expand(data, 1000, &query, limits);
  std::string b = t->expand(data, 1000, &query, limits);
  // An error text is the only thing that may exceed the output bound.
  if (a != b || (a.size() > limits.max_output_bytes + 4096)) abort();
}

void notifications_config(std::string_view text) {
  auto c = rules::dispatch::parse_config(text, "/tmp");
  (void)c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (RULES_FUZZ_TARGET == 1) rule_file(in);
  if (RULES_FUZZ_TARGET == 2) alert_template(in);
  if (RULES_FUZZ_TARGET == 3) notifications_config(in);
  return 0;
}
