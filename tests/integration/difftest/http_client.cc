#include "tests/integration/difftest/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace strata::difftest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string form_encode(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

struct HttpClient::Impl {
  std::string host;
  int port;
  int timeout_s;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  bool timed_out = false;  // the last attempt hit the timeout (never retried)

  bool connect(std::string* error) {
    beast::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(host, ec), static_cast<unsigned short>(port));
    if (ec) {
      *error = "bad address " + host + ": " + ec.message();
      return false;
    }
    stream.expires_after(std::chrono::seconds(timeout_s));
    stream.connect(ep, ec);
    if (ec) {
      *error = "connect " + host + ":" + std::to_string(port) + ": " + ec.message();
      return false;
    }
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

  HttpResult attempt(http::verb verb, const std::string& target, const std::string& body, const Params& headers) {
    HttpResult r;
    timed_out = false;
    if (!connected && !connect(&r.transport_error)) return r;
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.set(http::field::user_agent, "strata-difftest/1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(true);
    if (verb == http::verb::post) req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(timeout_s));
    http::write(stream, req, ec);
    if (ec) {
      r.transport_error = "write: " + ec.message();
      close();
      return r;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(512u << 20);
    http::read(stream, buffer, parser, ec);
    if (ec) {
      timed_out = ec == beast::error::timeout;
      r.transport_error = "read: " + ec.message();
      close();
      return r;
    }
    auto& res = parser.get();
    r.status = int(res.result_int());
    r.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return r;
  }

  HttpResult request(http::verb verb, const std::string& target, const std::string& body, const Params& headers) {
    const bool reused = connected;
    HttpResult r = attempt(verb, target, body, headers);
    // A kept-alive connection the server closed in the meantime: retry once.
    if (r.status == 0 && reused && !timed_out) r = attempt(verb, target, body, headers);
    return r;
  }
};

HttpClient::HttpClient(std::string host, int port, int timeout_s) : impl_(new Impl) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout_s = timeout_s;
}

HttpClient::~HttpClient() {
  if (impl_->connected) impl_->close();
}

HttpResult HttpClient::get(const std::string& target) { return impl_->request(http::verb::get, target, "", {}); }

HttpResult HttpClient::post_form(const std::string& target, const Params& params) {
  return impl_->request(http::verb::post, target, form_encode(params),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

HttpResult HttpClient::post(const std::string& target, const std::string& body, const Params& headers) {
  return impl_->request(http::verb::post, target, body, headers);
}

}  // namespace strata::difftest
