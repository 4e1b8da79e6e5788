// Shared pieces of the prometheus.yml parser (config_parse.cc and
// config_parse_common.cc): strict field checking, typed scalar readers, and
// parsers for the blocks that several sections share (relabeling, static and
// file targets, HTTP client settings). yaml-cpp stays inside the parser.
//
// Errors are thrown as ConfigError carrying "line N: message" and turned
// into an absl::Status by parse_config(); nothing escapes the module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config.h"

namespace strata::server::config_internal {

struct ConfigError {
  std::string message;
};

// Where relative paths point, and where warnings go.
struct ParseContext {
  std::string dir;
  std::vector<std::string>* warnings;
  std::string resolve(const std::string& path) const;  // "" stays ""
};

[[noreturn]] void fail(const YAML::Node& n, const std::string& msg);
// "line N: cannot unmarshal !!int `5` into <into>": a node of the wrong kind,
// named by its yaml.v2 tag (and a scalar by its text), as Go says it.
[[noreturn]] void type_error(const YAML::Node& n, std::string_view into);

// A mapping whose keys were checked against a known list: unknown keys read
// "field foo not found in type <type>", repeated keys "mapping key "foo"
// already defined at line N", as yaml.v2 says them.
class Fields {
 public:
  Fields(const YAML::Node& node, const std::vector<std::string_view>& known, const char* type);
  // The value of `key`, or nullptr when absent or null.
  const YAML::Node* get(std::string_view key) const;
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
  std::vector<std::pair<std::string, YAML::Node>> kv_;
};

std::vector<std::string_view> concat(std::initializer_list<std::vector<std::string_view>> lists);

// `into` names the Go type in a type error, as Prometheus' field has it.
std::string str(const YAML::Node& n, std::string_view into = "string");
int64_t duration(const YAML::Node& n);  // ms
bool boolean(const YAML::Node& n);
uint64_t uint(const YAML::Node& n);
int64_t integer(const YAML::Node& n);
int64_t bytes(const YAML::Node& n);  // "512MB" etc.
std::vector<std::string> strings(const YAML::Node& n, std::string_view into = "[]string");
std::map<std::string, std::string> string_map(const YAML::Node& n);
// A label set: names must be valid, values strings. Type errors name a
// model.LabelSet, or a map[string]string (external_labels).
enum class LabelsType { kLabelSet, kStringMap };
std::map<std::string, std::string> labels(const YAML::Node& n, LabelsType type = LabelsType::kLabelSet);

std::vector<RelabelConfig> relabel_configs(const YAML::Node& n);
std::vector<StaticConfig> static_configs(const YAML::Node& n);
std::vector<FileSdConfig> file_sd_configs(const YAML::Node& n, const ParseContext& ctx);
std::vector<scrape::HttpSdConfig> http_sd_configs(const YAML::Node& n, const ParseContext& ctx);
std::vector<scrape::DnsSdConfig> dns_sd_configs(const YAML::Node& n);

// The keys of prometheus/common's HTTPClientConfig (inlined in its parents).
const std::vector<std::string_view>& http_client_keys();
// The *_sd_configs keys of service discoveries Strata does not implement.
const std::vector<std::string_view>& unsupported_sd_keys();
// The service discoveries only scraping implements (http_sd_configs,
// dns_sd_configs): elsewhere (alertmanagers) they are unsupported.
const std::vector<std::string_view>& scrape_only_sd_keys();
// Reads the HTTP client keys of `f` and validates them as Prometheus does.
net::HttpClientConfig http_client(const Fields& f, const ParseContext& ctx);
// Adds a warning for every key of `keys` present in `f`.
void warn_unsupported_sd(const Fields& f, const std::string& owner, const ParseContext& ctx,
                         const std::vector<std::string_view>& keys = unsupported_sd_keys());

}  // namespace strata::server::config_internal
