// Command-line flags with Prometheus' names and kingpin's syntax:
// `--name=value`, `--name value`, booleans as `--name` / `--no-name`,
// repeatable flags (`--enable-feature`). parse_flags() fills a Flags struct;
// nothing below server/ reads flags.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::server {

struct Flags {
  std::string config_file;  // "" = the embedded default config
  std::string storage_path = "data/";
  std::string retention_time = "15d";
  int64_t retention_ms = int64_t(15) * 24 * 3600 * 1000;
  std::string retention_size = "0B";
  int64_t retention_bytes = 0;
  std::string ooo_window = "0s";
  int64_t ooo_window_ms = 0;
  std::string wal_sync = "interval";  // always | interval | never
  std::string listen_address = "0.0.0.0:9090";
  bool enable_lifecycle = false;
  bool enable_admin_api = false;
  bool enable_remote_write_receiver = false;  // accepted; remote write is always on
  std::string read_timeout = "5m";
  int64_t read_timeout_ms = 5 * 60 * 1000;
  int max_connections = 512;
  std::string lookback_delta = "5m";
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  std::string query_timeout = "2m";
  int64_t query_timeout_ms = 2 * 60 * 1000;
  int query_max_concurrency = 20;
  int64_t query_max_samples = 50'000'000;
  std::string query_compat = "v3";
  std::vector<std::string> features;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool help = false;
  bool version = false;

  // Every flag's current value as /api/v1/status/flags shows them.
  std::map<std::string, std::string> as_map() const;
};

// Parses argv (without argv[0]). Errors read like kingpin's, e.g.
// "unknown long flag '--foo'" or "invalid value \"x\" for flag --query.timeout: ...".
absl::StatusOr<Flags> parse_flags(const std::vector<std::string>& args);

// The --help text.
std::string help_text();

// Prometheus byte sizes: "512MB", "1GB", "0" (units B KB MB GB TB PB EB, powers of 1024).
absl::StatusOr<int64_t> parse_bytes(const std::string& s);

}  // namespace strata::server
