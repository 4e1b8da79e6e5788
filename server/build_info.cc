#include "server/build_info.h"

#include <cstdio>
#include <cstring>

#include "fmt/format.h"
#include "server/build_revision.h"  // generated: STRATA_REVISION, STRATA_BRANCH

#ifndef STRATA_VERSION
#error "STRATA_VERSION must be defined by the build"
#endif
#ifndef STRATA_BUILD_USER
#define STRATA_BUILD_USER ""
#endif

namespace strata::server {
namespace {

// __DATE__ ("Nov 23 2026") and __TIME__ ("00:39:40") as "20261123-00:39:40".
std::string build_date() {
  static const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char* date = __DATE__;
  char mon[4] = {date[0], date[1], date[2], 0};
  const char* p = std::strstr(kMonths, mon);
  int month = p ? int(p - kMonths) / 3 + 1 : 0;
  int day = (date[4] == ' ' ? 0 : date[4] - '0') * 10 + (date[5] - '0');
  return fmt::format("{}{:02}{:02}-{}", std::string_view(date + 7, 4), month, day, __TIME__);
}

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string platform() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#else
  return "linux/unknown";
#endif
}

}  // namespace

const BuildInfo& build_info() {
  // Revision and branch are empty when built outside a git checkout.
  static const BuildInfo kInfo = {STRATA_VERSION,
                                  STRATA_REVISION,
                                  STRATA_BRANCH,
                                  STRATA_BUILD_USER,
                                  build_date(),
                                  compiler(),
                                  platform()};
  return kInfo;
}

std::string version_text(std::string_view program) {
  const BuildInfo& b = build_info();
  return std::string(program) + ", version " + b.version + " (branch: " + b.branch + ", revision: " + b.revision +
         ")\n"
         "  build user:       " + b.build_user + "\n"
         "  build date:       " + b.build_date + "\n"
         "  compiler:         " + b.compiler + "\n"
         "  platform:         " + b.platform + "\n";
}

std::string version_summary() {
  const BuildInfo& b = build_info();
  return "(version=" + b.version + ", branch=" + b.branch + ", revision=" + b.revision + ")";
}

std::string build_context() {
  const BuildInfo& b = build_info();
  return "(compiler=" + b.compiler + ", platform=" + b.platform + ", user=" + b.build_user +
         ", date=" + b.build_date + ")";
}

}  // namespace strata::server
