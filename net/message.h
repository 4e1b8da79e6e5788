// Request and Response of net/'s HTTP client (net/client.h), and the
// Go-style texts of its errors, so that a failed scrape shows the lastError
// Prometheus would show: `Get "http://h:9100/metrics": context deadline
// exceeded`, `server returned HTTP status 500 Internal Server Error`.
//
// Value types. A Request's body is a view: the caller keeps the bytes alive
// until the request completes (send() returns / the callback ran), so large
// pre-encoded bodies (remote write, loadgen) are never copied.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace strata::net {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Deadline = std::chrono::steady_clock::time_point;

struct Request {
  std::string method = "GET";
  std::string url;        // absolute http:// or https:// URL
  Headers headers;        // sent as given, after the client's defaults
  std::string_view body;  // not owned; see the header comment
  // Largest response body accepted, after gzip decoding (Prometheus'
  // body_size_limit); 0 = no limit. Over it the request fails with
  // ResourceExhausted "body size limit exceeded".
  int64_t body_limit_bytes = 0;
};

struct Response {
  int status = 0;
  std::string reason;  // the status line's text, e.g. "Internal Server Error"
  Headers headers;     // names as received, in arrival order
  std::string body;    // de-chunked; gzip-decoded only when `uncompressed`
  // True when the client asked for gzip itself and decoded the body (then
  // Content-Encoding and Content-Length are removed, as Go's client does).
  bool uncompressed = false;
  std::string url;  // the URL that answered, after redirects

  // First value of a header, name matched case-insensitively; "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

// OK for 2xx; otherwise "server returned HTTP status 404 Not Found" with
// code Unavailable for 5xx and 429 (worth retrying) and FailedPrecondition
// for the rest.
absl::Status status_error(const Response& r);

// The error of a request as Go's url.Error prints it: `Get "url": cause`
// (method capitalised, password in the URL redacted), keeping the cause's code.
absl::Status url_error(std::string_view method, std::string_view redacted_url,
                       const absl::Status& cause);

// ASCII case-insensitive comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

// Case-insensitive lookup in a header list.
bool has_header(const Headers& headers, std::string_view name);

}  // namespace strata::net
