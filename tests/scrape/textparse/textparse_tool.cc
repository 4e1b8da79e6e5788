// textparse_tool: runs Strata's exposition parser over a file, for
// check_with_prometheus.py and for looking at what a body parses into.
//
//   textparse_tool [--dump] text|openmetrics FILE
//
// Prints the parse error (nothing when the body parses) and exits 0 either
// way; with --dump every entry is printed first, one a line. Exit 2 on bad
// usage or an unreadable file.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "scrape/textparse/parser.h"

namespace tp = strata::scrape::textparse;

int main(int argc, char** argv) {
  bool dump = false;
  int arg = 1;
  if (arg < argc && std::string(argv[arg]) == "--dump") {
    dump = true;
    ++arg;
  }
  if (argc - arg != 2) {
    std::cerr << "usage: textparse_tool [--dump] text|openmetrics FILE\n";
    return 2;
  }
  std::string fmt = argv[arg];
  if (fmt != "text" && fmt != "openmetrics") {
    std::cerr << "unknown format " << fmt << "\n";
    return 2;
  }
  std::ifstream in(argv[arg + 1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << argv[arg + 1] << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  auto p = tp::Parser::create(fmt == "text" ? tp::Format::kPrometheusText : tp::Format::kOpenMetrics, body);
  std::vector<strata::tsdb::LabelView> labels;
  tp::ParsedExemplar ex;
  for (;;) {
    auto e = p->next();
    if (!e.ok()) {
      std::cout << e.status().message() << "\n";
      return 0;
    }
    if (*e == tp::Entry::kEof) return 0;
    if (!dump) continue;
    std::string line;
    switch (*e) {
      case tp::Entry::kSeries: {
        labels.clear();
        p->labels(&labels);
        line = "series ";
        for (auto& [n, v] : labels) line += strata::go_quote(n) + "=" + strata::go_quote(v) + " ";
        strata::append_float_go_g(&line, p->value());
        if (p->timestamp_ms()) line += " @" + std::to_string(*p->timestamp_ms());
        if (p->exemplar(&ex)) {
          line += " # {";
          for (auto& [n, v] : ex.labels) line += strata::go_quote(n) + "=" + strata::go_quote(v) + " ";
          line += "} ";
          strata::append_float_go_g(&line, ex.value);
          if (ex.t_ms) line += " @" + std::to_string(*ex.t_ms);
        }
        break;
      }
      case tp::Entry::kType:
        line = "type " + strata::go_quote(p->metric_family()) + " " + tp::metric_type_name(p->type());
        break;
      case tp::Entry::kHelp:
        line = "help " + strata::go_quote(p->metric_family()) + " " + strata::go_quote(p->help());
        break;
      case tp::Entry::kUnit:
        line = "unit " + strata::go_quote(p->metric_family()) + " " + strata::go_quote(p->unit());
        break;
      case tp::Entry::kComment:
        line = "comment " + strata::go_quote(p->comment());
        break;
      case tp::Entry::kEof:
        break;
    }
    std::cout << line << "\n";
  }
}
