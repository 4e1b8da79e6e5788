// net/ internals: one client connection (plain TCP or TLS over TCP, possibly
// through a proxy) and the coroutines that dial it and run one HTTP/1.1
// exchange on it, with the request's deadline and cancellation. Used only by
// net/client.cc.
//
// Threads: everything here runs on the client's single io_context thread,
// except CancelState::cancel(). A Connection is used by one request at a
// time; the pool hands it from request to request under a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "absl/status/statusor.h"
#include "net/message.h"
#include "net/url.h"

namespace strata::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;

// A request as it goes on the wire: the head (request line and header
// fields, serialised by the client so that any field size the server may
// refuse can be sent) and the body, not owned.
struct OutRequest {
  std::string head;
  std::string_view body;
};

// Cancellation of one request: cancel() may come from any thread; it is
// applied on the io_context's thread to whichever stream the request uses.
class CancelState : public std::enable_shared_from_this<CancelState> {
 public:
  explicit CancelState(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  void cancel();
  bool canceled() const { return canceled_.load(std::memory_order_acquire); }
  // On the io_context's thread only: the stream a cancel() should interrupt, or null.
  void set_active(beast::tcp_stream* s) { active_ = s; }

 private:
  asio::any_io_executor ex_;
  std::atomic<bool> canceled_{false};
  beast::tcp_stream* active_ = nullptr;
};

struct Connection {
  explicit Connection(const asio::any_io_executor& ex) { tcp.emplace(ex); }
  beast::tcp_stream& lowest() { return ssl ? ssl->next_layer() : *tcp; }

  // Exactly one of the two holds the socket: `tcp` until TLS starts.
  std::optional<beast::tcp_stream> tcp;
  std::optional<beast::ssl_stream<beast::tcp_stream>> ssl;
  beast::flat_buffer buffer;  // bytes read past the last response
  Deadline idle_since{};
};

struct DialParams {
  Url url;                             // where the request goes
  const Url* proxy = nullptr;          // proxy_url, if any
  asio::ssl::context* tls = nullptr;   // for https
  std::string tls_name;                // server_name or the URL's host
  bool verify = true;                  // !insecure_skip_verify
  int64_t dial_timeout_ms = 30'000;
};

// Connects (through the proxy, with a CONNECT tunnel for https) and does
// the TLS handshake. Errors: "dial tcp 127.0.0.1:1: connect: connection
// refused", "dial tcp h:p: i/o timeout", "context deadline exceeded", TLS
// texts from net/tls.h.
asio::awaitable<absl::StatusOr<std::unique_ptr<Connection>>> dial(
    DialParams p, Deadline deadline, std::shared_ptr<CancelState> cancel);

struct Exchange {
  Response response;
  bool keep_alive = false;  // the connection may carry another request
};

// Writes `req` and reads the answer; `*received` says whether any byte of
// an answer arrived (a stale keep-alive connection fails before that). `body_limit_bytes` (0 = none) bounds the
// body as received; when `gzip_asked` and the answer is gzip-encoded, the
// bound leaves room for gzip's framing (the decoded size is checked later).
asio::awaitable<absl::StatusOr<Exchange>> exchange(Connection& c, const OutRequest& req,
                                                   bool head, bool gzip_asked,
                                                   int64_t body_limit_bytes, Deadline deadline,
                                                   std::shared_ptr<CancelState> cancel,
                                                   bool* received);

}  // namespace strata::net::internal
