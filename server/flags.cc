#include "server/flags.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <set>
#include <string_view>

#include "base/duration.h"
#include "re2/re2.h"

namespace strata::server {
namespace {

// Features Strata understands for --enable-feature.
const std::set<std::string>& known_features() {
  static const std::set<std::string> kKnown = {
      "promql-experimental-functions",  // mad_over_time, sort_by_label, limitk, ...
      "promql-delayed-name-removal",    // Prometheus 3's delayed __name__ removal
      "extra-scrape-metrics",           // scrape_timeout_seconds, scrape_sample_limit, ...
  };
  return kKnown;
}

struct FlagDef {
  const char* name;
  const char* placeholder;  // "" for booleans
  const char* help;
  const char* default_text;  // shown in --help; nullptr = the default value itself
  std::function<std::string(const Flags&)> get;
  std::function<absl::Status(Flags&, const std::string&)> set;
  bool repeatable = false;
  // For tests and debugging: accepted, but not in --help nor as_map().
  bool hidden = false;
};

absl::Status duration(const std::string& v, std::string* text, int64_t* ms) {
  auto d = parse_duration(v);
  if (!d.ok()) return absl::InvalidArgumentError(std::string(d.status().message()));
  *text = v;
  *ms = *d;
  return absl::OkStatus();
}

absl::Status integer(const std::string& v, int64_t min, int64_t* out) {
  size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
  bool digits = i < v.size();
  for (size_t k = i; k < v.size(); ++k) digits = digits && std::isdigit((unsigned char)v[k]);
  if (!digits) return absl::InvalidArgumentError("expected an integer");
  if (v.size() - i > 18) return absl::InvalidArgumentError("value out of range");
  int64_t n = std::stoll(v);
  if (n < min) return absl::InvalidArgumentError("must be at least " + std::to_string(min));
  *out = n;
  return absl::OkStatus();
}

absl::Status small_integer(const std::string& v, int64_t min, int* out) {
  int64_t n;
  if (auto s = integer(v, min, &n); !s.ok()) return s;
  if (n > INT32_MAX) return absl::InvalidArgumentError("value out of range");
  *out = int(n);
  return absl::OkStatus();
}

// A <bytes> flag (parse_size_limit): 0, or at least `min` (written `min_text`).
absl::Status bytes_value(const std::string& v, int64_t min, const char* min_text, int64_t* out) {
  auto b = parse_size_limit(v);
  if (!b.ok()) return b.status();
  if (*b != 0 && *b < min) return absl::InvalidArgumentError(std::string("must be 0 or at least ") + min_text);
  *out = *b;
  return absl::OkStatus();
}

absl::Status choice(const std::string& v, std::initializer_list<const char*> choices,
                    std::string* out) {
  std::string all;
  for (const char* c : choices) {
    if (v == c) {
      *out = v;
      return absl::OkStatus();
    }
    all += all.empty() ? c : std::string(", ") + c;
  }
  return absl::InvalidArgumentError("must be one of " + all);
}

absl::Status listen_address(const std::string& v, std::string* out) {
  size_t colon = v.rfind(':');
  if (colon == std::string::npos)
    return absl::InvalidArgumentError("address " + v + ": missing port in address");
  std::string port = v.substr(colon + 1);
  bool ok = !port.empty() && port.size() <= 5 &&
            std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit((unsigned char)c); });
  if (!ok || std::stoi(port) > 65535)
    return absl::InvalidArgumentError("address " + v + ": invalid port \"" + port + "\"");
  *out = v;
  return absl::OkStatus();
}

std::string bool_text(bool b) { return b ? "true" : "false"; }

