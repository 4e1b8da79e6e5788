#include "server/http_session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>

#include "api/params.h"
#include "base/clock.h"
#include "base/log.h"
#include "net/tls_server.h"
#include "server/basic_auth.h"
#include "server/gzip.h"

namespace strata::server::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// How long a connection that got an error answer may keep sending before we
// close it, and how much of it we read and discard meanwhile.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerBytes = size_t(4) << 20;

const char* nonstandard_reason(int status) {
  switch (status) {
    case 499: return "Client Closed Request";  // nginx's name, used by Prometheus' API
    default: return "Unknown";
  }
}

int64_t steady_now_ns() {
  // Never 0, which means "not waiting".
  return std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
             .count());
}

// Errors that just mean "the connection is over" and deserve no answer.
bool is_disconnect(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == beast::error::timeout || ec == asio::error::bad_descriptor;
}

// A request target in absolute form (RFC 9112 §3.2.2, sent by some proxies)
// reduced to its path and query; other targets as they are.
std::string_view origin_form(std::string_view target) {
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    size_t slash = target.find('/', target.find("//") + 2);
    return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target;
}

// The percent-decoded path of a request target; nullopt when it does not
// decode (a bad request, as for Go's server).
std::optional<std::string> request_path(std::string_view target) {
  target = origin_form(target);
  return api::percent_decode(target.substr(0, target.find('?')), false);
}

}  // namespace

void RequestParser::on_field_impl(http::field name, beast::string_view name_string,
                                  beast::string_view value, beast::error_code& ec) {
  // basic_fields stores offsets and lengths in 16 bits (plus 2 bytes of ": ").
  constexpr size_t kMaxFieldPart = std::numeric_limits<uint16_t>::max() - 2;
  if (name_string.size() > kMaxFieldPart || value.size() > kMaxFieldPart) {
    ec = http::error::header_limit;
    return;
  }
  get().insert(name, name_string, value);
}

Session::Session(tcp::socket socket, ListenerCore* core,
                 std::shared_ptr<const WebConfigFile::State> tls)
    : stream_(std::move(socket)),
      core_(core),
      tls_state_(std::move(tls)),
      request_since_(steady_now_ns()) {
  if (tls_state_ && tls_state_->tls) tls_ = std::make_unique<TlsStream>(stream_, *tls_state_->tls);
}

Session::~Session() {
  publish_since(0);
  core_->remove_session(this);
}

void Session::start() {
  // Waiting from the start (for the TLS handshake or the first request), and
  // visible as such before the listener counts this session.
  publish_since(request_since_);
  core_->add_session(shared_from_this());
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->core_->stopping.load()) return self->close();
    if (self->tls_) return self->handshake();
    self->read_header();
  });
}

void Session::handshake() {
  stream_.expires_after(std::chrono::milliseconds(core_->opts.read_timeout_ms));
  tls_->async_handshake(asio::ssl::stream_base::server,
                        [self = shared_from_this()](beast::error_code ec) {
                          self->on_handshake(ec);
                        });
}

void Session::on_handshake(beast::error_code ec) {
  if (state_ == State::kClosing) return;
  set_busy();  // read_header() waits again
  std::string reason;
  if (ec) {
    reason = ec.message();
  } else if (!net::client_sans_allowed(tls_->native_handle(),
                                       tls_state_->config.tls->client_allowed_sans)) {
    reason = "client certificate contained no allowed SAN";
  }
  if (!reason.empty()) {
    beast::error_code rec;
    tcp::endpoint ep = stream_.socket().remote_endpoint(rec);
    core_->tls_handshake_failed(rec ? "" : ep.address().to_string() + ":" + std::to_string(ep.port()),
                                reason);
    if (ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST) {
      // Plain HTTP to the TLS port: say so in plain HTTP, as Go's server.
      state_ = State::kClosing;
      static const std::string kAnswer =
          "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";
      asio::async_write(stream_, asio::buffer(kAnswer),
                        [self = shared_from_this()](beast::error_code, size_t) { self->linger(); });
      return;
    }
    return close();
  }
  read_header();
}

void Session::post_to_strand(void (Session::*f)()) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), f] { ((*self).*f)(); });
}

void Session::post_evict(int64_t since) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), since] { self->evict(since); });
}

void Session::evict(int64_t since) {
  // A request that completed meanwhile (or a new wait) makes it busy or
  // younger: then the listener picks again.
  bool evict = state_ != State::kClosing && evictable_since_.load() == since;
  if (evict) {
    close();
    // Leaves the table now, not when the last pending operation lets go of
    // it, so the listener accepts at once and never evicts two for one.
    core_->remove_session(this);
  }
  core_->eviction_done(evict);
}

