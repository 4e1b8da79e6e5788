// Go's filepath.Glob on Unix, which Prometheus uses for rule_files,
// scrape_config_files, file_sd_configs and promtool's rule tests: the same
// pattern syntax (*, ?, [class] with ^ and ranges, \ escapes), checked whole
// before anything is matched; `*` matches a leading dot too; a directory that
// cannot be read matches nothing; the matches sorted. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata {

// filepath.ErrBadPattern's text.
inline constexpr char kGoBadPattern[] = "syntax error in pattern";

// Whether filepath.Match accepts `pattern` (an unclosed or empty class, a
// range missing an end, a trailing backslash, invalid UTF-8 in a class are not).
bool go_glob_pattern_valid(std::string_view pattern);

// The paths matching `pattern`, or InvalidArgument(kGoBadPattern).
absl::StatusOr<std::vector<std::string>> go_glob(const std::string& pattern);

}  // namespace strata