const std::vector<FlagDef>& defs() {
  using S = const std::string&;
  static const std::vector<FlagDef> kDefs = {
      {"config.file", "<path>",
       "Prometheus configuration file (prometheus.yml format): global settings, scrape "
       "jobs, rule files, remote write. Reloaded on SIGHUP and POST /-/reload.",
       "the embedded configuration: a scrape job for Strata itself on localhost:9090",
       [](const Flags& f) { return f.config_file; },
       [](Flags& f, S v) { f.config_file = v; return absl::OkStatus(); }},
      {"storage.tsdb.path", "<path>", "Directory for the metrics storage.", nullptr,
       [](const Flags& f) { return f.storage_path; },
       [](Flags& f, S v) {
         if (v.empty()) return absl::InvalidArgumentError("must not be empty");
         f.storage_path = v;
         return absl::OkStatus();
       }},
      {"storage.prometheus-tsdb.path", "<path>",
       "A Prometheus 2.x data directory (or snapshot) whose persisted blocks are served "
       "read-only alongside Strata's own storage: queries see both, Strata's samples win "
       "on equal timestamps. Nothing there is written, compacted or deleted by retention; "
       "samples still in Prometheus' head (wal/, chunks_head/) are not read. Empty: none.",
       nullptr, [](const Flags& f) { return f.prometheus_tsdb_path; },
       [](Flags& f, S v) {
         f.prometheus_tsdb_path = v;
         return absl::OkStatus();
       }},
      {"storage.tsdb.retention.time", "<duration>",
       "How long to keep samples, e.g. 15d, 26w, 1y.", nullptr,
       [](const Flags& f) { return format_duration(f.retention_ms); },
       [](Flags& f, S v) {
         f.retention_time_set = true;
         return duration(v, &f.retention_time, &f.retention_ms);
       }},
      {"storage.tsdb.retention.size", "<bytes>",
       "Maximum size of the stored blocks, with a unit: B, KB, MB, GB, TB, PB, EB or "
       "KiB, MiB, ... (powers of 1024). The oldest blocks go first. 0 means no limit.",
       nullptr, [](const Flags& f) { return format_bytes(f.retention_bytes); },
       [](Flags& f, S v) {
         if (absl::Status s = bytes_value(v, 0, "0B", &f.retention_bytes); !s.ok()) return s;
         f.retention_size = v;
         return absl::OkStatus();
       }},
      {"storage.tsdb.out-of-order-time-window", "<duration>",
       "Accept samples this much older than the newest sample of their series. 0 rejects "
       "out-of-order samples, as Prometheus does by default.",
       nullptr, [](const Flags& f) { return format_duration(f.ooo_window_ms); },
       [](Flags& f, S v) { return duration(v, &f.ooo_window, &f.ooo_window_ms); }},
      {"storage.tsdb.too-far-in-future.time-window", "<duration>",
       "Reject samples whose timestamp is more than this after the server's clock (as "
       "Thanos Receive's --tsdb.too-far-in-future.time-window). The 10m default matches "
       "what Prometheus' scrape drops; one sample from a broken clock years ahead would "
       "otherwise hold the newest time of the database there. Remote write answers such "
       "samples with a per-sample 400, keeping the rest of the request. 0 accepts any "
       "timestamp.",
       nullptr,
       [](const Flags& f) {
         return format_duration(f.too_far_in_future_window_ms);
       },
       [](Flags& f, S v) {
         return duration(v, &f.too_far_in_future_window, &f.too_far_in_future_window_ms);
       }},
      {"storage.exemplars.exemplars-limit", "<int>",
       "Maximum number of exemplars kept in memory, shared by all series; the oldest are "
       "overwritten first. Prometheus' default when its exemplar storage is enabled; "
       "Strata always stores exemplars. 0 disables exemplar storage. Exemplars do not "
       "survive a restart.",
       nullptr, [](const Flags& f) { return std::to_string(f.exemplars_limit); },
       [](Flags& f, S v) { return integer(v, 0, &f.exemplars_limit); }},
      {"storage.tsdb.max-series", "<int>",
       "Most series the in-memory head may hold. Samples that would create a series beyond "
       "it are refused (remote write and OTLP answer 400 with \"series limit reached\" "
       "after keeping the rest of the request; a scrape keeps its other samples), series "
       "already there keep taking samples, and "
       "strata_tsdb_head_samples_rejected_total{reason=\"series_limit\"} counts the "
       "refusals. Series leave the head when they get no samples for one block range (2h) "
       "and the head is cut. Prometheus has no such limit; 0 (the default) means none.",
       nullptr, [](const Flags& f) { return std::to_string(f.max_series); },
       [](Flags& f, S v) { return integer(v, 0, &f.max_series); }},
      {"storage.tsdb.maintenance-interval", "<duration>",
       "How often storage maintenance (head cut, compaction, retention) runs.", nullptr,
       [](const Flags& f) { return format_duration(f.maintenance_interval_ms); },
       [](Flags& f, S v) {
         if (auto s = duration(v, &f.maintenance_interval, &f.maintenance_interval_ms); !s.ok())
           return s;
         if (f.maintenance_interval_ms <= 0) return absl::InvalidArgumentError("must be positive");
         return absl::OkStatus();
       },
       false, true},
      {"storage.tsdb.head-snapshot-on-shutdown", "",
       "On a clean shutdown, write the head's series and chunks to a snapshot next to the "
       "WAL, so the next start loads it and replays only the WAL written after it (as "
       "Prometheus' memory-snapshot-on-shutdown feature). Unusable snapshots are ignored "
       "and the whole WAL is replayed. On by default; --no-storage.tsdb.head-snapshot-on-shutdown "
       "turns it off.",
       nullptr, [](const Flags& f) { return bool_text(f.head_snapshot_on_shutdown); },
       [](Flags& f, S v) {
         f.head_snapshot_on_shutdown = v == "true";
         return absl::OkStatus();
       }},
      {"storage.tsdb.wal-sync", "<policy>",
       "When the write-ahead log is fsynced: always (each commit; survives power loss), "
       "interval (every second; a power loss can lose the last second) or never (the OS "
       "decides). A crash of the process alone loses nothing acknowledged.",
       nullptr, [](const Flags& f) { return f.wal_sync; },
       [](Flags& f, S v) { return choice(v, {"always", "interval", "never"}, &f.wal_sync); }},
      {"web.listen-address", "<address>",
       "Address to listen on for the HTTP API, remote write and /metrics.", nullptr,
       [](const Flags& f) { return f.listen_address; },
       [](Flags& f, S v) { return listen_address(v, &f.listen_address); }},
      {"web.config.file", "<path>",
       "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication. "
       "Prometheus' web configuration format (tls_server_config, http_server_config, "
       "basic_auth_users with bcrypt hashes); it applies to every endpoint. Re-read when it "
       "or its certificate files change.",
       nullptr, [](const Flags& f) { return f.web_config_file; },
       [](Flags& f, S v) {
         f.web_config_file = v;
         return absl::OkStatus();
       }},
      {"web.external-url", "<URL>",
       "The URL under which Strata is externally reachable (e.g. behind a reverse proxy). "
       "Used for the targets' globalUrl and alerts' generatorURL. Defaults to http://<hostname>:<port>/.",
       "http://<hostname>:<port>/", [](const Flags& f) { return f.external_url; },
       [](Flags& f, S v) {
         f.external_url = v;
         return absl::OkStatus();
       }},
      {"web.enable-lifecycle", "", "Enable shutdown and reload over HTTP (/-/quit, /-/reload).",
       nullptr, [](const Flags& f) { return bool_text(f.enable_lifecycle); },
       [](Flags& f, S v) { f.enable_lifecycle = v == "true"; return absl::OkStatus(); }},
      {"web.enable-admin-api", "", "Enable the admin endpoints under /api/v1/admin/.", nullptr,
       [](const Flags& f) { return bool_text(f.enable_admin_api); },
       [](Flags& f, S v) { f.enable_admin_api = v == "true"; return absl::OkStatus(); }},
      {"web.enable-remote-write-receiver", "",
       "Accepted for compatibility with Prometheus. Strata's remote-write receiver "
       "(POST /api/v1/write) is always on.",
       nullptr, [](const Flags& f) { return bool_text(f.enable_remote_write_receiver); },
       [](Flags& f, S v) {
         f.enable_remote_write_receiver = v == "true";
         return absl::OkStatus();
       }},
      {"web.enable-otlp-receiver", "",
       "Enable the OTLP/HTTP metrics receiver at /api/v1/otlp/v1/metrics (protobuf or JSON, "
       "optionally gzip). Translation is set by the otlp section of the configuration file.",
       nullptr, [](const Flags& f) { return bool_text(f.enable_otlp_receiver); },
       [](Flags& f, S v) {
         f.enable_otlp_receiver = v == "true";
         return absl::OkStatus();
       }},
      {"web.cors.origin", "<regex>",
       "Regex for the origins allowed to call the API from a browser (CORS). It is fully "
       "anchored. Example: 'https?://(domain1|domain2)\\.com'.",
       nullptr, [](const Flags& f) { return f.cors_origin; },
       [](Flags& f, S v) {
         RE2 re("^(?:" + v + ")$", RE2::Quiet);
         if (!re.ok()) return absl::InvalidArgumentError("invalid regex: " + re.error());
         f.cors_origin = v;
         return absl::OkStatus();
       }},
      {"web.read-timeout", "<duration>",
       "How long an idle connection stays open, and the longest time reading one request "
       "may take.",
       nullptr, [](const Flags& f) { return format_duration(f.read_timeout_ms); },
       [](Flags& f, S v) {
         if (auto s = duration(v, &f.read_timeout, &f.read_timeout_ms); !s.ok()) return s;
         if (f.read_timeout_ms <= 0) return absl::InvalidArgumentError("must be positive");
         return absl::OkStatus();
       }},
      {"web.max-connections", "<int>",
       "Maximum number of simultaneous connections. At the limit a new connection evicts the "
       "one idle (or slow to send its request) the longest; if all are busy, it waits until one "
       "finishes.", nullptr,
       [](const Flags& f) { return std::to_string(f.max_connections); },
       [](Flags& f, S v) { return small_integer(v, 1, &f.max_connections); }},
      {"web.max-inflight-body-size", "<bytes>",
       "Request bodies being received or handled, all connections together, with a unit: "
       "B, KB, MB, GB, ... or KiB, MiB, ... (powers of 1024). A request whose body does not "
       "fit in what is left is answered 503 with Retry-After before its body is read. "
       "Remote write and OTLP reserve what they decode from a body here too, before "
       "allocating it (decoded bytes, parsed views and messages). 0 means no limit; else at "
       "least 64MB, the largest body one request may send.",
       nullptr, [](const Flags& f) { return format_bytes(f.max_inflight_body_bytes); },
       // The largest route limit (remote write, OTLP): any body fits alone.
       [](Flags& f, S v) { return bytes_value(v, int64_t(64) << 20, "64MB", &f.max_inflight_body_bytes); }},
      {"query.lookback-delta", "<duration>",
       "How far back a selector looks for the latest sample of a series.",
       nullptr, [](const Flags& f) { return format_duration(f.lookback_delta_ms); },
       [](Flags& f, S v) {
         if (auto s = duration(v, &f.lookback_delta, &f.lookback_delta_ms); !s.ok()) return s;
         if (f.lookback_delta_ms <= 0) return absl::InvalidArgumentError("must be positive");
         return absl::OkStatus();
       }},
      {"query.timeout", "<duration>", "Maximum time a query may run before it is aborted.",
       nullptr, [](const Flags& f) { return format_duration(f.query_timeout_ms); },
       [](Flags& f, S v) { return duration(v, &f.query_timeout, &f.query_timeout_ms); }},
      {"query.max-concurrency", "<int>",
       "Maximum number of queries evaluated at once; more wait for a slot.", nullptr,
       [](const Flags& f) { return std::to_string(f.query_max_concurrency); },
       [](Flags& f, S v) { return small_integer(v, 1, &f.query_max_concurrency); }},
      {"query.max-samples", "<int>",
       "Maximum number of samples one query may hold in memory at once.", nullptr,
       [](const Flags& f) { return std::to_string(f.query_max_samples); },
       [](Flags& f, S v) { return integer(v, 1, &f.query_max_samples); }},
      {"storage.remote.read-sample-limit", "<int>",
       "Maximum overall number of samples to return via the remote read interface, in a "
       "single query. 0 means no limit.",
       nullptr, [](const Flags& f) { return std::to_string(f.remote_read_sample_limit); },
       [](Flags& f, S v) { return integer(v, 0, &f.remote_read_sample_limit); }},
      {"storage.remote.read-concurrent-limit", "<int>",
       "Maximum number of concurrent remote read calls. 0 means no limit.", nullptr,
       [](const Flags& f) { return std::to_string(f.remote_read_concurrent_limit); },
       [](Flags& f, S v) { return small_integer(v, 0, &f.remote_read_concurrent_limit); }},
      {"storage.remote.read-max-bytes-in-frame", "<int>",
       "Maximum number of bytes in a single frame for streaming remote read response types "
       "before marshalling. Note that client might have limit on frame size as well. 1MB "
       "as recommended by protobuf by default.",
       nullptr, [](const Flags& f) { return std::to_string(f.remote_read_max_bytes_in_frame); },
       [](Flags& f, S v) { return integer(v, 1, &f.remote_read_max_bytes_in_frame); }},
      {"rules.alert.for-outage-tolerance", "<duration>",
       "Max time to tolerate Strata outage for restoring \"for\" state of alert.", nullptr,
       [](const Flags& f) { return format_duration(f.for_outage_tolerance_ms); },
       [](Flags& f, S v) {
         return duration(v, &f.for_outage_tolerance, &f.for_outage_tolerance_ms);
       }},
      {"rules.alert.for-grace-period", "<duration>",
       "Minimum duration between alert and restored \"for\" state. This is maintained only "
       "for alerts with configured \"for\" time greater than grace period.",
       nullptr, [](const Flags& f) { return format_duration(f.for_grace_period_ms); },
       [](Flags& f, S v) { return duration(v, &f.for_grace_period, &f.for_grace_period_ms); }},
      {"rules.alert.resend-delay", "<duration>",
       "Minimum amount of time to wait before resending an alert to Alertmanager.", nullptr,
       [](const Flags& f) { return format_duration(f.resend_delay_ms); },
       [](Flags& f, S v) { return duration(v, &f.resend_delay, &f.resend_delay_ms); }},
      {"alertmanager.notification-queue-capacity", "<int>",
       "The capacity of the queue for pending Alertmanager notifications.", nullptr,
       [](const Flags& f) { return std::to_string(f.notification_queue_capacity); },
       [](Flags& f, S v) { return integer(v, 1, &f.notification_queue_capacity); }},
      {"alertmanager.drain-notification-queue-on-shutdown", "",
       "Send the alerts still queued for Alertmanager before shutting down (at most 30s).",
       nullptr, [](const Flags& f) { return bool_text(f.drain_notification_queue); },
       [](Flags& f, S v) {
         f.drain_notification_queue = v == "true";
         return absl::OkStatus();
       }},
      {"notifications.config.file", "<path>",
       "Strata's direct notifications: receivers (webhook, Slack, e-mail) and routes in "
       "Alertmanager's configuration format, for alerts without an Alertmanager. "
       "Reloaded with the configuration.",
       nullptr, [](const Flags& f) { return f.notifications_config_file; },
       [](Flags& f, S v) {
         f.notifications_config_file = v;
         return absl::OkStatus();
       }},
      {"web.dashboards.dir", "<path>",
       "Directory of Grafana dashboard JSON files (*.json) that the UI's /dashboards page "
       "lists and renders with data from this server. Re-read on SIGHUP and POST /-/reload.",
       "none", [](const Flags& f) { return f.dashboards_dir; },
       [](Flags& f, S v) {
         f.dashboards_dir = v;
         return absl::OkStatus();
       }},
      {"query.compat", "<version>",
       "PromQL semantics to follow: v3 (Prometheus 3: left-open range windows, '.' "
       "matches newlines, quoted UTF-8 names) or v2 (Prometheus 2.x, holt_winters).",
       nullptr, [](const Flags& f) { return f.query_compat; },
       [](Flags& f, S v) { return choice(v, {"v3", "v2"}, &f.query_compat); }},
      {"enable-feature", "<name>",
       "Comma-separated features to enable. Known: "
       "promql-experimental-functions, promql-delayed-name-removal. Unknown names are "
       "logged and ignored.",
       "none",
       [](const Flags& f) {
         std::string s;
         for (const auto& x : f.features) s += (s.empty() ? "" : ",") + x;
         return s;
       },
       [](Flags& f, S v) {
         size_t start = 0;
         while (start <= v.size()) {
           size_t comma = v.find(',', start);
           std::string part = v.substr(start, comma == std::string::npos ? std::string::npos
                                                                        : comma - start);
           if (!part.empty()) f.features.push_back(part);
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         return absl::OkStatus();
       },
       true},
      {"log.level", "<level>", "Only log messages of this severity or above: debug, info, "
       "warn, error.", nullptr,
       [](const Flags& f) { return f.log_level; },
       [](Flags& f, S v) { return choice(v, {"debug", "info", "warn", "error"}, &f.log_level); }},
      {"log.format", "<format>", "Format of log lines: logfmt or json.", nullptr,
       [](const Flags& f) { return f.log_format; },
       [](Flags& f, S v) { return choice(v, {"logfmt", "json"}, &f.log_format); }},
  };
  return kDefs;
}

const FlagDef* find(const std::string& name) {
  for (const auto& d : defs())
    if (name == d.name) return &d;
  return nullptr;
}

// Appends `text` wrapped at 80 columns, each line indented by `indent`.
void wrap(std::string* out, const std::string& text, size_t indent) {
  constexpr size_t kWidth = 80;
  size_t col = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    std::string word = text.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
    i = sp == std::string::npos ? text.size() : sp + 1;
    if (col == 0) {
      out->append(indent, ' ');
      col = indent;
    } else if (col + 1 + word.size() > kWidth) {
      out->append("\n").append(indent, ' ');
      col = indent;
    } else {
      out->push_back(' ');
      ++col;
    }
    out->append(word);
    col += word.size();
  }
  out->push_back('\n');
}

}  // namespace

