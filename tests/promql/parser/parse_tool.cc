// Developer tool: parses queries read from stdin (one per line; `json:"..."`
// lines hold JSON-encoded queries, as in testdata/queries.txt) and prints one JSON object per line: {"query", "status", "data" or
// "error"} in the shape prom_oracle.py prints for Prometheus'
// /api/v1/format_query, so the two can be diffed while building testdata.
// Usage: promql_parse_tool [v2|v3] [experimental] < queries.txt
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "promql/parser/go_format.h"
#include "promql/parser/parser.h"
#include "promql/parser/printer.h"

using namespace strata::promql;

namespace {

std::string decode(const std::string& line) {
  if (line.rfind("json:", 0) == 0) return nlohmann::json::parse(line.substr(5)).get<std::string>();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  parser::ParseOptions opts;
  opts.compat = Compat::kV2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "v3") opts.compat = Compat::kV3;
    if (a == "experimental") opts.experimental_functions = true;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::string q = decode(line);
    auto e = parser::parse_expr(q, opts);
    std::cout << "{\"query\": " << strata::go_quote(line);
    if (e.ok()) {
      std::cout << ", \"status\": \"success\", \"data\": "
                << strata::go_quote(parser::pretty(**e, opts.compat)) << "}\n";
    } else {
      std::cout << ", \"status\": \"error\", \"error\": "
                << strata::go_quote("invalid parameter \"query\": " +
                                    std::string(e.status().message()))
                << "}\n";
    }
  }
}
