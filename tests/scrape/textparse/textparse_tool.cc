// textparse_tool: runs Strata's exposition parser over a file, for
// check_with_prometheus.py and for looking at what a body parses into.
//
//   textparse_tool [--dump] text|openmetrics FILE
//
// Prints the parse error (nothing when the body parses) and exits 0 either
// way; with --dump every entry is printed first, one a line (dump.h). Exit 2
// on bad usage or an unreadable file.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/scrape/textparse/dump.h"

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
  tp::testing::Parsed parsed =
      tp::testing::parse_all(fmt == "text" ? tp::Format::kPrometheusText : tp::Format::kOpenMetrics, body);
  if (dump) {
    for (const std::string& line : parsed.entries) std::cout << line << "\n";
  }
  if (!parsed.error.empty()) std::cout << parsed.error << "\n";
  return 0;
}