namespace {

// One unit table of units.ParseBase2Bytes: "B" and K..E followed by `suffix`,
// powers of 1024.
std::optional<int> unit_power(std::string_view u, std::string_view suffix) {
  if (u == "B") return 0;
  static constexpr std::string_view kPrefixes = "KMGTPE";
  if (u.size() != 1 + suffix.size() || u.substr(1) != suffix) return std::nullopt;
  size_t p = kPrefixes.find(u[0]);
  if (p == std::string_view::npos) return std::nullopt;
  return int(p) + 1;
}

// One pass of units.ParseUnit over `s` with one unit table: a sign, then
// terms of digits, an optional fraction and a unit, summed ("1GiB512MiB").
absl::StatusOr<int64_t> parse_unit(const std::string& s, std::string_view suffix) {
  const std::string invalid = "units: invalid " + s;
  std::string_view rest = s;
  bool neg = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    neg = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return 0;
  if (rest.empty()) return absl::InvalidArgumentError(invalid);
  // Exact in integers where Go sums float64s: the same for every size below
  // 2^53 bytes, and printing (format_bytes) then parsing stays exact above.
  __int128 total = 0;
  while (!rest.empty()) {
    size_t i = 0;
    int64_t whole = 0;
    for (; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])); ++i) {
      if (whole >= (INT64_MAX - 10) / 10) return absl::InvalidArgumentError(invalid);
      whole = whole * 10 + (rest[i] - '0');
    }
    const bool pre = i > 0;
    std::string_view frac;
    if (i < rest.size() && rest[i] == '.') {
      size_t f = ++i;
      while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
      frac = rest.substr(f, i - f);
    }
    if (!pre && frac.empty()) return absl::InvalidArgumentError(invalid);
    size_t u = i;
    while (u < rest.size() && rest[u] != '.' && !std::isdigit(static_cast<unsigned char>(rest[u]))) ++u;
    std::string_view unit = rest.substr(i, u - i);
    auto power = unit_power(unit, suffix);
    if (!power) return absl::InvalidArgumentError("units: unknown unit " + std::string(unit) + " in " + s);
    const int64_t scale = int64_t(1) << (10 * *power);
    total += static_cast<__int128>(whole) * scale;
    // The fraction's bytes, truncated: at most 18 digits matter at 2^60.
    __int128 num = 0, den = 1;
    for (size_t k = 0; k < frac.size() && k < 18; ++k) {
      num = num * 10 + (frac[k] - '0');
      den *= 10;
    }
    total += num * scale / den;
    // Go compares the float64 sum with float64(MaxInt64), which is 2^63:
    // sizes that round to 2^63 pass there, and saturate here.
    if (static_cast<double>(total) > static_cast<double>(INT64_MAX))
      return absl::InvalidArgumentError("units: overflow parsing unit");
    rest.remove_prefix(u);
  }
  const int64_t n = total > INT64_MAX ? INT64_MAX : static_cast<int64_t>(total);
  return neg ? -n : n;
}

}  // namespace

