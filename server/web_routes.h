// ServerRoutes: the routes the server answers itself, and the front door
// for every other request.
//   /-/healthy  GET/HEAD  200 "Strata Server is Healthy."
//   /-/ready    GET/HEAD  200 "Strata Server is Ready." once storage is open,
//                         503 "Service Unavailable" before
//   /-/reload   POST/PUT  reloads the configuration (--web.enable-lifecycle)
//   /-/quit     POST/PUT  stops the server (--web.enable-lifecycle)
//   /metrics    GET       the Registry in text format 0.0.4
//   /, /query, /graph, /targets, ..., /assets/*  the web UI (server/ui_routes.h)
// Every other path goes to the API router published with set_ready(); until
// then it answers 503 "Service Unavailable", as Prometheus does while it
// replays its WAL.
//
// Thread-safe: route() runs on HTTP worker threads; set_ready() is called
// once from the main thread.
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "api/http.h"
#include "base/metrics.h"

namespace strata::server {

class ServerRoutes {
 public:
  struct Options {
    bool enable_lifecycle = false;
    // Reloads the configuration; the error text is shown to the client.
    std::function<absl::Status()> reload;
    // Starts a graceful stop; called after the answer is queued.
    std::function<void()> quit;
  };

  // `registry` (for /metrics and strata_ready) must outlive this object.
  ServerRoutes(Options opts, metrics::Registry* registry);

  // Publishes the API routes and marks the server ready. `api` must outlive
  // this object (and every request in flight).
  void set_ready(const api::Router* api);
  bool ready() const { return api_.load(std::memory_order_acquire) != nullptr; }

  // Dispatches a request; returns the handler label for the metrics.
  std::string route(const api::HttpRequest& req, api::HttpResponse& resp) const;
  // The body limit of the route route() would dispatch to (api::Router's);
  // api::kNoRouteBodyLimit before the API routes are published, so a
  // remote-write batch sent early is answered 503 (retried), not 413.
  uint64_t body_limit(std::string_view method, std::string_view path) const;

 private:
  bool own(std::string_view path) const;  // answered by own_, not the API router

  Options opts_;
  metrics::Registry* registry_;
  metrics::Gauge* ready_gauge_;
  api::Router own_;
  std::set<std::string> own_paths_;
  std::atomic<const api::Router*> api_{nullptr};
};

}  // namespace strata::server
