// Version and build facts of this binary, for --version, the startup log,
// strata_build_info and /api/v1/status/buildinfo. The values come from CMake
// (project version, git revision and branch, build user) and the compiler
// (build date); only build_info.cc sees those definitions, so a new commit
// recompiles one file. Immutable; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace strata::server {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string revision;    // git commit
  std::string branch;      // git branch
  std::string build_user;  // "user@host"
  std::string build_date;  // "20261123-00:39:40", Prometheus' format
  std::string compiler;    // "gcc 12.2.0" — shown where Prometheus shows goVersion
  std::string platform;    // "linux/amd64"
};

const BuildInfo& build_info();

// The --version text, shaped like Prometheus':
//   strata, version 0.1.0 (branch: main, revision: 173e997...)
//     build user:       root@host
//     ...
// `program` names the binary in the first line (stratatool shares the text).
std::string version_text(std::string_view program = "strata");
// "(version=0.1.0, branch=main, revision=...)" for the startup log line.
std::string version_summary();
// "(compiler=gcc 12.2.0, platform=linux/amd64, user=..., date=...)".
std::string build_context();

}  // namespace strata::server
