// HttpServer: Strata's HTTP/1.1 listener (Boost.Beast over Asio, which stay
// inside the .cc files). A small pool of I/O threads accepts connections and
// reads and writes messages; handlers run on a separate, growing WorkerPool so
// that a slow query never stalls other connections. The listener converts
// wire messages to api::HttpRequest / HttpResponse, gzips responses for
// clients that accept it, enforces body and header limits, idle timeouts and
// the connection limit, applies the --web.config.file (TLS per connection,
// basic authentication checked on the request header before the body is
// read, security headers), and records per-handler metrics:
//   strata_http_requests_total{handler,code}
//   strata_http_request_duration_seconds{handler}
//   strata_http_response_size_bytes{handler}
//   strata_http_tls_handshake_failures_total
//   strata_http_connections_evicted_total
//   strata_http_inflight_body_bytes, strata_http_inflight_body_refused_total
//
// Connection limit (max_connections). Below it every connection is accepted.
// At it, a connection that arrives (seen as the listening socket turning
// readable; until then nobody is evicted) makes room by evicting the open
// connection that has waited longest for request bytes: idle between
// requests, in its TLS handshake, or still receiving a request's header or
// body, measured from when that wait began (its accept, or the start of its
// last response), so a slow-loris client trickling bytes ages like an idle
// one. The evicted connection is closed without an answer, as an idle
// timeout would close it, and counted. A connection whose request is in a
// handler or whose response is being written is never evicted: when all are
// like that, the new connection waits in the kernel's backlog (as with Go's
// netutil.LimitListener, which Prometheus uses) until one closes or finishes
// its response. So idle or slow clients cannot lock out new ones, /-/healthy
// included, while busy ones still bound the work in progress.
//
// Bodies in flight (max_inflight_body_bytes). Every request with a body
// reserves its declared length (a chunked one: its route's limit) once its
// header is in, before any of the body is read, and gives it back when its
// handler has returned. A request that does not fit in what is left is
// answered 503 with Retry-After: 1 and its connection closed (remote-write
// senders retry 5xx answers, so nothing is lost); its body is never read.
// So the bodies held at once stay within the limit whatever the number of
// connections. What handlers build from a body is bounded per request by
// their own caps (remote write: 64 MiB decoded).
//
// The route function and the Registry must outlive the server. start() and
// stop() are called from one thread (the server's main thread); routes are
// called on worker threads, concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "api/http.h"
#include "base/metrics.h"

namespace strata::server {

class WebConfigFile;

struct HttpServerOptions {
  std::string address = "0.0.0.0:9090";  // host:port; port 0 picks a free port
  // Idle keep-alive connections are closed after this long, and reading one
  // request (or writing one response) may take at most this long.
  int64_t read_timeout_ms = 5 * 60 * 1000;
  // See "Connection limit" above; at least 1.
  int max_connections = 512;
  // Bodies over the limit of their route are answered 413 before they are
  // read: route_body_limit(method, path) once the header is in (see
  // api::Router::body_limit), capped by body_limit_bytes. Null = the cap
  // for every route. 64 MiB: the largest remote-write batches seen in
  // practice are a few MiB compressed.
  std::function<uint64_t(std::string_view method, std::string_view path)> route_body_limit;
  uint64_t body_limit_bytes = uint64_t(64) << 20;
  // See "Bodies in flight" above; 0 = no limit. At least body_limit_bytes
  // (--web.max-inflight-body-size checks), so any request fits when alone.
  uint64_t max_inflight_body_bytes = 0;
  // Go's net/http default (DefaultMaxHeaderBytes); larger headers get 431.
  uint32_t header_limit_bytes = 1 << 20;
  int io_threads = 0;  // 0 = hardware concurrency, at least 2
  // --web.config.file: TLS, basic authentication and security headers for
  // every request; null = plain HTTP, no authentication. Must outlive the
  // server. Whether the listener speaks TLS is read once, at start().
  WebConfigFile* web_config = nullptr;
};

// Dispatches one request; returns the handler label for the metrics.
using RouteFn = std::function<std::string(const api::HttpRequest&, api::HttpResponse&)>;

namespace internal {
class ListenerCore;
}

class HttpServer {
 public:
  HttpServer(HttpServerOptions opts, RouteFn route, metrics::Registry* registry);
  // Convenience: serves `router` (which must outlive the server).
  HttpServer(HttpServerOptions opts, const api::Router& router, metrics::Registry* registry);
  // Stops without a grace period if still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Errors read like Go's, e.g.
  // "listen tcp 0.0.0.0:9090: bind: address already in use".
  absl::Status start();

  // Graceful stop: stops accepting, closes idle connections, lets requests in
  // progress finish and closes their connections after the response. After
  // `grace`, requests still running see HttpRequest::cancelled() == true and
  // remaining connections are closed; stop() then waits for the handlers to
  // return and joins all threads. Idempotent.
  void stop(std::chrono::milliseconds grace);

  // The bound address, e.g. "127.0.0.1:40123" (valid after start()).
  std::string bound_address() const;
  int port() const;

 private:
  std::unique_ptr<internal::ListenerCore> core_;
};

}  // namespace strata::server
