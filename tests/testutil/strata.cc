#include "tests/testutil/strata.h"

#include <cstdlib>

#ifndef STRATA_TESTUTIL_STRATA_BINARY
#define STRATA_TESTUTIL_STRATA_BINARY "build/strata"
#endif

namespace strata::testutil {

std::string strata_binary() {
  const char* env = std::getenv("STRATA_BINARY");
  return env && *env ? env : STRATA_TESTUTIL_STRATA_BINARY;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> start_strata(std::vector<std::string> extra_flags) {
  return ServerProcess::start(strata_binary(), std::move(extra_flags));
}

}  // namespace strata::testutil
