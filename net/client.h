// Client: the one HTTP/1.1 client of Strata (Boost.Beast over Asio), used by
// scraping, the notifier, the remote-write sender, tests and bench/.
//
// It keeps a pool of keep-alive connections per origin (scheme, host, port),
// asks for gzip and decodes it (unless the caller sets Accept-Encoding
// itself, as Go's transport does), speaks TLS through OpenSSL (net/tls.h),
// adds basic auth or an Authorization header from HttpClientConfig (files
// re-read per request), goes through proxy_url (absolute-form requests for
// http://, a CONNECT tunnel for https://), follows up to 10 redirects when
// follow_redirects is set, and bounds each request by a deadline (the whole
// exchange, redirects included) and a dial timeout. A reused connection that
// the server had closed is retried once on a fresh one, before any byte of an
// answer arrived. Any HTTP status is a successful result; net/message.h's
// status_error() turns non-2xx into Prometheus' "server returned HTTP status".
//
// Errors are absl::Status with Go's texts, e.g.
//   DeadlineExceeded  Get "http://127.0.0.1:9100/metrics": context deadline exceeded
//   Cancelled         Get "...": context canceled
//   Unavailable       Get "...": dial tcp 127.0.0.1:1: connect: connection refused
//   ResourceExhausted Get "...": body size limit exceeded
//   Unavailable       Get "https://...": tls: failed to verify certificate: x509: ...
//
// Threads: every method is thread-safe. The I/O runs on one io_context run
// by ONE thread: the client's own, or one the caller passes in and runs, so
// many concurrent scrapes share one event loop through async_send() (pooled
// connections move between requests, and Beast's stream timers are not
// synchronised against a second loop thread). send() blocks the calling
// thread until the request is done; never call it on the io_context's thread.
//
// Lifetime: destroy a Client only when no request is in flight; its idle
// connections close then. An external io_context must outlive the Client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "absl/status/statusor.h"
#include "net/config.h"
#include "net/message.h"

namespace boost::asio {
class io_context;
}

namespace strata::net {

struct ClientOptions {
  HttpClientConfig http;  // auth, TLS, proxy, redirects; oauth2 is refused
  std::string user_agent = "Strata";
  Headers headers;  // added to every request (e.g. remote_write's `headers`)
  // Never ask for gzip (scrape's enable_compression: false).
  bool disable_compression = false;
  // 30 s, as the dialer of Prometheus' HTTP client.
  int64_t dial_timeout_ms = 30'000;
  // Idle connections older than this are closed instead of reused: 5 min,
  // as Prometheus' transport.
  int64_t idle_timeout_ms = 5 * 60'000;
  // Idle connections kept per origin; one per concurrent request is enough
  // for scraping (one connection per target) and for remote-write shards.
  size_t max_idle_per_origin = 100;
  int max_redirects = 10;  // Go's http.Client stops after 10
};

struct ClientStats {
  uint64_t connections_opened = 0;  // TCP connections dialled so far
  uint64_t requests = 0;            // round trips, redirect hops included
};

class Client {
 public:
  using Callback = std::function<void(absl::StatusOr<Response>)>;

  // Checks the config and loads TLS files. With `ioc` the caller runs it on
  // one thread (no thread of our own); without, the client starts one.
  static absl::StatusOr<std::unique_ptr<Client>> create(ClientOptions opts,
                                                        boost::asio::io_context* ioc = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs `req` (and its redirects) by `deadline`; a stop request on
  // `stop` cancels it ("context canceled"). Blocks the calling thread.
  absl::StatusOr<Response> send(const Request& req, Deadline deadline, std::stop_token stop = {});
  // The same without blocking: `done` runs once, on an io_context thread.
  // req.body must stay valid until then.
  void async_send(Request req, Deadline deadline, Callback done, std::stop_token stop = {});

  // Closes every idle kept-alive connection; the next request dials.
  void close_idle_connections();
  ClientStats stats() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace strata::net