absl::StatusOr<int64_t> parse_bytes(const std::string& s) {
  // KiB, MiB, ... first; if that fails, KB, MB, ... (both powers of 1024),
  // and the second table's error is the one reported, as Go's.
  auto b = parse_unit(s, "iB");
  if (b.ok()) return b;
  return parse_unit(s, "B");
}

absl::StatusOr<int64_t> parse_size_limit(const std::string& s) {
  auto b = parse_bytes(s);
  if (b.ok() && *b < 0) return 0;
  return b;
}

std::string format_bytes(int64_t n) {
  // alecthomas/units ToString(n, 1024, "iB", "B"), which Prometheus prints.
  static const char* kUnits[] = {"", "K", "M", "G", "T", "P", "E"};
  if (n <= 0) return "0B";
  std::string out;
  for (int i = 0; i < 7 && n > 0; ++i) {
    if (n % 1024 != 0)
      out = std::to_string(n % 1024) + kUnits[i] + (i == 0 ? "B" : "iB") + out;
    n /= 1024;
  }
  return out;
}

std::map<std::string, std::string> Flags::as_map() const {
  std::map<std::string, std::string> m;
  for (const auto& d : defs())
    if (!d.hidden) m[d.name] = d.get(*this);
  return m;
}

std::vector<std::string> Flags::unknown_features() const {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (!known_features().count(f)) out.push_back(f);
  return out;
}

