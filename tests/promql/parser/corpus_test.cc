// Golden tests against the real Prometheus: every query of testdata/ was sent
// to Prometheus 2.42 (build_corpus.py); its parse errors and format_query
// output must be reproduced byte for byte in Compat::kV2. In Compat::kV3 the
// same answers are expected except where testdata/v3_differences.jsonl
// documents a Prometheus 3 change.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "promql/parser/parser.h"
#include "promql/parser/printer.h"

namespace strata::promql::parser {
namespace {

std::vector<nlohmann::json> read_jsonl(const std::string& name) {
  std::ifstream in(std::string(STRATA_PARSER_TESTDATA) + "/" + name);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

struct V3Difference {
  std::optional<std::string> error;
  std::optional<std::string> format;
};

std::map<std::string, V3Difference> v3_differences() {
  std::map<std::string, V3Difference> out;
  for (const auto& r : read_jsonl("v3_differences.jsonl")) {
    V3Difference d;
    if (r.contains("v3_error")) d.error = r["v3_error"].get<std::string>();
    if (r.contains("v3_format")) d.format = r["v3_format"].get<std::string>();
    out[r["query"].get<std::string>()] = d;
  }
  return out;
}

const ParseOptions kV2{Compat::kV2, false};
const ParseOptions kV3{Compat::kV3, false};

// What parsing `q` gives: the error message, or the pretty-printed query.
std::string outcome(const std::string& q, const ParseOptions& opts, bool* ok) {
  auto e = parse_expr(q, opts);
  *ok = e.ok();
  return e.ok() ? pretty(**e, opts.compat) : std::string(e.status().message());
}

TEST(CorpusTest, CorpusIsLargeEnough) {
  EXPECT_GE(read_jsonl("errors.jsonl").size(), 150u);
  EXPECT_GE(read_jsonl("format.jsonl").size(), 100u);
}

TEST(CorpusTest, ErrorsMatchPrometheus242) {
  for (const auto& row : read_jsonl("errors.jsonl")) {
    std::string q = row["query"];
    SCOPED_TRACE(q);
    bool ok;
    EXPECT_EQ(outcome(q, kV2, &ok), row["error"].get<std::string>());
    EXPECT_FALSE(ok);
  }
}

TEST(CorpusTest, FormatMatchesPrometheus242) {
  for (const auto& row : read_jsonl("format.jsonl")) {
    std::string q = row["query"];
    SCOPED_TRACE(q);
    bool ok;
    EXPECT_EQ(outcome(q, kV2, &ok), row["format"].get<std::string>());
    EXPECT_TRUE(ok);
  }
}

TEST(CorpusTest, Prometheus3DiffersOnlyWhereDocumented) {
  auto diffs = v3_differences();
  for (const char* file : {"errors.jsonl", "format.jsonl"}) {
    for (const auto& row : read_jsonl(file)) {
      std::string q = row["query"];
      SCOPED_TRACE(q);
      std::string want = row.contains("error") ? row["error"] : row["format"];
      bool want_ok = !row.contains("error");
      if (auto it = diffs.find(q); it != diffs.end()) {
        want_ok = it->second.format.has_value();
        want = want_ok ? *it->second.format : *it->second.error;
      }
      bool ok;
      EXPECT_EQ(outcome(q, kV3, &ok), want);
      EXPECT_EQ(ok, want_ok);
    }
  }
}

TEST(CorpusTest, PrintedQueriesParseBackToTheSameTree) {
  for (const auto& opts : {kV2, kV3}) {
    for (const auto& row : read_jsonl("format.jsonl")) {
      std::string q = row["query"];
      SCOPED_TRACE(q);
      auto e = parse_expr(q, opts);
      if (!e.ok()) continue;  // v3 may reject it (documented above)
      std::string once = to_string(**e, opts.compat);
      auto again = parse_expr(once, opts);
      ASSERT_TRUE(again.ok()) << once << ": " << again.status();
      EXPECT_EQ(to_string(**again, opts.compat), once);
      // The pretty form parses to the same tree too.
      auto pretty_again = parse_expr(pretty(**e, opts.compat), opts);
      ASSERT_TRUE(pretty_again.ok()) << pretty_again.status();
      EXPECT_EQ(to_string(**pretty_again, opts.compat), once);
    }
  }
}

TEST(CorpusTest, MetricSelectorsMatchPrometheus242) {
  for (const auto& row : read_jsonl("selectors.jsonl")) {
    std::string q = row["query"];
    SCOPED_TRACE(q);
    auto m = parse_metric_selector(q, kV2);
    if (row.contains("error")) {
      ASSERT_FALSE(m.ok());
      EXPECT_EQ(m.status().message(), row["error"].get<std::string>());
    } else {
      EXPECT_TRUE(m.ok()) << m.status();
    }
  }
}

}  // namespace
}  // namespace strata::promql::parser