void Session::publish_since(int64_t since) {
  int64_t before = evictable_since_.exchange(since);
  if ((before == 0) != (since == 0)) core_->idle_changed(since == 0 ? -1 : 1);
}

void Session::set_waiting(int64_t since) {
  publish_since(since);
  core_->session_evictable();
}

void Session::on_stop() {
  bool between_requests =
      state_ == State::kIdle && !(parser_ && parser_->got_some()) && buffer_.size() == 0;
  if (between_requests) close();
}

void Session::on_abort() {
  if (state_ != State::kHandling) close();
}

void Session::read_header() {
  state_ = State::kIdle;
  parser_.emplace();
  // No limit until the header names the route (on_header sets it), or
  // Beast would refuse a Content-Length over it before we know the path.
  parser_->body_limit(boost::none);
  parser_->header_limit(core_->opts.header_limit_bytes);
  stream_.expires_after(std::chrono::milliseconds(core_->opts.read_timeout_ms));
  set_waiting(request_since_);
  with_stream([&](auto& s) {
    http::async_read_header(s, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->on_header(ec);
                            });
  });
}

void Session::on_header(beast::error_code ec) {
  if (state_ == State::kClosing) return;
  set_busy();  // authentication and 100-continue are ours to finish
  state_ = State::kReading;
  web_ = core_->web_state();
  if (ec == http::error::header_limit) return reply_error(431, "request header too large\n");
  if (is_disconnect(ec)) return close();
  if (ec) return reply_error(400, "400 Bad Request: " + ec.message() + "\n");
  if (web_ && !web_->config.users.empty()) return authenticate();
  after_auth();
}

uint64_t Session::request_body_limit() const {
  uint64_t limit = core_->opts.body_limit_bytes;
  if (!core_->opts.route_body_limit) return limit;
  const http::request<http::string_body>& in = parser_->get();
  std::optional<std::string> path = request_path(std::string_view(in.target().data(), in.target().size()));
  if (!path) return limit;  // answered 400 once read
  return std::min(limit, core_->opts.route_body_limit(
                             std::string_view(in.method_string().data(), in.method_string().size()),
                             *path));
}

void Session::body_too_large() {
  reply_error(413, "request body too large (limit " + std::to_string(body_limit_) + " bytes)\n");
}

void Session::inflight_bodies_full() {
  reply_error(503, core_->inflight_full_message() + "\n", {{"Retry-After", "1"}});
}

absl::Status BodyReservation::grow(uint64_t bytes) {
  const uint64_t max = core_->opts.max_inflight_body_bytes;
  if (max != 0 && (bytes > max || bytes_ > max - bytes)) {
    core_->reserve_body_refused();
    return absl::ResourceExhaustedError(
        "decoding this request needs more memory than --web.max-inflight-body-size allows (" +
        std::to_string(bytes_) + " + " + std::to_string(bytes) + " > " + std::to_string(max) +
        " bytes); send smaller requests");
  }
  if (!core_->reserve_body(bytes)) return absl::UnavailableError(core_->inflight_full_message());
  bytes_ += bytes;
  return absl::OkStatus();
}

void Session::authenticate() {
  std::optional<BasicCredentials> creds =
      parse_basic_authorization(std::string_view(parser_->get()[http::field::authorization]));
  if (!creds) return unauthorized();
  BasicAuthenticator& auth = core_->opts.web_config->authenticator();
  if (std::optional<bool> ok = auth.check_cached(web_->config.users, *creds))
    return *ok ? after_auth() : unauthorized();
  // bcrypt takes tens of milliseconds by design: not on an I/O thread. The
  // connection waits with nothing pending on its socket (the checks queue
  // behind one mutex, see basic_auth.h); its read deadline keeps counting,
  // so a check that returns after it fails the body's read with a timeout.
  auto web = web_;
  bool queued = core_->workers->submit(
      [self = shared_from_this(), web, creds = std::move(*creds), &auth] {
        bool ok = auth.verify(web->config.users, creds);
        asio::dispatch(self->stream_.get_executor(), [self, ok] {
          if (self->state_ == State::kClosing) return;
          if (ok) return self->after_auth();
          self->unauthorized();
        });
      });
  if (!queued) close();
}

void Session::unauthorized() {
  // As the exporter toolkit: 401, "WWW-Authenticate: Basic", "Unauthorized".
  constexpr const char* kBody = "Unauthorized\n";
  if (!parser_->is_done()) {
    // The body was not read (and will not be): answer and close.
    return reply_error(401, kBody,
                       {{"WWW-Authenticate", "Basic"}, {"X-Content-Type-Options", "nosniff"}});
  }
  state_ = State::kHandling;
  version_ = parser_->get().version();
  keep_alive_ = parser_->get().keep_alive();
  head_ = parser_->get().method() == http::verb::head;
  parser_.reset();
  auto resp = std::make_shared<api::HttpResponse>();
  resp->status = 401;
  resp->content_type = "text/plain; charset=utf-8";
  resp->headers = {{"WWW-Authenticate", "Basic"}, {"X-Content-Type-Options", "nosniff"}};
  resp->body = kBody;
  core_->record("other", 401, 0, resp->body.size());
  write(resp, "other");
}

