#include "server/http_server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/ascii.h"
#include "base/log.h"
#include "server/http_internal.h"
#include "server/http_session.h"

namespace strata::server {
namespace internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// After the grace period, requests still in a handler see cancelled(); this
// is how long they get to notice before stop() just waits for them.
constexpr auto kAbortWait = std::chrono::seconds(5);

int default_io_threads() {
  // At least 2 so that one thread busy compressing a large response or
  // accepting a burst of connections does not pause all I/O.
  return int(std::max(2u, std::thread::hardware_concurrency()));
}

// "host:port" → host, port. IPv6 hosts come in brackets ("[::1]:9090").
bool split_host_port(const std::string& addr, std::string* host, std::string* port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  *host = addr.substr(0, colon);
  *port = addr.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  if (host->empty()) *host = "0.0.0.0";
  return !port->empty();
}

std::string go_style(const boost::system::error_code& ec) {
  return absl::AsciiStrToLower(ec.message());
}

}  // namespace

ListenerCore::ListenerCore(HttpServerOptions o, RouteFn r, metrics::Registry* reg)
    : opts(std::move(o)),
      route(std::move(r)),
      max_connections_(size_t(std::max(1, opts.max_connections))) {
  // Label names in sorted order, as client_golang writes them.
  requests_ = &reg->counter_family("strata_http_requests_total",
                                   "Counter of HTTP requests.", {"code", "handler"});
  // Prometheus' buckets for prometheus_http_request_duration_seconds.
  durations_ = &reg->histogram_family("strata_http_request_duration_seconds",
                                      "Histogram of latencies for HTTP requests.", {"handler"},
                                      {.1, .2, .4, 1, 3, 8, 20, 60, 120});
  // 100 B .. 1 GB in powers of 10, as prometheus_http_response_size_bytes.
  sizes_ = &reg->histogram_family("strata_http_response_size_bytes",
                                  "Histogram of response size for HTTP requests.", {"handler"},
                                  metrics::exponential_buckets(100, 10, 8));
  open_connections_ = &reg->gauge("strata_http_open_connections",
                                  "Number of currently open HTTP connections.");
  idle_connections_ = &reg->gauge(
      "strata_http_idle_connections",
      "Open HTTP connections waiting for request bytes (between requests, in the TLS "
      "handshake or receiving a request): those a new connection may evict at "
      "--web.max-connections.");
  accept_errors_ = &reg->counter("strata_http_accept_errors_total",
                                 "Number of failed accepts of HTTP connections.");
  tls_handshake_failures_ =
      &reg->counter("strata_http_tls_handshake_failures_total",
                    "Number of HTTPS connections closed because the TLS handshake failed.");
  evictions_ = &reg->counter(
      "strata_http_connections_evicted_total",
      "Number of HTTP connections closed while waiting for request bytes (idle keep-alive or "
      "slow clients) to make room for a new connection at --web.max-connections.");
  inflight_body_gauge_ = &reg->gauge(
      "strata_http_inflight_body_bytes",
      "Bytes reserved by request bodies being read or handled (see --web.max-inflight-body-size).");
  inflight_body_refused_ = &reg->counter(
      "strata_http_inflight_body_refused_total",
      "Number of requests answered 503 because their body, or the memory to decode it, did not "
      "fit in --web.max-inflight-body-size.");
}

bool ListenerCore::reserve_body(uint64_t bytes) {
  const uint64_t max = opts.max_inflight_body_bytes;
  uint64_t cur = inflight_body_bytes_.load();
  do {
    if (max != 0 && (bytes > max || cur > max - bytes)) {
      inflight_body_refused_->inc();
      return false;
    }
  } while (!inflight_body_bytes_.compare_exchange_weak(cur, cur + bytes));
  inflight_body_gauge_->add(double(bytes));
  return true;
}

std::string ListenerCore::inflight_full_message() const {
  return "too many request bytes in flight (limit " + std::to_string(opts.max_inflight_body_bytes) +
         " bytes); retry later";
}

void ListenerCore::release_body(uint64_t bytes) {
  inflight_body_bytes_.fetch_sub(bytes);
  inflight_body_gauge_->add(-double(bytes));
}