bool Flags::has_feature(const std::string& name) const {
  return std::find(features.begin(), features.end(), name) != features.end();
}

absl::StatusOr<Flags> parse_flags(const std::vector<std::string>& args) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      f.help = true;
      continue;
    }
    if (a == "--version") {
      f.version = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      if (a.size() > 1 && a[0] == '-') return absl::InvalidArgumentError("unknown short flag '" + a + "'");
      return absl::InvalidArgumentError("unexpected " + a);
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagDef* d = find(name);
    bool negated = false;
    if (!d && name.rfind("no-", 0) == 0) {
      d = find(name.substr(3));
      negated = d != nullptr && std::string(d->placeholder).empty();
      if (!negated) d = nullptr;
    }
    if (!d) return absl::InvalidArgumentError("unknown long flag '--" + name + "'");
    bool is_bool = std::string(d->placeholder).empty();
    if (is_bool) {
      if (has_value && value != "true" && value != "false")
        return absl::InvalidArgumentError("invalid value \"" + value + "\" for flag --" + d->name +
                                          ": expected true or false");
      if (!has_value) value = "true";
      if (negated) value = value == "true" ? "false" : "true";
    } else if (!has_value) {
      if (i + 1 >= args.size())
        return absl::InvalidArgumentError("expected argument for flag '--" + name + "'");
      value = args[++i];
    }
    if (auto s = d->set(f, value); !s.ok())
      return absl::InvalidArgumentError("invalid value \"" + value + "\" for flag --" + d->name +
                                        ": " + std::string(s.message()));
  }
  return f;
}

