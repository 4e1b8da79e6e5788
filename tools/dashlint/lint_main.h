// `stratatool lint dashboard`'s command: reads dashboard files, lints them
// with api/dashlint/lint.h (the core the server's lint endpoint shares) and
// prints the findings. Stateless.
#pragma once

#include <string>
#include <vector>

#include "api/dashlint/lint.h"

namespace strata::dashlint {

// Reads and lints the files (a directory stands for its *.json files, in
// name order), prints the findings (text lines or one JSON document) to
// stdout and returns the exit status: 0 clean, 1 with errors (or, with
// `strict`, warnings), 2 when a file could not be read or parsed as JSON or
// the server could not be asked.
struct MainOptions {
  LintOptions lint;
  std::string url;  // "" = no server checks
  bool json = false;
  bool strict = false;
  bool scrape_interval_given = false;  // --scrape-interval wins over the server's
};
int lint_main(const std::vector<std::string>& files, MainOptions opts);

}  // namespace strata::dashlint
