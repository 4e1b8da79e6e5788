// HttpServer: the Boost.Beast HTTP/1.1 listener. I/O runs on a small pool of
// threads; handlers run on a separate worker pool so that a slow query never
// stalls other connections. Converts wire messages to api::HttpRequest /
// HttpResponse, gzips responses for clients that accept it, enforces body and
// header limits and idle timeouts, and records per-handler metrics. The Router
// and Registry must outlive the server. Beast stays inside http_server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "api/http.h"
#include "base/metrics.h"

namespace strata::server {

struct HttpServerOptions {
  std::string address = "0.0.0.0:9090";  // host:port; port 0 picks a free one
  int64_t read_timeout_ms = 5 * 60 * 1000;  // idle keep-alive and request read limit
  int max_connections = 512;
  uint64_t body_limit = uint64_t(64) << 20;  // 64 MiB: large remote-write batches fit
  uint32_t header_limit = 1 << 20;
  int io_threads = 0;       // 0 = hardware concurrency (min 2)
  int handler_threads = 0;  // 0 = max(4, 2 x hardware concurrency)
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions opts, const api::Router* router, metrics::Registry* registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Errors name the address ("listen tcp ...: ...").
  absl::Status start();
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes
  // every connection and joins the threads. Idempotent.
  void stop(std::chrono::milliseconds grace);
  // The bound port (useful with port 0).
  int port() const;

  struct Impl;  // public so that connection sessions in the .cc can refer to it

 private:
  std::shared_ptr<Impl> impl_;
};

// gzip-compresses `in` (RFC 1952) at a speed-oriented level.
std::string gzip_compress(const std::string& in);

}  // namespace strata::server
