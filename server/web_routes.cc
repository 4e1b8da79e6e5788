#include "server/web_routes.h"

#include "base/log.h"
#include "server/build_info.h"
#include "server/ui_routes.h"

namespace strata::server {
namespace {

void text(api::HttpResponse& r, int status, std::string body) {
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
}

}  // namespace

ServerRoutes::ServerRoutes(Options opts, metrics::Registry* registry)
    : opts_(std::move(opts)), registry_(registry) {
  ready_gauge_ = &registry->gauge("strata_ready", "Whether Strata is ready to serve queries (1) or not (0).");
  const std::vector<std::string> get = {"GET"};
  const std::vector<std::string> get_head = {"GET", "HEAD"};
  const std::vector<std::string> post_put = {"POST", "PUT"};
  own_.add(get_head, "/-/healthy", [](const api::HttpRequest&, api::HttpResponse& r) {
    text(r, 200, "Strata Server is Healthy.\n");
  });
  own_.add(get_head, "/-/ready", [this](const api::HttpRequest&, api::HttpResponse& r) {
    if (ready()) text(r, 200, "Strata Server is Ready.\n");
    else text(r, 503, "Service Unavailable");
  });
  own_.add(post_put, "/-/reload", [this](const api::HttpRequest&, api::HttpResponse& r) {
    if (!opts_.enable_lifecycle) return text(r, 403, "Lifecycle API is not enabled.\n");
    absl::Status s = opts_.reload();
    if (!s.ok()) {
      log::error("main", "Error reloading config", {{"err", std::string(s.message())}});
      return text(r, 500, "failed to reload config: " + std::string(s.message()) + "\n");
    }
    text(r, 200, "");
  });
  own_.add(post_put, "/-/quit", [this](const api::HttpRequest&, api::HttpResponse& r) {
    if (!opts_.enable_lifecycle) return text(r, 403, "Lifecycle API is not enabled.\n");
    text(r, 200, "Requesting termination... Goodbye!");
    // The graceful stop waits for this request's answer to be written.
    opts_.quit();
  });
  own_.add(get, "/metrics", [this](const api::HttpRequest&, api::HttpResponse& r) {
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    registry_->write_text(&r.body);
  });
  own_paths_ = {"/-/healthy", "/-/ready", "/-/reload", "/-/quit", "/metrics"};
  add_ui_routes(own_, &own_paths_, build_info().version);
}

void ServerRoutes::set_ready(const api::Router* api) {
  api_.store(api, std::memory_order_release);
  ready_gauge_->set(api ? 1 : 0);
}

bool ServerRoutes::own(std::string_view path) const {
  return own_paths_.count(std::string(path)) > 0 || path.starts_with(kUiAssetPrefix) ||
         path.starts_with(kUiDashboardsPrefix);
}

uint64_t ServerRoutes::body_limit(std::string_view method, std::string_view path) const {
  if (own(path)) return own_.body_limit(method, path);
  const api::Router* api = api_.load(std::memory_order_acquire);
  return api ? api->body_limit(method, path) : api::kNoRouteBodyLimit;
}

std::string ServerRoutes::route(const api::HttpRequest& req, api::HttpResponse& resp) const {
  if (own(req.path)) return own_.route(req, resp);
  const api::Router* api = api_.load(std::memory_order_acquire);
  if (!api) {
    text(resp, 503, "Service Unavailable");
    return "other";
  }
  return api->route(req, resp);
}

}  // namespace strata::server
