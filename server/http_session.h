// Session: one HTTP/1.1 connection of HttpServer. Reads a request (header
// first, so oversized bodies are refused before they are sent and
// "Expect: 100-continue" is answered), hands it to the worker pool, writes the
// response (gzipped when the client accepts it) and loops while the
// connection is kept alive. With a --web.config.file it speaks TLS (the
// handshake bounded by the read timeout), checks basic authentication once
// the header is read — before any of the body, so an unauthenticated client
// cannot make the server buffer it; a bcrypt check runs on a worker, not on
// the I/O thread — and adds the configured security headers to every
// response. At the connection limit the listener may evict a session that
// is waiting for request bytes (see http_server.h): the session publishes
// when that wait began, and the eviction itself runs on its strand and
// re-checks, so a session whose request was read meanwhile is served.
// Internal to the listener; includes Beast.
//
// Threads: every member function except handle() runs on the connection's
// strand; handle() runs on a worker thread and reads only core_ and gzip_ok_,
// which do not change while a request is in a handler; evictable_since() is
// an atomic the listener reads from any thread. authenticate()'s
// bcrypt check runs on a worker too, on copies (the credentials, the web
// config), and posts its verdict back to the strand.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/http.h"
#include "server/http_internal.h"

namespace strata::server::internal {

// Beast's request parser, except that a header field too long for Beast's
// field store (name or value over 65,533 bytes, where it would throw) is a
// header_limit error (431) instead of an exception.
class RequestParser final
    : public boost::beast::http::request_parser<boost::beast::http::string_body> {
 private:
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
};

// Bytes of the listener's in-flight body budget held by one request
// (ListenerCore::reserve_body): its body, and what its handler adds with
// HttpRequest::reserve() (grow(), on the handler's thread). All given back
// when the last holder, the session or the handler's task, lets go.
class BodyReservation {
 public:
  BodyReservation(ListenerCore* core, uint64_t bytes) : core_(core), bytes_(bytes) {}
  ~BodyReservation() { core_->release_body(bytes_); }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  // HttpRequest::reserve_memory: Unavailable when the budget is full now,
  // ResourceExhausted when this request alone would exceed it.
  absl::Status grow(uint64_t bytes);

 private:
  ListenerCore* core_;
  uint64_t bytes_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls`: the web config whose TLS context this connection uses; null for
  // plain HTTP.
  Session(boost::asio::ip::tcp::socket socket, ListenerCore* core,
          std::shared_ptr<const WebConfigFile::State> tls);
  ~Session();

  // Registers with the core and starts reading.
  void start();
  // Posted by the listener during a graceful stop: closes the connection if
  // it is between requests.
  void on_stop();
  // Posted when the grace period is over: closes the connection unless a
  // handler is running (that one sees cancelled() and finishes quickly).
  void on_abort();
  // Runs `f` on this connection's strand.
  void post_to_strand(void (Session::*f)());
  // Posted by the listener at --web.max-connections when a new connection
  // arrives: closes this one if it is still in the wait for request bytes
  // that began at `since`, then reports to ListenerCore::eviction_done.
  void post_evict(int64_t since);
  // When (steady clock, ns) this connection began waiting for the request
  // bytes it is waiting for now, or 0 while it is not waiting (a handler
  // runs, a response is being written, it is closing). Read by the listener
  // from any thread.
  int64_t evictable_since() const { return evictable_since_.load(); }

 private:
  enum class State {
    kIdle,      // waiting for the first byte of the next request
    kReading,   // reading a request
    kHandling,  // the request is in a handler or the response being written
    kClosing,   // draining or closed
  };

  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream&>;

  // Runs `f` with the stream requests and responses go through: the TLS
  // stream when there is one, else the TCP stream.
  template <class F>
  void with_stream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(stream_);
    }
  }

  void handshake();
  void on_handshake(boost::beast::error_code ec);
  void read_header();
  void on_header(boost::beast::error_code ec);
  // The body limit of this request's route (HttpServerOptions::route_body_limit).
  uint64_t request_body_limit() const;
  void body_too_large();  // 413 with the limit
  void inflight_bodies_full();  // 503: the body does not fit in the budget
  // Checks the Authorization header against the web config's users; calls
  // after_auth() or answers 401.
  void authenticate();
  void after_auth();
  void unauthorized();
  // Adds the web config's security headers that `res` does not have yet.
  void add_security_headers(boost::beast::http::fields& res) const;
  void read_body();
  void on_body(boost::beast::error_code ec);
  void dispatch_request();
  void handle(std::shared_ptr<api::HttpRequest> req);
  // While a request is in a handler: request a stop when the client closes.
  void watch_disconnect(std::shared_ptr<std::stop_source> stop);
  void write(std::shared_ptr<api::HttpResponse> resp, std::string handler);
  // Answers a protocol error (400, 413, 431) and closes the connection.
  void reply_error(int status, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {});
  // Sends nothing more, discards what the client still sends for a moment
  // (so it reads our error instead of a connection reset), then closes.
  void linger();
  void drain();
  void close();
  void evict(int64_t since);
  // Publish evictable_since_ (set_waiting tells the listener, which may be
  // holding a new connection for want of an evictable session).
  void set_waiting(int64_t since);
  void set_busy() { publish_since(0); }
  // Stores evictable_since_ and keeps strata_http_idle_connections in step.
  void publish_since(int64_t since);

  boost::beast::tcp_stream stream_;
  ListenerCore* core_;
  // TLS: the state that owns the context, and the stream over stream_.
  std::shared_ptr<const WebConfigFile::State> tls_state_;
  std::unique_ptr<TlsStream> tls_;
  // The web config of the request being read or handled (null without one).
  std::shared_ptr<const WebConfigFile::State> web_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  State state_ = State::kIdle;
  size_t drained_ = 0;
  // Facts of the request being handled, for writing its response.
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool gzip_ok_ = false;
  bool watching_ = false;  // watch_disconnect's wait is pending
  // When the wait for the next request began: the accept for the first one,
  // then the start of each response (not its end, which the client may see
  // first; tests rely on the order). Slow bytes do not move it, so a client
  // trickling a header ages like an idle one.
  int64_t request_since_;
  uint64_t body_limit_ = 0;  // the current request's, set once its header is read
  // The current request's share of --web.max-inflight-body-size, from its
  // header until its handler returns (dispatch hands it to the task).
  std::shared_ptr<BodyReservation> body_reservation_;
  std::atomic<int64_t> evictable_since_{0};
};

}  // namespace strata::server::internal
