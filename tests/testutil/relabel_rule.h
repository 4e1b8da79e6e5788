// A relabel rule for tests (regex compiled, Prometheus' defaults otherwise).
#pragma once

#include <string>
#include <vector>

#include "tsdb/labels/relabel.h"

namespace strata::testutil {

inline tsdb::relabel::Config relabel_rule(tsdb::relabel::Action action,
                                          std::vector<std::string> sources,
                                          const std::string& regex, const std::string& target = "",
                                          const std::string& replacement = "$1") {
  tsdb::relabel::Config c = tsdb::relabel::default_config();
  c.action = action;
  c.source_labels = std::move(sources);
  c.regex_text = regex;
  c.regex = *tsdb::relabel::compile_regex(regex);
  c.target_label = target;
  c.replacement = replacement;
  return c;
}

}  // namespace strata::testutil