ListenerCore::~ListenerCore() { stop(std::chrono::milliseconds(0)); }

void ListenerCore::record(const std::string& handler, int code, double seconds, size_t bytes) {
  requests_->with({std::to_string(code), handler}).inc();
  durations_->with({handler}).observe(seconds);
  sizes_->with({handler}).observe(double(bytes));
}

void ListenerCore::tls_handshake_failed(const std::string& remote, const std::string& reason) {
  tls_handshake_failures_->inc();
  // Debug only: port scanners and health checks that only open a TCP
  // connection would otherwise fill the log.
  log::debug("web", "TLS handshake failed", {{"remote", remote}, {"err", reason}});
}

void ListenerCore::add_session(const std::shared_ptr<Session>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.emplace(s.get(), s);
  open_connections_->add(1);
}

void ListenerCore::remove_session(Session* s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.erase(s) == 0) return;
  open_connections_->add(-1);
  if (held_.load()) wake_held();
  sessions_cv_.notify_all();
}

void ListenerCore::session_evictable() {
  if (held_.load()) wake_held();
}

void ListenerCore::wake_held() {
  // exchange: one wake-up per hold, however many sessions free up at once.
  if (!held_.exchange(false)) return;
  asio::post(accept_strand_, [this] {
    if (accept_state_ == AcceptState::kHeld) evict_or_hold();
  });
}

void ListenerCore::eviction_done(bool evicted) {
  if (evicted) evictions_->inc();
  asio::post(accept_strand_, [this] {
    if (accept_state_ != AcceptState::kEvicting) return;
    accept_state_ = AcceptState::kHeld;
    // Evicted: it has left the table, so this accepts. Not evicted (it got
    // its request meanwhile): another session is tried.
    evict_or_hold();
  });
}

void ListenerCore::resume_accepting() {
  if (stopping.load()) return;
  bool room;
  {
    std::lock_guard<std::mutex> lock(mu_);
    room = sessions_.size() < max_connections_;
  }
  if (room) {
    accept_state_ = AcceptState::kAccepting;
    return accept();
  }
  // At the limit nobody is evicted until a connection actually arrives: the
  // acceptor turns readable while one waits in the kernel's backlog.
  accept_state_ = AcceptState::kWaitArrival;
  acceptor_.async_wait(tcp::acceptor::wait_read,
                       [this](boost::system::error_code ec) { on_arrival(ec); });
}

void ListenerCore::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [this](boost::system::error_code ec, tcp::socket socket) {
                           on_accept(ec, std::move(socket));
                         });
}

void ListenerCore::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends: count, log, and keep accepting (the kernel queue
    // holds the connection until a descriptor frees up).
    accept_errors_->inc();
    log::error("web", "Accepting an HTTP connection failed", {{"err", ec.message()}});
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    // Each connection takes the TLS context in force when it arrives, so a
    // rotated certificate serves the next handshake.
    std::shared_ptr<const WebConfigFile::State> web;
    if (tls_) web = web_state();
    std::make_shared<Session>(std::move(socket), this, std::move(web))->start();
  }
  resume_accepting();
}

void ListenerCore::on_arrival(boost::system::error_code ec) {
  if (stopping.load() || ec == asio::error::operation_aborted) return;
  // An error here would show again in accept(), which counts and logs it.
  accept_state_ = AcceptState::kHeld;
  evict_or_hold();
}

void ListenerCore::evict_or_hold() {
  if (stopping.load()) return;
  std::shared_ptr<Session> victim;
  int64_t since = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sessions_.size() >= max_connections_) {
      held_.store(true);
      // Reading through the raw pointer is safe under mu_: ~Session removes
      // itself under mu_ before any member is destroyed.
      const std::weak_ptr<Session>* oldest = nullptr;
      for (auto& [p, w] : sessions_) {
        int64_t t = p->evictable_since();
        if (t != 0 && (oldest == nullptr || t < since)) {
          since = t;
          oldest = &w;
        }
      }
      // None evictable: hold, with held_ set. A victim already in its
      // destructor fails lock() and wakes us from remove_session.
      if (oldest == nullptr || !(victim = oldest->lock())) return;
      held_.store(false);
    }
  }
  if (!victim) return resume_accepting();
  accept_state_ = AcceptState::kEvicting;
  victim->post_evict(since);
}

