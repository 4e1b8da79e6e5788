#include "api/dashlint/server_facts.h"

#include <chrono>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "base/duration.h"
#include "net/client.h"

namespace strata::dashlint {
namespace {

using Json = nlohmann::json;

// GET url+path and the `data` of Prometheus' success envelope.
absl::StatusOr<Json> get_data(net::Client& client, const std::string& base, const std::string& path,
                              int64_t timeout_ms) {
  net::Request req;
  req.url = base + path;
  req.body_limit_bytes = int64_t(256) << 20;  // a metadata dump of a big server fits
  auto r = client.send(req, std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms));
  if (!r.ok()) return r.status();
  if (r->status != 200)
    return absl::UnavailableError("GET " + req.url + ": HTTP " + std::to_string(r->status));
  try {
    Json doc = Json::parse(r->body);
    if (!doc.is_object() || doc.value("status", "") != "success" || !doc.contains("data"))
      return absl::UnavailableError("GET " + req.url + ": not a Prometheus API success answer");
    return std::move(doc["data"]);
  } catch (const Json::exception& e) {
    return absl::UnavailableError("GET " + req.url + ": " + e.what());
  }
}

}  // namespace

absl::StatusOr<ServerFacts> fetch_server_facts(const std::string& url, int64_t timeout_ms) {
  ServerFacts f;
  f.url = url;
  while (!f.url.empty() && f.url.back() == '/') f.url.pop_back();
  net::ClientOptions co;
  co.user_agent = "stratatool";
  auto client = net::Client::create(std::move(co));
  if (!client.ok()) return client.status();

  auto names = get_data(**client, f.url, "/api/v1/label/__name__/values", timeout_ms);
  if (!names.ok()) return names.status();
  if (names->is_array())
    for (const Json& n : *names)
      if (n.is_string()) f.metric_names.insert(n.get<std::string>());

  auto meta = get_data(**client, f.url, "/api/v1/metadata", timeout_ms);
  if (!meta.ok()) return meta.status();
  if (meta->is_object()) {
    for (const auto& [name, entries] : meta->items()) {
      if (!entries.is_array() || entries.empty() || !entries[0].is_object()) continue;
      f.metric_types[name] = entries[0].value("type", "");
    }
  }

  auto config = get_data(**client, f.url, "/api/v1/status/config", timeout_ms);
  if (!config.ok()) return config.status();
  if (config->is_object() && (*config)["yaml"].is_string()) {
    try {
      YAML::Node y = YAML::Load((*config)["yaml"].get<std::string>());
      if (y["global"] && y["global"]["scrape_interval"]) {
        auto d = parse_duration(y["global"]["scrape_interval"].as<std::string>());
        if (d.ok() && *d > 0) f.scrape_interval_ms = *d;
      }
    } catch (const YAML::Exception& e) {
      return absl::UnavailableError(f.url + "/api/v1/status/config: " + e.what());
    }
  }
  return f;
}

}  // namespace strata::dashlint
