// HttpClient: a small synchronous HTTP/1.1 client for tests. It keeps one
// connection alive between requests (reconnecting when the server closed it),
// never adds Accept-Encoding on its own (so bodies come back as sent unless a
// test asks for gzip), and returns responses as they arrived: status, headers
// with lower-case names, and the body (de-chunked, never decompressed).
// Transport failures are statuses; any HTTP status is a successful result.
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testutil/tcp_connection.h"

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
  int connections_opened() const { return connections_opened_; }
  // Closes the kept-alive connection (the next request opens a new one).
  void close() { conn_.close(); }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  absl::StatusOr<HttpResponse> attempt(const std::string& wire, bool is_head, bool* sent_any);
  absl::StatusOr<HttpResponse> read_response(bool is_head, bool* keep_alive);
  absl::Status fill(std::chrono::steady_clock::time_point deadline);  // reads more into buf_

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  TcpConnection conn_;
  std::string buf_;  // received, not yet consumed
  int connections_opened_ = 0;
};

// application/x-www-form-urlencoded, for POST /api/v1/query and friends.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& kv);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view s);

}  // namespace strata::testutil
