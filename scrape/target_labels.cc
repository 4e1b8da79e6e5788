#include "scrape/target_labels.h"

#include "net/url.h"

#include <string_view>
#include <utility>

#include "base/duration.h"
#include "base/go_quote.h"
#include "tsdb/storage.h"

namespace strata::scrape {
namespace {

using tsdb::Label;
using tsdb::Labels;
using tsdb::relabel::LabelsBuilder;

constexpr std::string_view kAddress = "__address__";
constexpr std::string_view kScheme = "__scheme__";
constexpr std::string_view kMetricsPath = "__metrics_path__";
constexpr std::string_view kInterval = "__scrape_interval__";
constexpr std::string_view kTimeout = "__scrape_timeout__";
constexpr std::string_view kParamPrefix = "__param_";
constexpr std::string_view kMetaPrefix = "__meta_";
constexpr std::string_view kReservedPrefix = "__";

// Go's url.shouldEscape for the modes URL.String() uses.
enum class Mode { kHost, kPath, kQueryComponent };

bool should_escape(unsigned char c, Mode mode) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return false;
  if (mode == Mode::kHost) {
    switch (c) {
      case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
      case ';': case '=': case ':': case '[': case ']': case '<': case '>': case '"':
        return false;
    }
  }
  switch (c) {
    case '-': case '_': case '.': case '~':
      return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?':
    case '@':
      if (mode == Mode::kPath) return c == '?';
      return true;
  }
  return true;
}

void escape(std::string_view s, Mode mode, std::string* out) {
  static const char* kHex = "0123456789ABCDEF";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' && mode == Mode::kQueryComponent) {
      out->push_back('+');
    } else if (should_escape(c, mode)) {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

// Prometheus 2.x: an address without a port gets the scheme's default one.
// Returns an error for schemes other than http/https (quoting the config's
// scheme, as 2.x does).
absl::Status add_default_port(LabelsBuilder& lb, const ScrapeConfig& cfg, std::string* addr) {
  std::string_view host, port;
  if (net::split_host_port(*addr, &host, &port)) return absl::OkStatus();
  std::string probe = *addr + ":1234";
  if (!net::split_host_port(probe, &host, &port)) return absl::OkStatus();
  std::string_view scheme = lb.get(kScheme);
  if (scheme == "http" || scheme.empty()) {
    addr->append(":80");
  } else if (scheme == "https") {
    addr->append(":443");
  } else {
    return absl::InvalidArgumentError("invalid scheme: " + go_quote(cfg.scheme));
  }
  lb.set(kAddress, *addr);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> parse_target_duration(std::string_view text, const char* what) {
  auto d = parse_duration(text);
  if (!d.ok()) return absl::InvalidArgumentError(std::string("error parsing scrape ") + what + ": " +
                                                 std::string(d.status().message()));
  if (*d == 0) return absl::InvalidArgumentError(std::string("scrape ") + what + " cannot be 0");
  return *d;
}

}  // namespace

std::string TargetLabels::url() const {
  std::string out;
  if (!scheme.empty()) out.append(scheme).push_back(':');
  if (!scheme.empty() || !address.empty()) {
    if (!address.empty() || !metrics_path.empty()) out.append("//");
    escape(address, Mode::kHost, &out);
  }
  std::string path;
  if (metrics_path == "*") {
    path = "*";
  } else {
    escape(metrics_path, Mode::kPath, &path);
  }
  if (!path.empty() && path[0] != '/' && !address.empty()) out.push_back('/');
  if (out.empty()) {
    // A first segment with a colon would read as a scheme.
    std::string_view seg = std::string_view(path).substr(0, path.find('/'));
    if (seg.find(':') != std::string_view::npos) out.append("./");
  }
  out.append(path);
  std::string query;
  for (const auto& [k, vs] : params) {  // std::map: sorted keys, as url.Values.Encode
    for (const std::string& v : vs) {
      if (!query.empty()) query.push_back('&');
      escape(k, Mode::kQueryComponent, &query);
      query.push_back('=');
      escape(v, Mode::kQueryComponent, &query);
    }
  }
  if (!query.empty()) out.append("?").append(query);
  return out;
}

TargetLabels populate_target_labels(const Labels& target, const Labels& group, const ScrapeConfig& cfg,
                                    const TargetLabelsOptions& opts, LabelsBuilder* scratch) {
  LabelsBuilder local;
  LabelsBuilder& lb = scratch ? *scratch : local;
  TargetLabels t;

  // 1. Discovered labels with the job's defaults.
  lb.reset(target);
  for (const Label& l : group)
    if (!target.has(l.name)) lb.set(l.name, l.value);
  const std::pair<std::string_view, std::string> defaults[] = {
      {"job", cfg.job_name},
      {kInterval, format_duration(cfg.scrape_interval_ms)},
      {kTimeout, format_duration(cfg.scrape_timeout_ms)},
      {kMetricsPath, cfg.metrics_path},
      {kScheme, cfg.scheme},
  };
  for (const auto& [name, value] : defaults)
    if (lb.get(name).empty()) lb.set(name, value);
  std::string param_label;
  for (const auto& [name, values] : cfg.params) {
    if (values.empty()) continue;
    param_label.assign(kParamPrefix).append(name);
    if (opts.prometheus_v2 || lb.get(param_label).empty()) lb.set(param_label, values[0]);
  }
  t.discovered = lb.labels();

  // 2. Relabeling.
  tsdb::relabel::Options ro;
  ro.legacy_label_names = opts.prometheus_v2;
  if (!tsdb::relabel::process(lb, cfg.relabel_configs, ro)) {
    t.dropped = true;
    return t;
  }

  // 3. Checks.
  auto fail = [&](absl::Status s) {
    t.error = std::move(s);
    return t;
  };
  std::string addr(lb.get(kAddress));
  if (addr.empty()) return fail(absl::InvalidArgumentError("no address"));
  if (opts.prometheus_v2) {
    if (absl::Status s = add_default_port(lb, cfg, &addr); !s.ok()) return fail(std::move(s));
  }
  if (addr.find('/') != std::string::npos)
    return fail(absl::InvalidArgumentError(go_quote(addr) + " is not a valid hostname"));
  std::string interval(lb.get(kInterval));
  auto interval_ms = parse_target_duration(interval, "interval");
  if (!interval_ms.ok()) return fail(interval_ms.status());
  std::string timeout(lb.get(kTimeout));
  auto timeout_ms = parse_target_duration(timeout, "timeout");
  if (!timeout_ms.ok()) return fail(timeout_ms.status());
  if (*timeout_ms > *interval_ms)
    return fail(absl::InvalidArgumentError("scrape timeout cannot be greater than scrape interval (" +
                                           go_quote(timeout) + " > " + go_quote(interval) + ")"));

  // 4. Meta labels go; instance defaults to the address.
  lb.erase_if([](const Label& l) { return l.name.starts_with(kMetaPrefix); });
  if (lb.get("instance").empty()) lb.set("instance", addr);
  for (const Label& l : lb.items()) {
    if (!tsdb::is_valid_utf8(l.value))
      return fail(absl::InvalidArgumentError("invalid label value for " + go_quote(l.name) + ": " +
                                             go_quote(l.value)));
  }

  t.scheme = std::string(lb.get(kScheme));
  t.address = std::string(lb.get(kAddress));
  t.metrics_path = std::string(lb.get(kMetricsPath));
  t.interval_ms = *interval_ms;
  t.timeout_ms = *timeout_ms;
  t.params = cfg.params;
  std::vector<Label> pub;
  for (const Label& l : lb.items()) {
    if (l.name.starts_with(kParamPrefix)) {
      std::vector<std::string>& vs = t.params[l.name.substr(kParamPrefix.size())];
      if (vs.empty()) {
        vs.push_back(l.value);
      } else {
        vs[0] = l.value;
      }
    }
    if (!l.name.starts_with(kReservedPrefix)) pub.push_back(l);
  }
  t.labels = Labels(std::move(pub));
  t.all = lb.labels();
  return t;
}

std::vector<TargetLabels> static_target_labels(const ScrapeConfig& cfg, const TargetLabelsOptions& opts) {
  std::vector<TargetLabels> out;
  LabelsBuilder scratch;
  for (const StaticConfig& sc : cfg.static_configs) {
    std::vector<Label> group;
    for (const auto& [k, v] : sc.labels) group.push_back({k, v});  // std::map: sorted
    Labels group_labels(std::move(group));
    for (const std::string& addr : sc.targets) {
      Labels target = Labels::from_strings({kAddress, addr});
      out.push_back(populate_target_labels(target, group_labels, cfg, opts, &scratch));
    }
  }
  return out;
}

}  // namespace strata::scrape
