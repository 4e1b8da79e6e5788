// Dialling and one HTTP/1.1 exchange, as Asio coroutines (see net/connection.h).
#include "net/connection.h"

#include <algorithm>
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/ascii.h"
#include "net/auth.h"
#include "net/tls.h"

namespace strata::net::internal {
namespace {

namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

void arm(beast::tcp_stream& s, Deadline d) {
  if (d == Deadline::max()) s.expires_never();
  else s.expires_at(d);
}

// Go's texts for the common socket errors are lower-case strerror strings.
std::string socket_text(const error_code& ec) {
  if (ec == asio::error::eof || ec == http::error::end_of_stream) return "EOF";
  if (ec.category() == boost::system::system_category()) return absl::AsciiStrToLower(ec.message());
  return ec.message();
}

// The status of a failed step: cancellation and the deadline win over
// whatever error the interrupted operation reported.
absl::Status step_error(const error_code& ec, Deadline deadline, const CancelState& cancel,
                        const std::string& what) {
  if (cancel.canceled()) return absl::CancelledError("context canceled");
  if (ec == beast::error::timeout || Deadline::clock::now() >= deadline)
    return absl::DeadlineExceededError("context deadline exceeded");
  if (ec == http::error::body_limit) return absl::ResourceExhaustedError("body size limit exceeded");
  return absl::UnavailableError(what + socket_text(ec));
}

asio::awaitable<absl::StatusOr<tcp::resolver::results_type>> resolve(const std::string& host,
                                                                     const std::string& port,
                                                                     Deadline deadline) {
  auto ex = co_await asio::this_coro::executor;
  error_code ec;
  if (auto addr = asio::ip::make_address(host, ec); !ec) {
    co_return tcp::resolver::results_type::create(
        tcp::endpoint(addr, static_cast<unsigned short>(std::stoi(port))), host, port);
  }
  // getaddrinfo cannot be interrupted; the timer only stops waiting for it.
  auto resolver = std::make_shared<tcp::resolver>(ex);
  asio::steady_timer timer(ex);
  timer.expires_at(deadline == Deadline::max() ? Deadline::clock::now() + std::chrono::hours(24 * 365)
                                               : deadline);
  timer.async_wait([resolver](const error_code& e) {
    if (!e) resolver->cancel();
  });
  auto [rec, results] = co_await resolver->async_resolve(host, port, kNoThrow);
  timer.cancel();
  if (rec) {
    if (Deadline::clock::now() >= deadline)
      co_return absl::DeadlineExceededError("context deadline exceeded");
    co_return absl::UnavailableError("dial tcp: lookup " + host + ": " + socket_text(rec));
  }
  co_return results;
}

// Opens a tunnel to `to` through an HTTP proxy (RFC 9110 CONNECT).
asio::awaitable<absl::Status> connect_tunnel(Connection& c, const Url& to, const Url& proxy,
                                             Deadline deadline, const CancelState& cancel) {
  http::request<http::empty_body> req{http::verb::connect, to.host_port(), 11};
  req.set(http::field::host, to.host_port());
  if (proxy.has_userinfo)
    req.set(http::field::proxy_authorization, basic_authorization(proxy.user, proxy.password));
  auto [wec, wn] = co_await http::async_write(*c.tcp, req, kNoThrow);
  if (wec) co_return step_error(wec, deadline, cancel, "proxyconnect tcp: ");
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
  auto [rec, rn] = co_await http::async_read_header(*c.tcp, c.buffer, parser, kNoThrow);
  if (rec) co_return step_error(rec, deadline, cancel, "proxyconnect tcp: ");
  if (parser.get().result_int() / 100 != 2) {
    co_return absl::UnavailableError("proxyconnect tcp: " + std::to_string(parser.get().result_int()) +
                                     " " + std::string(parser.get().reason()));
  }
  co_return absl::OkStatus();
}

}  // namespace

void CancelState::cancel() {
  canceled_.store(true, std::memory_order_release);
  asio::post(ex_, [self = shared_from_this()] {
    if (self->active_) self->active_->cancel();
  });
}

asio::awaitable<absl::StatusOr<std::unique_ptr<Connection>>> dial(
    DialParams p, Deadline deadline, std::shared_ptr<CancelState> cancel) {
  const Url& hop = p.proxy ? *p.proxy : p.url;
  auto endpoints = co_await resolve(hop.host, hop.port, deadline);
  if (!endpoints.ok()) co_return endpoints.status();
  if (cancel->canceled()) co_return absl::CancelledError("context canceled");

  auto ex = co_await asio::this_coro::executor;
  auto c = std::make_unique<Connection>(ex);
  cancel->set_active(&c->lowest());
  const Deadline dial_deadline =
      std::min(deadline, Deadline::clock::now() + std::chrono::milliseconds(p.dial_timeout_ms));
  arm(*c->tcp, dial_deadline);
  auto [cec, ep] = co_await c->tcp->async_connect(*endpoints, kNoThrow);
  const std::string dial_what = "dial tcp " + hop.host_port() + ": ";
  if (cec) {
    cancel->set_active(nullptr);
    if (cec == beast::error::timeout && !cancel->canceled() && Deadline::clock::now() < deadline)
      co_return absl::UnavailableError(dial_what + "i/o timeout");
    co_return step_error(cec, deadline, *cancel, dial_what + "connect: ");
  }
  error_code ignored;
  c->tcp->socket().set_option(tcp::no_delay(true), ignored);
  arm(*c->tcp, deadline);

  absl::Status s;
  if (p.proxy && p.url.tls()) s = co_await connect_tunnel(*c, p.url, *p.proxy, deadline, *cancel);
  if (s.ok() && p.url.tls()) {
    c->ssl.emplace(std::move(*c->tcp), *p.tls);
    c->tcp.reset();
    cancel->set_active(&c->lowest());
    if (!configure_tls_session(c->ssl->native_handle(), p.tls_name, p.verify)) {
      s = absl::InvalidArgumentError("tls: invalid server name \"" + p.tls_name + "\"");
    } else {
      auto [hec] = co_await c->ssl->async_handshake(asio::ssl::stream_base::client, kNoThrow);
      if (hec) {
        s = step_error(hec, deadline, *cancel, "");
        if (absl::IsUnavailable(s))
          s = absl::UnavailableError(tls_error_text(c->ssl->native_handle(), p.tls_name, hec.message()));
      }
    }
  }
  cancel->set_active(nullptr);
  if (!s.ok()) co_return s;
  co_return std::move(c);
}

asio::awaitable<absl::StatusOr<Exchange>> exchange(Connection& c, const OutRequest& req,
                                                   bool head, bool gzip_asked,
                                                   int64_t body_limit_bytes, Deadline deadline,
                                                   std::shared_ptr<CancelState> cancel,
                                                   bool* received) {
  *received = false;
  if (cancel->canceled()) co_return absl::CancelledError("context canceled");
  cancel->set_active(&c.lowest());
  arm(c.lowest(), deadline);
  // Recreated after an interim 1xx answer (100 Continue), which Go skips too.
  std::optional<http::response_parser<http::string_body>> parser;
  bool got_some = false;
  auto fresh_parser = [&] {
    parser.emplace();
    parser->header_limit(64 * 1024);  // Beast's 8 KiB default is below what some servers send
    parser->body_limit(boost::none);
    if (head) parser->skip(true);
  };
  auto run = [&](auto& stream) -> asio::awaitable<error_code> {
    const std::array<asio::const_buffer, 2> wire = {asio::buffer(req.head),
                                                     asio::buffer(req.body.data(), req.body.size())};
    auto [wec, wn] = co_await asio::async_write(stream, wire, kNoThrow);
    if (wec) co_return wec;
    for (;;) {
      fresh_parser();
      auto [hec, hn] = co_await http::async_read_header(stream, c.buffer, *parser, kNoThrow);
      got_some = got_some || parser->got_some();
      if (hec) co_return hec;
      const unsigned status = parser->get().result_int();
      if (status < 100 || status >= 200 || status == 101) break;
    }
    if (body_limit_bytes > 0) {
      uint64_t limit = uint64_t(body_limit_bytes);
      // Deflate's stored blocks add 5 bytes per 64 KiB and gzip 18 bytes of
      // framing, so incompressible data within the limit still fits.
      if (gzip_asked && iequals(std::string_view(parser->get()[http::field::content_encoding]), "gzip"))
        limit += limit / 1024 + 1024;
      // Beast checks a Content-Length against the limit while parsing the
      // header, before the encoding is known here; so check it now.
      if (auto length = parser->content_length(); length && *length > limit)
        co_return error_code(http::error::body_limit);
      parser->body_limit(limit);
    }
    if (parser->is_done()) co_return error_code{};
    auto [rec, rn] = co_await http::async_read(stream, c.buffer, *parser, kNoThrow);
    co_return rec;
  };
  error_code ec = c.ssl ? co_await run(*c.ssl) : co_await run(*c.tcp);
  cancel->set_active(nullptr);
  *received = got_some;
  if (ec) co_return step_error(ec, deadline, *cancel, "");

  auto& res = parser->get();
  Exchange x;
  x.response.status = int(res.result_int());
  x.response.reason = std::string(res.reason());
  if (x.response.reason.empty()) x.response.reason = std::string(http::obsolete_reason(res.result()));
  for (const auto& f : res) x.response.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  x.response.body = std::move(res.body());
  x.keep_alive = res.keep_alive() && !parser->need_eof() && c.buffer.size() == 0;
  co_return x;
}

}  // namespace strata::net::internal
