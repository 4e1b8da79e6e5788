#include "server/http_server.h"

#include <sys/socket.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "api/params.h"
#include "base/clock.h"
#include "base/log.h"

namespace strata::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string gzip_compress(const std::string& in) {
  z_stream zs{};
  // windowBits 15 + 16 = gzip wrapper; level 1 because CPU is scarcer than bandwidth here.
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, uLong(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

namespace {

bool accepts_gzip(std::string_view accept_encoding) {
  // Good enough for real clients: "gzip" listed and not explicitly refused.
  size_t p = accept_encoding.find("gzip");
  if (p == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(p + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  HttpServerOptions opts;
  const api::Router* router;
  asio::io_context ioc;
  std::unique_ptr<asio::thread_pool> workers;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable idle;
  int bound_port = 0;
  bool started = false;

  metrics::Family<metrics::Counter>* requests;
  metrics::Family<metrics::Histogram>* durations;
  metrics::Family<metrics::Histogram>* sizes;
  metrics::Counter* rejected_connections;

  Impl(HttpServerOptions o, const api::Router* r, metrics::Registry* reg)
      : opts(std::move(o)), router(r) {
    requests = &reg->counter_family("strata_http_requests_total",
                                    "Counter of HTTP requests.", {"handler", "code"});
    durations = &reg->histogram_family("strata_http_request_duration_seconds",
                                       "Histogram of latencies for HTTP requests.", {"handler"},
                                       {.1, .2, .4, 1, 3, 8, 20, 60, 120});
    sizes = &reg->histogram_family("strata_http_response_size_bytes",
                                   "Histogram of response size for HTTP requests.", {"handler"},
                                   metrics::exponential_buckets(100, 10, 8));
    rejected_connections = &reg->counter("strata_http_connections_rejected_total",
                                         "Connections closed because --web.max-connections was reached.");
    reg->gauge_func("strata_http_open_connections", "Open HTTP connections.",
                    [this] { return double(connections.load()); });
  }

  void request_done() {
    if (in_flight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mu);
      idle.notify_all();
    }
  }

  void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->connections.fetch_add(1);
  }
  ~Session() { server_->connections.fetch_sub(1); }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    if (server_->stopping.load()) return close();
    parser_.emplace();
    parser_->body_limit(server_->opts.body_limit);
    parser_->header_limit(server_->opts.header_limit);
    stream_.expires_after(std::chrono::milliseconds(server_->opts.read_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      return close();
    if (ec == http::error::body_limit) return reply_error(413, "request body too large\n");
    if (ec == http::error::header_limit) return reply_error(431, "request headers too large\n");
    if (ec) return reply_error(400, "bad request: " + ec.message() + "\n");
    stream_.expires_never();
    auto& in = parser_->get();
    auto req = std::make_shared<api::HttpRequest>();
    req->method = std::string(in.method_string());
    std::string_view target(in.target().data(), in.target().size());
    size_t q = target.find('?');
    req->path = api::percent_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) req->query = std::string(target.substr(q + 1));
    req->headers.reserve(16);
    for (const auto& f : in) {
      std::string name(f.name_string());
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      req->headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req->body = std::move(in.body());
    beast::error_code ep_ec;
    auto ep = stream_.socket().remote_endpoint(ep_ec);
    if (!ep_ec) req->remote_addr = ep.address().to_string() + ":" + std::to_string(ep.port());
    int fd = stream_.socket().native_handle();
    // The client went away if the socket reads as closed.
    req->cancelled = [fd] {
      char c;
      ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      return n == 0;
    };
    keep_alive_ = in.keep_alive();
    version_ = in.version();
    head_ = in.method() == http::verb::head;
    gzip_ok_ = accepts_gzip(std::string(in[http::field::accept_encoding]));
    server_->in_flight.fetch_add(1);
    // Handlers may block (queries): run them on the worker pool.
    asio::post(*server_->workers, [self = shared_from_this(), req] { self->handle(req); });
  }

  void handle(const std::shared_ptr<api::HttpRequest>& req) {
    double t0 = monotonic_seconds();
    auto resp = std::make_shared<api::HttpResponse>();
    std::string handler;
    try {
      handler = server_->router->route(*req, *resp);
    } catch (const std::exception& e) {
      // Handlers report errors as statuses; this is the last line of defence.
      log::error("web", "handler threw", {{"path", req->path}, {"err", e.what()}});
      resp->status = 500;
      resp->content_type = "text/plain; charset=utf-8";
      resp->body = "internal server error\n";
      handler = "other";
    }
    double dt = monotonic_seconds() - t0;
    server_->requests->with({handler, std::to_string(resp->status)}).inc();
    server_->durations->with({handler}).observe(dt);
    server_->sizes->with({handler}).observe(double(resp->body.size()));
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this(), resp] { self->write(*resp); });
  }

  void write(api::HttpResponse& r) {
    auto res = std::make_shared<http::response<http::string_body>>(
        http::int_to_status(unsigned(r.status)), version_);
    res->set(http::field::server, "Strata");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    bool has_encoding = false;
    for (auto& [k, v] : r.headers) has_encoding = has_encoding || beast::iequals(k, "Content-Encoding");
    if (gzip_ok_ && !has_encoding && r.body.size() > 1024) {
      std::string z = gzip_compress(r.body);
      if (!z.empty()) {
        r.body = std::move(z);
        res->set(http::field::content_encoding, "gzip");
      }
    }
    if (r.body.size() > 1024 || gzip_ok_) res->set(http::field::vary, "Accept-Encoding");
    bool keep = keep_alive_ && !server_->stopping.load();
    res->keep_alive(keep);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_) res->body().clear();
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
      self->server_->request_done();
      if (ec || !keep) return self->close();
      self->read();
    });
  }

  void reply_error(int status, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(http::int_to_status(unsigned(status)), 11);
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    server_->requests->with({"other", std::to_string(status)}).inc();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code, size_t) { self->close(); });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool head_ = false;
  bool gzip_ok_ = false;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || self->stopping.load()) return;
    } else if (self->connections.load() >= self->opts.max_connections) {
      self->rejected_connections->inc();
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), self)->start();
    }
    self->accept();
  });
}

