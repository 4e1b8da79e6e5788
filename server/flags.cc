#include "server/flags.h"

#include <cctype>
#include <functional>

#include "absl/strings/str_split.h"
#include "promql/parser/duration.h"

namespace strata::server {
namespace {

struct FlagDef {
  const char* name;
  const char* placeholder;  // "" for booleans
  const char* help;
  std::function<std::string(const Flags&)> get;
  std::function<absl::Status(Flags&, const std::string&)> set;
  bool repeatable = false;
};

absl::Status set_duration(const std::string& v, std::string* text, int64_t* ms) {
  auto d = promql::parser::parse_duration(v);
  if (!d.ok()) return d.status();
  *text = v;
  *ms = *d;
  return absl::OkStatus();
}

absl::Status set_int(const std::string& v, int64_t* out, int64_t min) {
  if (v.empty()) return absl::InvalidArgumentError("expected an integer");
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return absl::InvalidArgumentError("expected an integer");
  for (; i < v.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return absl::InvalidArgumentError("expected an integer");
  int64_t n;
  try {
    n = std::stoll(v);
  } catch (...) {
    return absl::InvalidArgumentError("value out of range");
  }
  if (n < min) return absl::InvalidArgumentError("must be at least " + std::to_string(min));
  *out = n;
  return absl::OkStatus();
}

absl::Status set_choice(const std::string& v, std::initializer_list<const char*> choices,
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

const std::vector<FlagDef>& defs() {
  static const std::vector<FlagDef> kDefs = {
      {"config.file", "<path>",
       "Prometheus-format configuration file. Without it Strata runs on its embedded default "
       "config (scrapes itself every 15s, evaluates rules every 15s).",
       [](const Flags& f) { return f.config_file; },
       [](Flags& f, const std::string& v) { f.config_file = v; return absl::OkStatus(); }},
      {"storage.tsdb.path", "<path>", "Base directory for metrics storage.",
       [](const Flags& f) { return f.storage_path; },
       [](Flags& f, const std::string& v) {
         if (v.empty()) return absl::InvalidArgumentError("must not be empty");
         f.storage_path = v;
         return absl::OkStatus();
       }},
      {"storage.tsdb.retention.time", "<duration>",
       "How long to retain samples in storage (e.g. 15d, 1y).",
       [](const Flags& f) { return f.retention_time; },
       [](Flags& f, const std::string& v) { return set_duration(v, &f.retention_time, &f.retention_ms); }},
      {"storage.tsdb.retention.size", "<bytes>",
       "Maximum number of bytes of storage blocks to retain (units B, KB, MB, GB, TB, PB, EB; "
       "0 = no limit). The oldest blocks are removed first.",
       [](const Flags& f) { return f.retention_size; },
       [](Flags& f, const std::string& v) {
         auto b = parse_bytes(v);
         if (!b.ok()) return b.status();
         f.retention_size = v;
         f.retention_bytes = *b;
         return absl::OkStatus();
       }},
      {"storage.tsdb.out-of-order-time-window", "<duration>",
       "Accept samples up to this much older than the newest sample of their series "
       "(0 = reject out-of-order samples, like Prometheus by default).",
       [](const Flags& f) { return f.ooo_window; },
       [](Flags& f, const std::string& v) { return set_duration(v, &f.ooo_window, &f.ooo_window_ms); }},
      {"storage.tsdb.wal-sync", "<policy>",
       "When the WAL is fsynced: always (every commit, survives power loss), interval (every "
       "second in the background; a power loss can lose the last second) or never (the OS "
       "decides). A process crash loses nothing acknowledged under any policy.",
       [](const Flags& f) { return f.wal_sync; },
       [](Flags& f, const std::string& v) { return set_choice(v, {"always", "interval", "never"}, &f.wal_sync); }},
      {"web.listen-address", "<address>", "Address to listen on for the UI, API and telemetry.",
       [](const Flags& f) { return f.listen_address; },
       [](Flags& f, const std::string& v) {
         if (v.find(':') == std::string::npos)
           return absl::InvalidArgumentError("address " + v + ": missing port in address");
         f.listen_address = v;
         return absl::OkStatus();
       }},
      {"web.enable-lifecycle", "", "Enable shutdown and reload via HTTP request (/-/quit, /-/reload).",
       [](const Flags& f) { return f.enable_lifecycle ? "true" : "false"; },
       [](Flags& f, const std::string& v) { f.enable_lifecycle = v == "true"; return absl::OkStatus(); }},
      {"web.enable-admin-api", "", "Enable API endpoints for admin control actions (/api/v1/admin/tsdb/*).",
       [](const Flags& f) { return f.enable_admin_api ? "true" : "false"; },
       [](Flags& f, const std::string& v) { f.enable_admin_api = v == "true"; return absl::OkStatus(); }},
      {"web.enable-remote-write-receiver", "",
       "Accepted for compatibility with Prometheus; Strata's remote-write receiver at "
       "/api/v1/write is always on.",
       [](const Flags& f) { return f.enable_remote_write_receiver ? "true" : "false"; },
       [](Flags& f, const std::string& v) {
         f.enable_remote_write_receiver = v == "true";
         return absl::OkStatus();
       }},
      {"web.read-timeout", "<duration>",
       "Maximum time an idle connection is kept open, and to read a request.",
       [](const Flags& f) { return f.read_timeout; },
       [](Flags& f, const std::string& v) { return set_duration(v, &f.read_timeout, &f.read_timeout_ms); }},
      {"web.max-connections", "<int>", "Maximum number of simultaneous connections.",
       [](const Flags& f) { return std::to_string(f.max_connections); },
       [](Flags& f, const std::string& v) {
         int64_t n;
         auto s = set_int(v, &n, 1);
         f.max_connections = int(n);
         return s;
       }},
      {"query.lookback-delta", "<duration>",
       "The maximum lookback duration for retrieving metrics during expression evaluations.",
       [](const Flags& f) { return f.lookback_delta; },
       [](Flags& f, const std::string& v) {
         auto s = set_duration(v, &f.lookback_delta, &f.lookback_delta_ms);
         if (s.ok() && f.lookback_delta_ms <= 0) return absl::InvalidArgumentError("must be positive");
         return s;
       }},
      {"query.timeout", "<duration>", "Maximum time a query may take before being aborted.",
       [](const Flags& f) { return f.query_timeout; },
       [](Flags& f, const std::string& v) { return set_duration(v, &f.query_timeout, &f.query_timeout_ms); }},
      {"query.max-concurrency", "<int>", "Maximum number of queries executed concurrently.",
       [](const Flags& f) { return std::to_string(f.query_max_concurrency); },
       [](Flags& f, const std::string& v) {
         int64_t n;
         auto s = set_int(v, &n, 1);
         f.query_max_concurrency = int(n);
         return s;
       }},
      {"query.max-samples", "<int>",
       "Maximum number of samples a single query can load into memory.",
       [](const Flags& f) { return std::to_string(f.query_max_samples); },
       [](Flags& f, const std::string& v) { return set_int(v, &f.query_max_samples, 1); }},
      {"query.compat", "<version>",
       "PromQL semantics: v3 (Prometheus 3: left-open windows, `.` matches newlines, quoted "
       "UTF-8 names) or v2 (Prometheus 2.x: closed windows, holt_winters).",
       [](const Flags& f) { return f.query_compat; },
       [](Flags& f, const std::string& v) { return set_choice(v, {"v3", "v2"}, &f.query_compat); }},
      {"enable-feature", "<name>",
       "Comma-separated feature names to enable. Known: promql-experimental-functions, "
       "promql-delayed-name-removal.",
       [](const Flags& f) {
         std::string s;
         for (const auto& x : f.features) s += (s.empty() ? "" : ",") + x;
         return s;
       },
       [](Flags& f, const std::string& v) {
         for (auto part : absl::StrSplit(v, ',', absl::SkipEmpty())) f.features.emplace_back(part);
         return absl::OkStatus();
       },
       true},
      {"log.level", "<level>", "Only log messages with the given severity or above: debug, info, warn, error.",
       [](const Flags& f) { return f.log_level; },
       [](Flags& f, const std::string& v) {
         return set_choice(v, {"debug", "info", "warn", "error"}, &f.log_level);
       }},
      {"log.format", "<format>", "Output format of log messages: logfmt or json.",
       [](const Flags& f) { return f.log_format; },
       [](Flags& f, const std::string& v) { return set_choice(v, {"logfmt", "json"}, &f.log_format); }},
  };
  return kDefs;
}

const FlagDef* find(const std::string& name) {
  for (const auto& d : defs())
    if (name == d.name) return &d;
  return nullptr;
}

}  // namespace

absl::StatusOr<int64_t> parse_bytes(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return absl::InvalidArgumentError("invalid size \"" + s + "\"");
  std::string unit = s.substr(i);
  static const std::pair<const char*, int> kUnits[] = {{"", 0},   {"B", 0},  {"KB", 1}, {"MB", 2},
                                                       {"GB", 3}, {"TB", 4}, {"PB", 5}, {"EB", 6}};
  for (auto [u, p] : kUnits) {
    if (unit != u) continue;
    int64_t n = std::stoll(s.substr(0, i));
    for (int k = 0; k < p; ++k) {
      if (n > INT64_MAX / 1024) return absl::InvalidArgumentError("size too large");
      n *= 1024;
    }
    return n;
  }
  return absl::InvalidArgumentError("invalid size unit \"" + unit + "\" (use B, KB, MB, GB, TB, PB, EB)");
}

std::map<std::string, std::string> Flags::as_map() const {
  std::map<std::string, std::string> m;
  for (const auto& d : defs()) m[d.name] = d.get(*this);
  return m;
}

absl::StatusOr<Flags> parse_flags(const std::vector<std::string>& args) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "--help-long") {
      f.help = true;
      continue;
    }
    if (a == "--version") {
      f.version = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      if (a.rfind("-", 0) == 0) return absl::InvalidArgumentError("unknown short flag '" + a + "'");
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
      negated = d != nullptr;
    }
    if (!d) return absl::InvalidArgumentError("unknown long flag '--" + name + "'");
    bool is_bool = std::string(d->placeholder).empty();
    if (is_bool) {
      if (has_value && value != "true" && value != "false")
        return absl::InvalidArgumentError("invalid value \"" + value + "\" for flag --" + d->name +
                                          ": expected true or false");
      if (!has_value) value = "true";
      if (negated) value = value == "true" ? "false" : "true";
    } else {
      if (negated) return absl::InvalidArgumentError("unknown long flag '--" + name + "'");
      if (!has_value) {
        if (i + 1 >= args.size())
          return absl::InvalidArgumentError("expected argument for flag '--" + name + "'");
        value = args[++i];
      }
    }
    if (auto s = d->set(f, value); !s.ok())
      return absl::InvalidArgumentError("invalid value \"" + value + "\" for flag --" + d->name +
                                        ": " + std::string(s.message()));
  }
  return f;
}

std::string help_text() {
  std::string out =
      "usage: strata [<flags>]\n\n"
      "Strata: a Prometheus-compatible metrics server in one binary. It accepts Prometheus\n"
      "remote write at /api/v1/write, stores samples in its own compressed time-series\n"
      "engine, evaluates PromQL and serves the Prometheus HTTP API (/api/v1/query, ...),\n"
      "so Grafana can use it as a plain \"Prometheus\" data source.\n\n"
      "Flags:\n"
      "  -h, --help  Show this help.\n"
      "      --version  Show the version.\n";
  Flags defaults;
  auto values = defaults.as_map();
  for (const auto& d : defs()) {
    std::string left = std::string("      --") + d.name;
    bool is_bool = std::string(d.placeholder).empty();
    if (!is_bool) left += "=" + std::string(d.placeholder);
    out += left + "\n          " + d.help;
    const std::string& def = values[d.name];
    if (!is_bool && !def.empty()) out += " (default: " + def + ")";
    if (d.repeatable) out += " (repeatable)";
    out += "\n";
  }
  return out;
}

}  // namespace strata::server
