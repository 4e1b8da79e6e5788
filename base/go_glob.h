// Go's filepath.Glob on Unix, which Prometheus uses for rule_files,
// scrape_config_files, file_sd_configs and promtool's rule tests: the same
// pattern syntax (*, ?, [class] with ^ and ranges, \ escapes), checked whole
// and again for every directory part that holds a meta character (so a '/'
// inside a class or after a backslash is a syntax error, as in Go); `*`
// matches a leading dot too; a directory that cannot be read matches
// nothing; the matches sorted and joined as filepath.Join joins them
// (cleaned). Thread-safe.
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

// filepath.Clean: the shortest lexically equal path ("" and "a/.." are ".").
std::string go_clean_path(std::string_view path);
// filepath.Join of two elements: empty ones are left out, the rest cleaned.
std::string go_join_path(std::string_view dir, std::string_view name);
// Prometheus' config.JoinDir: a relative, non-empty `path` joined to `dir`
// ("." when empty); an empty or absolute one as it is.
std::string go_join_dir(std::string_view dir, const std::string& path);

}  // namespace strata
