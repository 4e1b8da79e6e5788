// TargetGroup: what service discovery hands to scraping, as in Prometheus: a
// set of targets (each a label set with at least __address__) sharing common
// labels, identified by a source string unique within its provider (for
// static_configs the config index, for file_sd_configs `<path>:<index>`,
// for http_sd_configs `<url>:<index>`, for dns_sd_configs the name).
// A provider always sends every group it knows; a group that vanished is
// sent empty so the receiver can forget it.
//
// Value types; parse functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/labels/labels.h"

namespace strata::scrape {

struct TargetGroup {
  std::string source;
  std::vector<tsdb::Labels> targets;  // each holds __address__ (and its own labels)
  tsdb::Labels labels;                // common to all targets; a target's own win
  bool operator==(const TargetGroup&) const = default;
};

enum class GroupFileFormat { kJson, kYaml };

// The format file_sd_configs reads a file in, by its extension (.json, .yml,
// .yaml, any case); nullopt for others.
std::optional<GroupFileFormat> group_file_format(std::string_view path);

// Parses a list of {targets: [...], labels: {...}}, as a file_sd file or an
// http_sd_configs response holds it (JSON `null` is no groups, as Go reads
// it). Each group's source is `<origin>:<index>` and its labels get
// `<origin_label>="<origin>"`, replacing a label of that name: for file SD
// the path and __meta_filepath, for HTTP SD the URL and __meta_url.
// Errors read as Prometheus' (e.g. `"1a" is not a valid label name`).
absl::StatusOr<std::vector<TargetGroup>> parse_target_groups(
    std::string_view content, GroupFileFormat format, const std::string& origin,
    std::string_view origin_label = "__meta_filepath");

}  // namespace strata::scrape
