// HttpClient: the tests' synchronous HTTP/1.1 client for one server
// (host:port), a thin layer over net::Client (net/client.h) that keeps what
// the tests rely on: the kept-alive connection is reused between requests
// (reconnecting when the server closed it), Accept-Encoding is never added
// (bodies come back as sent unless a test asks for gzip) and never decoded,
// redirects are not followed, and responses come back as they arrived:
// status, headers with lower-case names, and the de-chunked body.
// Transport failures are statuses; any HTTP status is a successful result.
// Thread-safe, like net::Client; movable.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "net/client.h"

namespace strata::testutil {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  Headers headers;  // names lower-case, in arrival order
  std::string body;

  // First value of a header (name matched case-insensitively), or "".
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // HTTPS (when `tls`) and/or credentials from `config` (basic_auth,
  // tls_config), for servers with a --web.config.file. Aborts when `config`
  // names TLS files that cannot be read.
  HttpClient(std::string host, int port, std::chrono::milliseconds timeout,
             const net::HttpClientConfig& config, bool tls);

  absl::StatusOr<HttpResponse> get(const std::string& path, const Headers& headers = {});
  absl::StatusOr<HttpResponse> head(const std::string& path, const Headers& headers = {});
  absl::StatusOr<HttpResponse> post(const std::string& path, const std::string& body,
                                    const std::string& content_type,
                                    const Headers& headers = {});
  // Any method; `path` may carry a query string. Adds Host, and Content-Length
  // when there is a body or the method is POST/PUT (unless `headers` has one).
  absl::StatusOr<HttpResponse> request(const std::string& method, const std::string& path,
                                       const std::string& body, const Headers& headers);

  // TCP connections opened so far: 1 after several requests means keep-alive
  // worked.
  int connections_opened() const { return int(client_->stats().connections_opened); }
  // Closes the kept-alive connection (the next request opens a new one).
  void close() { client_->close_idle_connections(); }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  std::string base_url_;  // http://host:port or https://host:port
  std::chrono::milliseconds timeout_;
  std::unique_ptr<net::Client> client_;
};

// application/x-www-form-urlencoded, for POST /api/v1/query and friends.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& kv);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view s);

}  // namespace strata::testutil