void Session::after_auth() {
  // After authentication, as Go's middleware order: a client without
  // credentials learns nothing about the routes' limits.
  body_limit_ = request_body_limit();
  boost::optional<uint64_t> length = parser_->content_length();
  if (length && *length > body_limit_) return body_too_large();
  parser_->body_limit(body_limit_);  // a chunked body is counted as it arrives
  if (parser_->is_done()) return dispatch_request();
  // Before any of the body is read: a chunked one may take its route's limit.
  const uint64_t reserve = length ? *length : body_limit_;
  if (!core_->reserve_body(reserve)) return inflight_bodies_full();
  body_reservation_ = std::make_shared<BodyReservation>(core_, reserve);
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    // curl and Go clients wait for this before sending a large body.
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                  parser_->get().version());
    with_stream([&](auto& s) {
      http::async_write(s, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->close();
        self->read_body();
      });
    });
    return;
  }
  read_body();
}

void Session::read_body() {
  stream_.expires_after(std::chrono::milliseconds(core_->opts.read_timeout_ms));
  set_waiting(request_since_);
  with_stream([&](auto& s) {
    http::async_read(s, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->on_body(ec);
                     });
  });
}

void Session::on_body(beast::error_code ec) {
  if (state_ == State::kClosing) return;
  set_busy();
  if (ec == http::error::body_limit) return body_too_large();
  if (is_disconnect(ec)) return close();
  if (ec) return reply_error(400, "400 Bad Request: " + ec.message() + "\n");
  dispatch_request();
}

void Session::dispatch_request() {
  state_ = State::kHandling;
  stream_.expires_never();  // a handler may take minutes; cancelled() tracks the client
  http::request<http::string_body>& in = parser_->get();
  auto req = std::make_shared<api::HttpRequest>();
  req->method = std::string(in.method_string());
  std::string_view target = origin_form(std::string_view(in.target().data(), in.target().size()));
  size_t q = target.find('?');
  std::optional<std::string> path = request_path(target);
  if (!path) {
    // As Go's server: a request URI that does not parse is a bad request.
    parser_.reset();
    return reply_error(400, "400 Bad Request");
  }
  req->path = std::move(*path);
  if (q != std::string_view::npos) req->query = std::string(target.substr(q + 1));
  req->headers.reserve(16);
  for (const auto& f : in) {
    std::string name(f.name_string());
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    req->headers.emplace_back(std::move(name), std::string(f.value()));
  }
  req->body = std::move(in.body());
  beast::error_code ec;
  tcp::endpoint ep = stream_.socket().remote_endpoint(ec);
  if (!ec) req->remote_addr = ep.address().to_string() + ":" + std::to_string(ep.port());
  // The client may go away while the handler runs: a wait on the socket
  // turns its FIN into a stop request, so polling cancelled() is two atomic
  // loads, not a system call.
  auto stop = std::make_shared<std::stop_source>();
  watch_disconnect(stop);
  const std::atomic<bool>* aborting = &core_->aborting;
  req->cancelled = [stop, aborting] {
    return aborting->load(std::memory_order_relaxed) || stop->stop_requested();
  };
  version_ = in.version();
  keep_alive_ = in.keep_alive();
  head_ = in.method() == http::verb::head;
  gzip_ok_ = accepts_gzip(std::string_view(in[http::field::accept_encoding]));
  parser_.reset();
  // The reservation (the body's, and what the handler adds) lasts until the
  // handler has returned.
  if (!body_reservation_) body_reservation_ = std::make_shared<BodyReservation>(core_, 0);
  req->reserve_memory = [w = std::weak_ptr<BodyReservation>(body_reservation_)](uint64_t bytes) {
    std::shared_ptr<BodyReservation> r = w.lock();
    return r != nullptr ? r->grow(bytes) : absl::CancelledError("the handler has returned");
  };
  if (!core_->workers->submit([self = shared_from_this(), req, held = std::move(body_reservation_)] {
        self->handle(req);
      })) {
    // The pool is shut down only after every session is gone; be safe anyway.
    close();
  }
}

