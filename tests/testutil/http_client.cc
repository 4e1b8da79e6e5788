#include "tests/testutil/http_client.h"

#include <cctype>
#include <cstdlib>

#include "absl/strings/ascii.h"

namespace strata::testutil {

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (net::iequals(k, name)) return v;
  return "";
}

bool HttpResponse::has_header(std::string_view name) const { return net::has_header(headers, name); }

HttpClient::HttpClient(std::string host, int port, std::chrono::milliseconds timeout)
    : HttpClient(std::move(host), port, timeout, net::HttpClientConfig(), false) {}

HttpClient::HttpClient(std::string host, int port, std::chrono::milliseconds timeout,
                       const net::HttpClientConfig& config, bool tls)
    : timeout_(timeout) {
  const bool v6 = host.find(':') != std::string::npos;
  base_url_ = std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
              std::to_string(port);
  net::ClientOptions opts;
  opts.user_agent = "strata-testutil";
  opts.disable_compression = true;
  opts.http = config;
  opts.http.follow_redirects = false;
  auto c = net::Client::create(std::move(opts));
  if (!c.ok()) std::abort();  // plain HTTP, or TLS files the test just wrote
  client_ = std::move(*c);
}

absl::StatusOr<HttpResponse> HttpClient::get(const std::string& path, const Headers& headers) {
  return request("GET", path, "", headers);
}

absl::StatusOr<HttpResponse> HttpClient::head(const std::string& path, const Headers& headers) {
  return request("HEAD", path, "", headers);
}

absl::StatusOr<HttpResponse> HttpClient::post(const std::string& path, const std::string& body,
                                              const std::string& content_type,
                                              const Headers& headers) {
  Headers h = headers;
  if (!content_type.empty() && !net::has_header(h, "content-type"))
    h.emplace_back("Content-Type", content_type);
  return request("POST", path, body, h);
}

absl::StatusOr<HttpResponse> HttpClient::request(const std::string& method,
                                                 const std::string& path,
                                                 const std::string& body,
                                                 const Headers& headers) {
  net::Request req;
  req.method = method;
  req.url = base_url_ + path;
  req.headers = headers;
  req.body = body;
  auto r = client_->send(req, net::Deadline::clock::now() + timeout_);
  if (!r.ok()) return r.status();
  HttpResponse out;
  out.status = r->status;
  out.body = std::move(r->body);
  out.headers.reserve(r->headers.size());
  for (auto& [k, v] : r->headers) out.headers.emplace_back(absl::AsciiStrToLower(k), std::move(v));
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

}  // namespace strata::testutil
