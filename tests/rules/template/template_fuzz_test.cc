// Randomized: the lexer, parser and executor never crash, never hang and
// respect the output bound on generated templates (fragments of the
// grammar, recombined and mutated) and on random bytes. Seeded, so a
// failure reproduces; the seed is printed.
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules/template/alert_template.h"

namespace strata::rules {
namespace {

const std::vector<std::string> kFragments = {
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "$value",
    "$labels",
    ".Labels",
    ".Value",
    "$",
    ".",
    "$x := ",
    "$x = ",
    "$x",
    "if ",
    "else ",
    "end",
    "range ",
    "with ",
    "break",
    "continue",
    "define \"d\"",
    "template \"d\" ",
    "block \"b\" .",
    "(",
    ")",
    "|",
    "\"s\"",
    "`raw`",
    "'c'",
    "1",
    "-1.5",
    "1e308",
    "0x1F",
    "nil",
    "true",
    "printf \"%d%s%v%08.3f%[2]x%*d\" ",
    "humanize ",
    "humanizeDuration ",
    "humanizeTimestamp ",
    "toTime ",
    "index ",
    "slice ",
    "len ",
    "eq ",
    "lt ",
    "and ",
    "or ",
    "not ",
    "args ",
    "query \"up\" ",
    "first ",
    "label \"a\" ",
    "reReplaceAll \"(a*)*\" \"$1\" ",
    "match \"[\" ",
    "title ",
    "toUpper ",
    "js ",
    "html ",
    "urlquery ",
    "print ",
    "println ",
    "stripDomain ",
    "parseDuration \"5m\" ",
    "sortByLabel \"a\" ",
    "{{/* c */}}",
    "/*",
    "*/",
    "\n",
    "é",
    "\xff",
    ",",
    ":=",
    "=",
    "text ",
};

void check(const std::string& text, const TemplateQueryFn& q, const TemplateLimits& limits) {
  absl::StatusOr<AlertTemplate> t = AlertTemplate::parse("Fuzz", text);
  if (!t.ok()) {
    ASSERT_EQ(std::string(t.status().message()).rfind("template: __alert_Fuzz", 0), 0u)
        << text << " -> " << t.status();
    return;
  }
  AlertTemplateData d;
  d.labels = tsdb::Labels::from_strings({"a", "x", "b", "y"});
  d.value = 1.5;
  absl::StatusOr<std::string> r = t->execute(d, 0, &q, limits);
  if (r.ok()) {
    ASSERT_LE(r->size(), limits.max_output_bytes) << text;
  } else {
    ASSERT_EQ(std::string(r.status().message()).rfind("template: __alert_Fuzz", 0), 0u)
        << text << " -> " << r.status();
  }
}

TEST(TemplateFuzzTest, GeneratedTemplatesNeverCrash) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  TemplateQueryFn q = [](std::string_view, int64_t) -> absl::StatusOr<std::vector<TemplateSample>> {
    return std::vector<TemplateSample>{{tsdb::Labels::from_strings({"a", "1"}), 2},
                                       {tsdb::Labels::from_strings({"a", "0"}), 3}};
  };
  TemplateLimits limits;
  limits.max_output_bytes = 4096;
  limits.max_steps = 20000;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int n = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) text += kFragments[rng() % kFragments.size()];
    check(text, q, limits);
    // Random bytes, mostly printable ASCII.
    std::string raw;
    int m = static_cast<int>(rng() % 40);
    for (int k = 0; k < m; ++k) {
      raw.push_back(rng() % 8 == 0 ? static_cast<char>(rng() % 256)
                                   : static_cast<char>(' ' + rng() % 95));
    }
    check("{{" + raw + "}}", q, limits);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace strata::rules
