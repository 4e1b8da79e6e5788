// Helpers of the config parser (config_parse.cc, config_receivers.cc):
// strict YAML maps (every key must be known), typed scalars, paths in
// error messages. Private to rules/dispatch/. yaml-cpp throws; callers run
// under parse_config()'s try block, which turns exceptions into a status.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "net/config.h"

namespace strata::rules::dispatch::yaml {

// Alertmanager keys Strata knows but does not implement: refused with
// "not supported by Strata" instead of "not known".
bool is_unsupported_alertmanager_key(std::string_view key);

// InvalidArgument "<path>: <what>".
absl::Status error(const std::string& path, std::string_view what);

// Every key of the map `n` must be in `known`; otherwise an error naming the
// first other key. A null node is an empty map; a non-map is an error.
absl::Status check_keys(const YAML::Node& n, const std::string& path,
                        std::initializer_list<std::string_view> known);

// Typed fields; absent or null leave *out unchanged.
absl::Status get_string(const YAML::Node& map, std::string_view key, const std::string& path,
                        std::string* out);
absl::Status get_bool(const YAML::Node& map, std::string_view key, const std::string& path,
                      bool* out);
absl::Status get_uint(const YAML::Node& map, std::string_view key, const std::string& path,
                      uint64_t* out);
// A Prometheus duration ("30s", "5m"); *set says whether it was given.
absl::Status get_duration(const YAML::Node& map, std::string_view key, const std::string& path,
                          int64_t* out_ms, bool* set = nullptr);
// A literal text: refused when it holds a template action ("{{").
absl::Status get_literal(const YAML::Node& map, std::string_view key, const std::string& path,
                         std::string* out);

// `dir`/`file` unless `file` is absolute or empty.
std::string resolve_path(const std::string& dir, const std::string& file);

// http_config (prometheus/common's HTTPClientConfig, the parts net::Client
// acts on) and tls_config.
absl::Status parse_tls(const YAML::Node& n, const std::string& path, const std::string& dir,
                       net::TlsConfig* out);
absl::Status parse_http_config(const YAML::Node& n, const std::string& path, const std::string& dir,
                               net::HttpClientConfig* out);

}  // namespace strata::rules::dispatch::yaml
