// lint_main(): files in, findings out, exit status (see lint_main.h).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/dashlint/lint_main.h"

namespace strata::dashlint {
namespace {

// The files to lint: a directory stands for its *.json files, in name order.
std::vector<std::string> expand(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(a, ec))
        if (e.path().extension() == ".json") found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

absl::StatusOr<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return absl::InvalidArgumentError("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open: " + std::string(std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError("read error");
  return ss.str();
}

}  // namespace

int lint_main(const std::vector<std::string>& files, MainOptions opts) {
  std::optional<ServerFacts> facts;
  if (!opts.url.empty()) {
    // 30 s per request: a metadata dump of a large server takes a while.
    auto f = fetch_server_facts(opts.url, 30'000);
    if (!f.ok()) {
      std::fprintf(stderr, "stratatool lint dashboard: %s\n", std::string(f.status().message()).c_str());
      return 2;
    }
    facts = std::move(*f);
    if (facts->scrape_interval_ms && !opts.scrape_interval_given)
      opts.lint.scrape_interval_ms = *facts->scrape_interval_ms;
    opts.lint.server = &*facts;
  }
  std::vector<Finding> findings;
  std::vector<FileFailure> failures;
  for (const std::string& file : expand(files)) {
    auto text = read_file(file);
    absl::StatusOr<Dashboard> d = text.ok() ? parse_dashboard(*text) : text.status();
    if (!d.ok()) {
      failures.push_back({file, std::string(d.status().message())});
      if (!opts.json) std::fprintf(stderr, "%s: %s\n", file.c_str(), failures.back().message.c_str());
      continue;
    }
    std::vector<Finding> f = lint_dashboard(*d, file, opts.lint);
    if (!opts.json)
      for (const Finding& x : f) std::printf("%s\n", format_text(x).c_str());
    findings.insert(findings.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  }
  if (opts.json) std::fputs(format_json(findings, failures).c_str(), stdout);
  std::fflush(stdout);
  if (!failures.empty()) return 2;
  bool errors = std::any_of(findings.begin(), findings.end(),
                            [](const Finding& f) { return f.severity == Severity::kError; });
  if (errors || (opts.strict && !findings.empty())) return 1;
  return 0;
}

}  // namespace strata::dashlint