void Session::handle(std::shared_ptr<api::HttpRequest> req) {
  double t0 = monotonic_seconds();
  auto resp = std::make_shared<api::HttpResponse>();
  std::string handler;
  try {
    handler = core_->route(*req, *resp);
  } catch (...) {
    // Handlers report errors as statuses; this is the last line of defence.
    std::string what = "unknown";
    try {
      throw;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("web", "HTTP handler threw", {{"path", req->path}, {"err", what}});
    *resp = api::HttpResponse();
    resp->status = 500;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = "500 Internal Server Error\n";
    handler = "other";
  }
  // Compress here, on the worker, rather than on an I/O thread.
  bool encoded = false;
  for (const auto& [k, v] : resp->headers) encoded = encoded || beast::iequals(k, "content-encoding");
  bool compressible = !encoded && resp->body.size() >= kGzipMinBytes;
  if (compressible) {
    resp->headers.emplace_back("Vary", "Accept-Encoding");
    if (gzip_ok_) {
      std::string z = gzip_compress(resp->body);
      if (!z.empty()) {
        resp->body = std::move(z);
        resp->headers.emplace_back("Content-Encoding", "gzip");
      }
    }
  }
  core_->record(handler, resp->status, monotonic_seconds() - t0, resp->body.size());
  asio::dispatch(stream_.get_executor(), [self = shared_from_this(), resp, handler] {
    self->write(resp, handler);
  });
}

void Session::watch_disconnect(std::shared_ptr<std::stop_source> stop) {
  watching_ = true;
  stream_.socket().async_wait(
      tcp::socket::wait_read, [self = shared_from_this(), stop](beast::error_code ec) {
        if (ec == asio::error::operation_aborted || !self->watching_) return;
        self->watching_ = false;
        if (ec) {
          stop->request_stop();
          return;
        }
        // Readable: 0 bytes is the client's FIN (or an error); pipelined data
        // (> 0) is the next request, not a cancellation, and ends the watch.
        char c;
        ssize_t n = ::recv(self->stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          stop->request_stop();
        } else if (n < 0) {
          self->watch_disconnect(stop);  // spurious wake-up
        }
      });
}

void Session::write(std::shared_ptr<api::HttpResponse> r, std::string handler) {
  if (watching_) {
    // The handler is done: end the disconnect watch (the only operation
    // pending on the socket now) before writing.
    watching_ = false;
    beast::error_code ec;
    stream_.socket().cancel(ec);
  }
  auto res = std::make_shared<http::response<http::string_body>>();
  res->version(version_);
  res->result(unsigned(r->status));
  if (res->result() == http::status::unknown) res->reason(nonstandard_reason(r->status));
  if (!r->content_type.empty()) res->set(http::field::content_type, r->content_type);
  for (auto& [k, v] : r->headers) res->insert(k, v);
  add_security_headers(*res);
  bool keep = keep_alive_ && !core_->stopping.load();
  res->keep_alive(keep);
  res->body() = std::move(r->body);
  res->prepare_payload();
  // HEAD: the headers of the GET answer (Content-Length included), no body.
  if (head_) res->body().clear();
  stream_.expires_after(std::chrono::milliseconds(core_->opts.read_timeout_ms));
  request_since_ = steady_now_ns();
  with_stream([&](auto& s) {
    http::async_write(s, *res,
                      [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        if (!keep || self->core_->stopping.load()) {
                          // The request was read completely, so there is no
                          // unread data that would turn close() into a reset.
                          return self->close();
                        }
                        self->read_header();
                      });
  });
}

void Session::add_security_headers(http::fields& res) const {
  if (!web_) return;
  for (const auto& [k, v] : web_->config.headers)
    if (res.find(k) == res.end()) res.set(k, v);
}

void Session::reply_error(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers) {
  state_ = State::kClosing;
  set_busy();
  stream_.expires_after(std::chrono::milliseconds(core_->opts.read_timeout_ms));
  auto res = std::make_shared<http::response<http::string_body>>();
  res->version(11);
  res->result(unsigned(status));
  res->set(http::field::content_type, "text/plain; charset=utf-8");
  for (auto& [k, v] : headers) res->set(k, v);
  add_security_headers(*res);
  res->keep_alive(false);
  res->body() = std::move(body);
  res->prepare_payload();
  core_->record("other", status, 0, res->body().size());
  with_stream([&](auto& s) {
    http::async_write(s, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec) return self->close();
      self->linger();
    });
  });
}

void Session::linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  drained_ = 0;
  buffer_.clear();
  stream_.expires_after(kLingerTime);
  drain();
}

void Session::drain() {
  stream_.async_read_some(buffer_.prepare(64 * 1024),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kLingerBytes) return self->close();
                            self->drain();
                          });
}

void Session::close() {
  state_ = State::kClosing;
  set_busy();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace strata::server::internal
