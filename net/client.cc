// net::Client: the keep-alive pool, request building, redirects and gzip
// around the exchange of net/connection.h (see net/client.h).
#include "net/client.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <optional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/base/thread_annotations.h"
#include "base/status.h"
#include "net/auth.h"
#include "net/connection.h"
#include "net/gzip.h"
#include "net/tls.h"

namespace strata::net {

using internal::CancelState;
using internal::Connection;
using internal::OutRequest;
namespace asio = boost::asio;

struct Client::Impl {
  ClientOptions opts;
  std::unique_ptr<asio::io_context> own_ioc;
  asio::io_context* ioc = nullptr;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;  // runs own_ioc
  std::shared_ptr<asio::ssl::context> tls;
  std::optional<Url> proxy;

  std::mutex mu;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle ABSL_GUARDED_BY(mu);
  std::atomic<uint64_t> connections_opened{0};
  std::atomic<uint64_t> requests{0};

  std::string pool_key(const Url& u) const { return proxy ? u.origin() + "|" + proxy->origin() : u.origin(); }

  // The newest idle connection of `key` that has not idled too long.
  std::unique_ptr<Connection> take(const std::string& key) {
    std::lock_guard<std::mutex> l(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    const auto oldest = Deadline::clock::now() - std::chrono::milliseconds(opts.idle_timeout_ms);
    while (!it->second.empty()) {
      std::unique_ptr<Connection> c = std::move(it->second.back());
      it->second.pop_back();
      if (c->idle_since >= oldest) return c;
    }
    return nullptr;
  }

  void put(const std::string& key, std::unique_ptr<Connection> c) {
    c->idle_since = Deadline::clock::now();
    std::lock_guard<std::mutex> l(mu);
    auto& v = idle[key];
    if (v.size() < opts.max_idle_per_origin) v.push_back(std::move(c));
  }

  absl::StatusOr<OutRequest> build(const Url& url, const std::string& method, const Request& req,
                                   std::string_view body, bool* gzip_asked) const;
  asio::awaitable<absl::StatusOr<Response>> round_trip(const Url& url, const OutRequest& out,
                                                       bool head, bool gzip_asked, int64_t limit,
                                                       Deadline deadline,
                                                       std::shared_ptr<CancelState> cancel);
  asio::awaitable<absl::StatusOr<Response>> run(Request req, Deadline deadline,
                                                std::shared_ptr<CancelState> cancel,
                                                std::stop_token stop);
};

namespace {

// Header fields in the order they go out; set() replaces a field of the
// same name (case-insensitively), add() appends another.
class FieldList {
 public:
  void set(std::string_view name, std::string_view value) {
    for (auto& [k, v] : fields_) {
      if (iequals(k, name)) {
        v = value;
        return;
      }
    }
    add(name, value);
  }
  void add(std::string_view name, std::string_view value) { fields_.emplace_back(name, value); }
  // "Name: value\r\n" lines; refuses CR, LF and NUL, which would let a
  // value smuggle in another field or request (Go refuses them too).
  absl::Status append_to(std::string* head) const {
    for (const auto& [k, v] : fields_) {
      if (k.empty() || k.find_first_of(":\r\n \t", 0) != std::string::npos ||
          k.find('\0') != std::string::npos)
        return absl::InvalidArgumentError("net/http: invalid header field name \"" + k + "\"");
      if (v.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        return absl::InvalidArgumentError("net/http: invalid header field value for \"" + k + "\"");
      head->append(k).append(": ").append(v).append("\r\n");
    }
    return absl::OkStatus();
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool valid_method(const std::string& m) {
  return !m.empty() && std::all_of(m.begin(), m.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!';
  });
}

}  // namespace

absl::StatusOr<OutRequest> Client::Impl::build(const Url& url, const std::string& method,
                                               const Request& req, std::string_view body,
                                               bool* gzip_asked) const {
  if (!valid_method(method)) return absl::InvalidArgumentError("net/http: invalid method \"" + method + "\"");
  const bool via_proxy = proxy && !url.tls();
  FieldList f;
  const bool default_port = url.port == (url.tls() ? "443" : "80");
  f.set("Host", default_port ? url.host_port().substr(0, url.host_port().rfind(':')) : url.host_port());
  f.set("User-Agent", opts.user_agent);
  const Headers& given = req.headers;
  if (!has_header(given, "Authorization")) {
    auto auth = authorization_header(opts.http);
    if (!auth.ok()) return auth.status();
    if (*auth) f.set("Authorization", **auth);
    else if (url.has_userinfo) f.set("Authorization", basic_authorization(url.user, url.password));
  }
  if (via_proxy && proxy->has_userinfo)
    f.set("Proxy-Authorization", basic_authorization(proxy->user, proxy->password));
  *gzip_asked = !opts.disable_compression && method != "HEAD" &&
                !has_header(given, "Accept-Encoding") && !has_header(given, "Range");
  if (*gzip_asked) f.set("Accept-Encoding", "gzip");
  for (const auto& [k, v] : opts.headers) f.set(k, v);
  // A name's first occurrence in the request replaces the defaults above;
  // repeats are added, so a request can send a header twice on purpose.
  std::vector<std::string_view> seen;
  for (const auto& [k, v] : given) {
    const std::string_view name = k;  // clang 14 cannot capture a structured binding
    bool again = std::any_of(seen.begin(), seen.end(),
                             [&](std::string_view s) { return iequals(s, name); });
    if (again) f.add(k, v);
    else f.set(k, v);
    seen.push_back(k);
  }
  // The body goes as it is: a caller that sets Content-Length or
  // Transfer-Encoding itself frames it itself.
  const bool framed = has_header(given, "Content-Length") || has_header(given, "Transfer-Encoding");
  if (!framed && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH"))
    f.set("Content-Length", std::to_string(body.size()));
  const std::string& target = via_proxy ? url.absolute() : url.target;
  if (target.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return absl::InvalidArgumentError("net/http: can't write control character in Request.URL");
  OutRequest out;
  out.head.reserve(256);
  out.head.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  STRATA_RETURN_IF_ERROR(f.append_to(&out.head));
  out.head.append("\r\n");
  out.body = body;
  return out;
}

asio::awaitable<absl::StatusOr<Response>> Client::Impl::round_trip(
    const Url& url, const OutRequest& out, bool head, bool gzip_asked, int64_t limit,
    Deadline deadline, std::shared_ptr<CancelState> cancel) {
  const std::string key = pool_key(url);
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> c = take(key);
    const bool reused = c != nullptr;
    if (!c) {
      internal::DialParams p;
      p.url = url;
      p.proxy = proxy ? &*proxy : nullptr;
      p.tls = tls.get();
      p.tls_name = opts.http.tls_config.server_name.empty() ? url.host : opts.http.tls_config.server_name;
      p.verify = !opts.http.tls_config.insecure_skip_verify;
      p.dial_timeout_ms = opts.dial_timeout_ms;
      auto d = co_await internal::dial(std::move(p), deadline, cancel);
      if (!d.ok()) co_return d.status();
      connections_opened.fetch_add(1, std::memory_order_relaxed);
      c = std::move(*d);
    }
    requests.fetch_add(1, std::memory_order_relaxed);
    bool received = false;
    auto x = co_await internal::exchange(*c, out, head, gzip_asked, limit, deadline, cancel, &received);
    if (x.ok()) {
      if (x->keep_alive) put(key, std::move(c));
      co_return std::move(x->response);
    }
    // A kept-alive connection the server closed meanwhile fails before any
    // byte of an answer: retry once on a fresh connection, as Go does.
    const bool stale = reused && !received && absl::IsUnavailable(x.status());
    if (!stale || attempt > 0) co_return x.status();
  }
}

asio::awaitable<absl::StatusOr<Response>> Client::Impl::run(Request req, Deadline deadline,
                                                            std::shared_ptr<CancelState> cancel,
                                                            std::stop_token stop) {
  std::stop_callback on_stop(stop, [cancel] { cancel->cancel(); });
  std::string method = req.method.empty() ? "GET" : req.method;
  auto parsed = parse_url(req.url);
  if (!parsed.ok()) co_return url_error(method, redact_unparsed(req.url), parsed.status());
  Url url = std::move(*parsed);
  std::string_view body = req.body;
  for (int redirects = 0;; ++redirects) {
    bool gzip_asked = false;
    auto out = build(url, method, req, body, &gzip_asked);
    if (!out.ok()) co_return url_error(method, url.redacted(), out.status());
    const bool head = method == "HEAD";
    auto r = co_await round_trip(url, *out, head, gzip_asked, req.body_limit_bytes, deadline, cancel);
    if (!r.ok()) co_return url_error(method, url.redacted(), r.status());
    Response& res = *r;
    res.url = url.redacted();
    const int st = res.status;
    const bool redirect = st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
    std::string location = res.header("Location");
    if (redirect && opts.http.follow_redirects && !location.empty()) {
      if (redirects >= opts.max_redirects) {
        co_return url_error(method, url.redacted(),
                            absl::FailedPreconditionError("stopped after " +
                                                          std::to_string(opts.max_redirects) + " redirects"));
      }
      auto next = resolve_reference(url, location);
      if (!next.ok()) co_return url_error(method, url.redacted(), next.status());
      // 303, and 301/302 after a POST, continue as GET without a body (Go's rule).
      if (st == 303 || ((st == 301 || st == 302) && method == "POST")) {
        if (method != "HEAD") method = "GET";
        body = {};
      }
      url = std::move(*next);
      continue;
    }
    if (gzip_asked && iequals(res.header("Content-Encoding"), "gzip") &&
        !res.body.empty()) {
      auto plain = gunzip(res.body, req.body_limit_bytes);
      if (!plain.ok()) co_return url_error(method, url.redacted(), plain.status());
      res.body = std::move(*plain);
      std::erase_if(res.headers, [](const auto& h) {
        return iequals(h.first, "Content-Encoding") ||
               iequals(h.first, "Content-Length");
      });
      res.uncompressed = true;
    }
    co_return std::move(res);
  }
}

absl::StatusOr<std::unique_ptr<Client>> Client::create(ClientOptions opts, asio::io_context* ioc) {
  if (opts.http.oauth2) return absl::UnimplementedError("oauth2 is not supported by Strata yet");
  auto impl = std::make_unique<Impl>();
  if (!opts.http.proxy_url.empty()) {
    auto p = parse_url(opts.http.proxy_url);
    if (!p.ok()) return annotate(p.status(), "proxy_url " + redact_unparsed(opts.http.proxy_url));
    if (p->tls()) return absl::UnimplementedError("https proxy_url is not supported by Strata yet");
    impl->proxy = std::move(*p);
  }
  auto tls = make_tls_context(opts.http.tls_config);
  if (!tls.ok()) return tls.status();
  impl->tls = std::move(*tls);
  if (ioc) {
    impl->ioc = ioc;
  } else {
    impl->own_ioc = std::make_unique<asio::io_context>(1);  // one thread: no locking inside
    impl->ioc = impl->own_ioc.get();
    impl->work.emplace(impl->ioc->get_executor());
    impl->thread = std::thread([ioc = impl->ioc] { ioc->run(); });
  }
  impl->opts = std::move(opts);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  if (impl_->own_ioc) {
    impl_->work.reset();
    impl_->ioc->stop();
    impl_->thread.join();
  }
  close_idle_connections();
}

void Client::async_send(Request req, Deadline deadline, Callback done, std::stop_token stop) {
  asio::any_io_executor ex = impl_->ioc->get_executor();
  auto cancel = std::make_shared<CancelState>(ex);
  asio::co_spawn(ex, impl_->run(std::move(req), deadline, std::move(cancel), std::move(stop)),
                 [done = std::move(done)](std::exception_ptr e, absl::StatusOr<Response> r) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       r = absl::InternalError(std::string("http client: ") + x.what());
                     } catch (...) {
                       r = absl::InternalError("http client: unknown exception");
                     }
                   }
                   done(std::move(r));
                 });
}

absl::StatusOr<Response> Client::send(const Request& req, Deadline deadline, std::stop_token stop) {
  std::promise<absl::StatusOr<Response>> p;
  auto f = p.get_future();
  async_send(req, deadline, [&p](absl::StatusOr<Response> r) { p.set_value(std::move(r)); },
             std::move(stop));
  return f.get();
}

void Client::close_idle_connections() {
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> drop;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    drop.swap(impl_->idle);
  }
}

ClientStats Client::stats() const {
  return {impl_->connections_opened.load(std::memory_order_relaxed),
          impl_->requests.load(std::memory_order_relaxed)};
}

}  // namespace strata::net