std::string help_text() {
  std::string out = "usage: strata [<flags>]\n\n";
  wrap(&out,
       "Strata is a Prometheus-compatible metrics server in one binary. It accepts "
       "Prometheus remote write at /api/v1/write, stores samples in its own compressed "
       "time-series database, evaluates PromQL and answers the Prometheus HTTP API "
       "(/api/v1/query, /api/v1/query_range, ...), so Grafana and other Prometheus clients "
       "can use it as a plain Prometheus data source. It reads Prometheus' configuration "
       "file format and takes Prometheus' flag names; without any flags it listens on port "
       "9090 and keeps its data in ./data.",
       0);
  out += "\n";
  wrap(&out,
       "Values go after '=' or as the next argument (--query.timeout=30s, --query.timeout "
       "30s). Switches turn on with --name and off with --no-name.",
       0);
  out += "\nFlags:\n";
  out += "  -h, --help\n";
  wrap(&out, "Show this help and exit.", 6);
  out += "  --version\n";
  wrap(&out, "Show the version and build information and exit.", 6);
  Flags defaults;
  auto values = defaults.as_map();
  for (const auto& d : defs()) {
    if (d.hidden) continue;
    bool is_bool = std::string(d.placeholder).empty();
    out += std::string("  --") + d.name + (is_bool ? "" : std::string("=") + d.placeholder) + "\n";
    std::string text = d.help;
    if (!is_bool) text += " (default: " + std::string(d.default_text ? d.default_text : values[d.name]) + ")";
    if (d.repeatable) text += " (repeatable)";
    wrap(&out, text, 6);
  }
  return out;
}

}  // namespace strata::server
