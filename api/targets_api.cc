// /api/v1/targets, /api/v1/targets/metadata and /api/v1/scrape_pools over
// scrape::TargetsView, in the shapes Prometheus answers.
#include <algorithm>

#include "api/handlers.h"
#include "api/value_json.h"
#include "fmt/format.h"
#include "promql/parser/parser.h"
#include "scrape/targets_view.h"

namespace strata::api {
namespace {

// Splits "host:port" (IPv6 in brackets); false when there is no port.
bool split_host_port(std::string_view hp, std::string_view* host, std::string_view* port) {
  size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos) return false;
  *host = hp.substr(0, colon);
  *port = hp.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  return true;
}

// Prometheus' globalUrl: a target on this machine's loopback is shown under
// the external URL's host (and scheme, when it is this server itself).
std::string global_url(const std::string& url, const GlobalUrlOptions& o) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string::npos) host_end = url.size();
  std::string_view hostport = std::string_view(url).substr(host_start, host_end - host_start);
  std::string_view host, port;
  if (!split_host_port(hostport, &host, &port)) return url;
  if (host != "127.0.0.1" && host != "localhost" && host != "::1") return url;
  std::string rest = url.substr(host_end);
  if (port == o.listen_port) return o.scheme + "://" + o.host_port + rest;
  std::string_view ext_host, ext_port;
  std::string h = split_host_port(o.host_port, &ext_host, &ext_port) ? std::string(ext_host) : o.host_port;
  return url.substr(0, host_start) + h + ":" + std::string(port) + rest;
}

void write_label_map(JsonWriter& w, const tsdb::Labels& ls) { write_labels(w, ls); }

}  // namespace

ApiResult handle_targets(ApiContext& ctx, const Form& form) {
  std::string state = form.value("state");
  std::transform(state.begin(), state.end(), state.begin(), ::tolower);
  const bool show_active = state.empty() || state == "any" || state == "active";
  const bool show_dropped = state.empty() || state == "any" || state == "dropped";
  const std::vector<std::string> pools_wanted = form.values("scrapePool");
  auto wanted = [&](const std::string& job) {
    return pools_wanted.empty() || std::find(pools_wanted.begin(), pools_wanted.end(), job) != pools_wanted.end();
  };
  auto pools = std::make_shared<std::vector<scrape::PoolSnapshot>>();
  if (ctx.targets) {
    for (auto& p : ctx.targets->pools())
      if (wanted(p.job)) pools->push_back(std::move(p));
  }
  std::sort(pools->begin(), pools->end(), [](const auto& a, const auto& b) { return a.job < b.job; });
  for (auto& p : *pools)
    std::sort(p.active.begin(), p.active.end(), [](const auto& a, const auto& b) { return a->labels() < b->labels(); });
  GlobalUrlOptions gu = ctx.global_url;
  ApiResult r;
  r.data = [pools, show_active, show_dropped, gu](JsonWriter& w) {
    w.begin_object();
    w.key("activeTargets");
    w.begin_array();
    if (show_active) {
      for (const auto& p : *pools) {
        for (const auto& t : p.active) {
          scrape::TargetHealth h = t->health();
          w.begin_object();
          w.key("discoveredLabels");
          write_label_map(w, t->discovered_labels());
          w.key("labels");
          write_label_map(w, t->labels());
          w.key("scrapePool");
          w.string(p.job);
          w.key("scrapeUrl");
          w.string(t->url());
          w.key("globalUrl");
          w.string(global_url(t->url(), gu));
          w.key("lastError");
          w.string(h.last_error);
          w.key("lastScrape");
          w.string(format_rfc3339(h.last_scrape_ms));
          w.key("lastScrapeDuration");
          w.number(h.last_duration_s);
          w.key("health");
          w.string(scrape::health_name(h.state));
          w.key("scrapeInterval");
          w.string(t->interval_text());
          w.key("scrapeTimeout");
          w.string(t->timeout_text());
          w.end_object();
        }
      }
    }
    w.end_array();
    w.key("droppedTargets");
    w.begin_array();
    if (show_dropped) {
      for (const auto& p : *pools) {
        for (const auto& d : p.dropped) {
          w.begin_object();
          w.key("discoveredLabels");
          write_label_map(w, d.discovered);
          w.key("scrapePool");
          w.string(p.job);
          w.end_object();
        }
      }
    }
    w.end_array();
    w.key("droppedTargetCounts");
    w.begin_object();
    for (const auto& p : *pools) {
      w.key(p.job);
      w.integer(int64_t(p.dropped_total));
    }
    w.end_object();
    // Strata's addition: discovery sections a job has that Strata ignores,
    // so a target missing for that reason is explained, not just absent.
    w.key("unsupportedDiscovery");
    w.begin_object();
    for (const auto& p : *pools) {
      if (p.unsupported_sd_configs.empty()) continue;
      w.key(p.job);
      w.begin_array();
      for (const auto& k : p.unsupported_sd_configs) w.string(k);
      w.end_array();
    }
    w.end_object();
    w.end_object();
  };
  return r;
}

ApiResult handle_targets_metadata(ApiContext& ctx, const Form& form) {
  auto limit = parse_limit(form);
  if (!limit.ok()) return invalid_param("limit", limit.status());
  tsdb::Matchers matchers;
  std::string mt = form.value("match_target");
  if (!mt.empty()) {
    auto ms = promql::parser::parse_metric_selector(mt, promql::parser::options_for(ctx.engine->options()));
    if (!ms.ok()) return invalid_param("match_target", ms.status());
    matchers = std::move(*ms);
  }
  const std::string metric = form.value("metric");
  struct Row {
    tsdb::Labels target;
    std::string metric;
    tsdb::MetricMetadata md;
  };
  auto rows = std::make_shared<std::vector<Row>>();
  if (ctx.targets) {
    for (const auto& p : ctx.targets->pools()) {
      for (const auto& t : p.active) {
        bool match = std::all_of(matchers.begin(), matchers.end(),
                                 [&](const tsdb::Matcher& m) { return m.matches(t->labels().get(m.name())); });
        if (!match) continue;
        for (auto& [family, md] : t->metadata()) {
          if (!metric.empty() && family != metric) continue;
          if (*limit > 0 && rows->size() >= *limit) break;
          rows->push_back({t->labels(), family, md});
        }
      }
    }
  }
  if (!mt.empty() && rows->empty()) return from_status(absl::NotFoundError("specified metadata not found"));
  ApiResult r;
  r.data = [rows](JsonWriter& w) {
    w.begin_array();
    for (const auto& row : *rows) {
      w.begin_object();
      w.key("target");
      write_label_map(w, row.target);
      w.key("metric");
      w.string(row.metric);
      w.key("type");
      w.string(row.md.type);
      w.key("help");
      w.string(row.md.help);
      w.key("unit");
      w.string(row.md.unit);
      w.end_object();
    }
    w.end_array();
  };
  return r;
}

ApiResult handle_scrape_pools(ApiContext& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  if (ctx.targets)
    for (const auto& p : ctx.targets->pools()) names->push_back(p.job);
  std::sort(names->begin(), names->end());
  ApiResult r;
  r.data = [names](JsonWriter& w) {
    w.begin_object();
    w.key("scrapePools");
    w.begin_array();
    for (const auto& n : *names) w.string(n);
    w.end_array();
    w.end_object();
  };
  return r;
}

}  // namespace strata::api