absl::Status ListenerCore::start() {
  std::string host, port;
  if (!split_host_port(opts.address, &host, &port))
    return absl::InvalidArgumentError("listen tcp " + opts.address + ": missing port in address");
  boost::system::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty())
    return absl::InvalidArgumentError("listen tcp " + opts.address + ": lookup " + host + ": " +
                                      (ec ? go_style(ec) : "no such host"));
  tcp::endpoint ep = *results.begin();
  tls_ = opts.web_config != nullptr && opts.web_config->tls();
  acceptor_.open(ep.protocol(), ec);
  if (ec) return absl::UnavailableError("listen tcp " + opts.address + ": socket: " + go_style(ec));
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_.bind(ep, ec);
  if (ec) return absl::UnavailableError("listen tcp " + opts.address + ": bind: " + go_style(ec));
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError("listen tcp " + opts.address + ": listen: " + go_style(ec));
  tcp::endpoint local = acceptor_.local_endpoint(ec);
  bound_port = local.port();
  std::string a = local.address().to_string();
  bound_address = (local.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(bound_port);

  WorkerPool::Options wo;
  wo.min_threads = std::max(4, default_io_threads());
  wo.max_threads = std::max(wo.min_threads, opts.max_connections);
  workers = std::make_unique<WorkerPool>(wo);
  work_guard_.emplace(ioc_.get_executor());
  asio::post(accept_strand_, [this] { resume_accepting(); });
  int n = opts.io_threads > 0 ? opts.io_threads : default_io_threads();
  for (int i = 0; i < n; ++i) io_threads_.emplace_back([this] { run_io(); });
  started_ = true;
  return absl::OkStatus();
}

void ListenerCore::run_io() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      log::error("web", "connection dropped after an exception", {{"err", e.what()}});
    } catch (...) {
      log::error("web", "connection dropped after an exception", {{"err", "unknown"}});
    }
  }
}

void ListenerCore::for_each_session(void (Session::*f)()) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [p, w] : sessions_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->post_to_strand(f);
}

bool ListenerCore::wait_sessions_gone(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return sessions_cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

void ListenerCore::stop(std::chrono::milliseconds grace) {
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping.store(true);
  asio::post(accept_strand_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  // Idle keep-alive connections close now; the others after their response.
  for_each_session(&Session::on_stop);
  if (!wait_sessions_gone(std::chrono::steady_clock::now() + grace)) {
    aborting.store(true);
    for_each_session(&Session::on_abort);
    if (!wait_sessions_gone(std::chrono::steady_clock::now() + kAbortWait)) {
      log::warn("web", "Waiting for HTTP handlers that ignore cancellation",
                {{"busy", workers->busy()}});
    }
  }
  workers->shutdown();  // running handlers finish; nothing new is queued
  work_guard_.reset();
  ioc_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
}

}  // namespace internal

HttpServer::HttpServer(HttpServerOptions opts, RouteFn route, metrics::Registry* registry)
    : core_(std::make_unique<internal::ListenerCore>(std::move(opts), std::move(route), registry)) {}

HttpServer::HttpServer(HttpServerOptions opts, const api::Router& router,
                       metrics::Registry* registry)
    : HttpServer(
          [&] {
            if (!opts.route_body_limit) {
              opts.route_body_limit = [&router](std::string_view method, std::string_view path) {
                return router.body_limit(method, path);
              };
            }
            return std::move(opts);
          }(),
          [&router](const api::HttpRequest& req, api::HttpResponse& resp) {
            return router.route(req, resp);
          },
          registry) {}

HttpServer::~HttpServer() = default;

absl::Status HttpServer::start() { return core_->start(); }
void HttpServer::stop(std::chrono::milliseconds grace) { core_->stop(grace); }
std::string HttpServer::bound_address() const { return core_->bound_address; }
int HttpServer::port() const { return core_->bound_port; }

}  // namespace strata::server
