// stratatool: Strata's companion command line, in the spirit of promtool.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/stack.h"
#include "tools/promqltest/runner.h"
#include "tools/promqltest/script.h"

namespace {

constexpr const char* kUsage = R"(usage: stratatool <command> [flags] [args]

Strata's companion tool.

Commands:
  promqltest [--compat=v3|v2] [--skip-unsupported] [-v] FILE|DIR...
      Runs PromQL test scripts (Prometheus' promqltest language: load, clear,
      eval instant/range with expect lines, and the 2.x eval/eval_fail/
      eval_ordered forms) against an in-memory Strata engine. Prints failures
      as FILE:LINE and "N passed, N failed, N skipped"; exits 1 on failure.
      --compat=v2 follows Prometheus 2.x semantics (closed windows,
      holt_winters); --skip-unsupported counts evals that need native
      histograms as skipped instead of failed.
  help
      This text.
)";

int promqltest(int argc, char** argv) {
  strata::promqltest::RunOptions opts;
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--compat=v2") {
      opts.compat = strata::promql::Compat::kV2;
    } else if (a == "--compat=v3") {
      opts.compat = strata::promql::Compat::kV3;
    } else if (a == "--skip-unsupported") {
      opts.skip_unsupported = true;
    } else if (a == "-v" || a == "--verbose") {
      opts.verbose = true;
    } else if (a.rfind("-", 0) == 0) {
      std::fprintf(stderr, "stratatool promqltest: unknown flag %s\n", a.c_str());
      return 2;
    } else if (std::filesystem::is_directory(a)) {
      // A directory stands for its *.test files, in name order.
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.path().extension() == ".test") found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "stratatool promqltest: no test files given\n");
    return 2;
  }
  strata::promqltest::RunStats total;
  for (const std::string& f : files) {
    std::ifstream in(f);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", f.c_str());
      ++total.failed;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto script = strata::promqltest::parse_script(f, ss.str());
    if (!script.ok()) {
      std::printf("%s\n", std::string(script.status().message()).c_str());
      ++total.failed;
      continue;
    }
    strata::promqltest::Runner runner(opts);
    auto st = runner.run(*script);
    total.passed += st.passed;
    total.failed += st.failed;
    total.skipped += st.skipped;
  }
  std::printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return total.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  // Queries are parsed and evaluated on a thread with a server worker's stack,
  // so that nesting the server accepts is accepted here too.
  if (!std::strcmp(argv[1], "promqltest"))
    return strata::run_with_stack(strata::kQueryThreadStackBytes,
                                  [&] { return promqltest(argc - 2, argv + 2); });
  std::fprintf(stderr, "stratatool: unknown command \"%s\" (see stratatool help)\n", argv[1]);
  return 2;
}