HttpServer::HttpServer(HttpServerOptions opts, const api::Router* router, metrics::Registry* registry)
    : impl_(std::make_shared<Impl>(std::move(opts), router, registry)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

absl::Status HttpServer::start() {
  Impl& s = *impl_;
  std::string addr = s.opts.address;
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("address " + addr + ": missing port");
  std::string host = addr.substr(0, colon), port = addr.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  beast::error_code ec;
  tcp::resolver resolver(s.ioc);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty())
    return absl::InvalidArgumentError("listen tcp " + addr + ": " + (ec ? ec.message() : "no address"));
  tcp::endpoint ep = *results.begin();
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError("listen tcp " + addr + ": " + ec.message());
  s.bound_port = s.acceptor.local_endpoint().port();
  unsigned hw = std::max(2u, std::thread::hardware_concurrency());
  int io = s.opts.io_threads > 0 ? s.opts.io_threads : int(hw);
  int work = s.opts.handler_threads > 0 ? s.opts.handler_threads : int(std::max(4u, 2 * hw));
  s.workers = std::make_unique<asio::thread_pool>(size_t(work));
  s.accept();
  for (int i = 0; i < io; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  s.started = true;
  return absl::OkStatus();
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (!s.started) return;
  s.started = false;
  s.stopping.store(true);
  asio::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.idle.wait_for(lock, grace, [&s] { return s.in_flight.load() == 0; });
  }
  // Past the grace period, queued requests are dropped; running ones finish.
  if (s.in_flight.load() > 0) s.workers->stop();
  s.workers->join();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

int HttpServer::port() const { return impl_->bound_port; }

}  // namespace strata::server
