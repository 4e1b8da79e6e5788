// Command-line flags with Prometheus' names and kingpin's syntax:
// `--name=value`, `--name value`, booleans as `--name` / `--no-name` (or
// `--name=true|false`), `--enable-feature` repeatable and comma-separated,
// `-h` / `--help`, `--version`. parse_flags() fills a plain Flags struct that
// server/options.h maps onto the components' option structs; nothing below
// server/ reads flags. Stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::server {

struct Flags {
  std::string config_file;  // "" = the embedded default configuration
  std::string storage_path = "data/";
  std::string prometheus_tsdb_path;  // --storage.prometheus-tsdb.path; "" = none
  // Durations and sizes keep the text as given next to the parsed value.
  std::string retention_time = "15d";
  int64_t retention_ms = int64_t(15) * 24 * 3600 * 1000;
  bool retention_time_set = false;  // given explicitly (see options.h)
  std::string retention_size = "0B";
  int64_t retention_bytes = 0;  // 0 = no size limit
  std::string ooo_window = "0s";
  int64_t ooo_window_ms = 0;
  // Samples more than this after the wall clock are rejected; 0 = off.
  std::string too_far_in_future_window = "10m";
  int64_t too_far_in_future_window_ms = 10 * 60 * 1000;
  int64_t exemplars_limit = 100000;  // exemplars kept in memory; 0 = none
  int64_t max_series = 0;            // --storage.tsdb.max-series; 0 = no limit
  bool head_snapshot_on_shutdown = true;  // --storage.tsdb.head-snapshot-on-shutdown
  std::string wal_sync = "interval";  // always | interval | never
  // Hidden (not in --help or /api/v1/status/flags): how often storage
  // maintenance (head cut, compaction, retention) runs; tests shorten it.
  std::string maintenance_interval = "1m";
  int64_t maintenance_interval_ms = 60 * 1000;
  std::string listen_address = "0.0.0.0:9090";
  std::string external_url;  // "" = http://<hostname>:<port>/
  // --web.config.file: TLS, basic auth and headers (server/web_config.h); "" = none.
  std::string web_config_file;
  bool enable_lifecycle = false;
  bool enable_admin_api = false;
  bool enable_remote_write_receiver = false;  // accepted; remote write is always on
  bool enable_otlp_receiver = false;  // serve /api/v1/otlp/v1/metrics
  std::string cors_origin = ".*";  // fully anchored RE2
  std::string read_timeout = "5m";
  int64_t read_timeout_ms = 5 * 60 * 1000;
  int max_connections = 512;
  // --web.max-inflight-body-size; 0 = no limit.
  int64_t max_inflight_body_bytes = int64_t(256) << 20;
  std::string lookback_delta = "5m";
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  std::string query_timeout = "2m";
  int64_t query_timeout_ms = 2 * 60 * 1000;
  int query_max_concurrency = 20;
  int64_t query_max_samples = 50'000'000;
  // Remote read (Prometheus' flags and defaults).
  int64_t remote_read_sample_limit = 50'000'000;  // 0 = none
  int remote_read_concurrent_limit = 10;          // 0 = none
  int64_t remote_read_max_bytes_in_frame = 1 << 20;
  std::string query_compat = "v3";  // v3 | v2
  // Rules and alerts (Prometheus' flags and defaults).
  std::string for_outage_tolerance = "1h";
  int64_t for_outage_tolerance_ms = 3600 * 1000;
  std::string for_grace_period = "10m";
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  std::string resend_delay = "1m";
  int64_t resend_delay_ms = 60 * 1000;
  int64_t notification_queue_capacity = 10000;
  bool drain_notification_queue = true;
  // Strata's own: direct notifications (webhook, Slack, e-mail) configured
  // in an alertmanager.yml-style file; "" = none.
  std::string notifications_config_file;
  // Strata's own: Grafana dashboard JSON files for the UI's dashboards page;
  // "" = none.
  std::string dashboards_dir;
  std::vector<std::string> features;  // --enable-feature values, split at commas
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool help = false;
  bool version = false;

  // Every flag's current value as Prometheus shows them on
  // /api/v1/status/flags: name without dashes → value ("5m", "false", ...).
  std::map<std::string, std::string> as_map() const;
  // Feature names Strata does not know (logged as warnings, like Prometheus).
  std::vector<std::string> unknown_features() const;
  bool has_feature(const std::string& name) const;
};

// Parses argv without argv[0]; for a single-valued flag given twice the last
// one wins. Errors read like kingpin's and name the flag:
//   unknown long flag '--foo'
//   expected argument for flag '--query.timeout'
//   invalid value "5x" for flag --query.timeout: not a valid duration string: "5x"
// main() prints them as `strata: error: <message>, try --help` and exits 2.
absl::StatusOr<Flags> parse_flags(const std::vector<std::string>& args);

// The --help text: what Strata is, then every flag with its default.
std::string help_text();

// Prometheus byte sizes (units.ParseBase2Bytes, for flags and config alike):
// "0", or terms of a number and a unit summed, "512MB", "1.5GiB",
// "1GiB512MiB"; units B and KiB..EiB or B and KB..EB, all powers of 1024. A
// sign is allowed (callers treat <= 0 as "no limit", as Prometheus does).
// Errors are Go's: "units: unknown unit kB in 1kB", "units: invalid x",
// "units: overflow parsing unit".
absl::StatusOr<int64_t> parse_bytes(const std::string& s);
// A size limit, flag or config key: parse_bytes with every size <= 0 read as
// 0, "no limit", as Prometheus reads a negative size.
absl::StatusOr<int64_t> parse_size_limit(const std::string& s);
// The inverse in Go's units.Base2Bytes style: "0B", "512MiB", "1GiB", "1536KiB".
std::string format_bytes(int64_t bytes);

}  // namespace strata::server
