#include "bench/loadgen/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace strata::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool parse_url(const std::string& url, Url* out, std::string* error) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *error = "only http:// URLs are supported: " + url;
    return false;
  }
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  out->target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    out->host = hostport.substr(0, colon);
    out->port = hostport.substr(colon + 1);
  } else {
    out->host = hostport;
    out->port = "80";
  }
  if (!out->host.empty() && out->host.front() == '[') out->host = out->host.substr(1, out->host.size() - 2);
  if (out->host.empty() || out->port.empty()) {
    *error = "bad URL: " + url;
    return false;
  }
  return true;
}

struct RemoteWriteClient::Impl {
  Url url;
  std::string user_agent;
  asio::io_context ioc;
  tcp::resolver resolver{ioc};
  tcp::resolver::results_type endpoints;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  bool connect(std::string* error) {
    beast::error_code ec;
    if (endpoints.empty()) {
      endpoints = resolver.resolve(url.host, url.port, ec);
      if (ec) {
        *error = "resolve " + url.host + ":" + url.port + ": " + ec.message();
        return false;
      }
    }
    stream.connect(endpoints, ec);
    if (ec) {
      *error = "connect " + url.host + ":" + url.port + ": " + ec.message();
      return false;
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    buffer.clear();
    connected = true;
    return true;
  }

  void close() {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    connected = false;
  }

  // One attempt; status 0 on transport failure.
  PostResult attempt(std::string_view body) {
    PostResult r;
    if (!connected && !connect(&r.error)) return r;
    http::request<http::span_body<const char>> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host + ":" + url.port);
    req.set(http::field::user_agent, user_agent);
    req.set(http::field::content_type, "application/x-protobuf");
    req.set(http::field::content_encoding, "snappy");
    req.set("X-Prometheus-Remote-Write-Version", "0.1.0");
    req.keep_alive(true);
    req.body() = boost::span<const char>(body.data(), body.size());
    req.prepare_payload();
    beast::error_code ec;
    http::write(stream, req, ec);
    if (ec) {
      r.error = "write: " + ec.message();
      close();
      return r;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(stream, buffer, parser, ec);
    if (ec) {
      r.error = "read: " + ec.message();
      close();
      return r;
    }
    auto& res = parser.get();
    r.status = int(res.result_int());
    if (auto it = res.find("X-Prometheus-Remote-Write-Samples-Written"); it != res.end()) {
      try {
        r.samples_written = std::stoll(std::string(it->value()));
      } catch (...) {
      }
    }
    if (r.status < 200 || r.status >= 300) r.error = res.body();
    if (!res.keep_alive()) close();
    return r;
  }
};

RemoteWriteClient::RemoteWriteClient(Url url, std::string user_agent) : impl_(new Impl) {
  impl_->url = std::move(url);
  impl_->user_agent = std::move(user_agent);
}
RemoteWriteClient::~RemoteWriteClient() {
  if (impl_->connected) impl_->close();
}

bool RemoteWriteClient::connect(std::string* error) { return impl_->connect(error); }

PostResult RemoteWriteClient::post(std::string_view body) {
  const bool reused = impl_->connected;
  PostResult r = impl_->attempt(body);
  if (r.status == 0 && reused) r = impl_->attempt(body);
  return r;
}

}  // namespace strata::bench
