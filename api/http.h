// Transport-neutral HTTP request/response and the router that maps paths to
// handlers. The Beast listener in server/ converts wire messages to these, so
// handlers are plain functions testable without sockets, and Beast headers stay
// out of everything but the listener.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace strata::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, no query string
  std::string query;   // raw query string (without '?')
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_addr;
  // True once the client has gone away; long handlers poll it to cancel.
  std::function<bool()> cancelled;
  // Reserves `bytes` more of the server's budget for request memory in
  // flight (--web.max-inflight-body-size, which already holds this
  // request's body) until the handler returns. Handlers that expand their
  // body (snappy, gzip, parsed messages) reserve before they allocate.
  // Fails with Unavailable when the budget has no room now (answer 503 with
  // Retry-After: 1) and with ResourceExhausted when the request would hold
  // more than the whole budget (answer 413: a retry cannot fit either).
  // Unset (tests, in-process callers): always granted.
  std::function<absl::Status(uint64_t)> reserve_memory;

  absl::Status reserve(uint64_t bytes) const {
    return reserve_memory ? reserve_memory(bytes) : absl::OkStatus();
  }

  // First header with this (lower-case) name, or "".
  std::string_view header(std::string_view lower_name) const;
};

// The status code for a failed HttpRequest::reserve(): 503 (send
// Retry-After: 1) or 413.
inline int status_for_refused_memory(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ? 503 : 413;
}

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value);
  // A one-line text/plain error body, as Go's http.Error writes it.
  void set_text_error(int code, std::string_view message);
};

using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Request body limits, per route. The listener asks the router for the
// route's limit once the request header is read and answers 413 before
// reading a body over it. Unless a route sets its own, it takes at most
// kDefaultBodyLimit: Go's cap on a parsed form (maxFormSize in net/http),
// which bounds every form-encoded POST to the query API as in Prometheus.
inline constexpr uint64_t kDefaultBodyLimit = uint64_t(10) << 20;
// Answered by a router that does not know the route yet: the listener's
// overall cap applies.
inline constexpr uint64_t kNoRouteBodyLimit = std::numeric_limits<uint64_t>::max();

// Exact-path and prefix routes. A path with routes for other methods only
// answers 405 with an Allow header; an unknown path 404. HEAD is answered
// only where a route lists it (the server then sends the headers alone).
class Router {
 public:
  // `methods` e.g. {"GET", "POST"}; empty = any. `name` is the handler label
  // in strata_http_requests_total (defaults to the path).
  void add(std::vector<std::string> methods, std::string path, Handler h, std::string name = "");
  // Routes every path starting with `prefix` (longest prefix wins).
  void add_prefix(std::vector<std::string> methods, std::string prefix, Handler h,
                  std::string name = "");
  // Answers OPTIONS for every path under `prefix` (CORS preflight) and lists
  // OPTIONS in the Allow header of 405 answers there, as Prometheus' API.
  void add_options(std::string prefix, Handler h);
  // Sets the body limit of the routes added so far for exactly this path or
  // prefix (they take kDefaultBodyLimit otherwise).
  void set_body_limit(std::string_view path, uint64_t bytes);

  // Dispatches; returns the handler label for metrics ("other" when unrouted).
  std::string route(const HttpRequest& req, HttpResponse& resp) const;
  // The body limit of the route that route() would dispatch this request to;
  // kDefaultBodyLimit when none would (the answer is 404, 405 or OPTIONS).
  uint64_t body_limit(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::vector<std::string> methods;
    std::string path;
    bool prefix;
    Handler handler;
    std::string name;
    uint64_t body_limit = kDefaultBodyLimit;
  };
  // The route for (method, path), or null. `allowed` (if given) collects the
  // methods of the routes whose path matches but method does not;
  // `path_known` tells whether any route's path matched.
  const Route* find(std::string_view method, std::string_view path,
                    std::vector<std::string>* allowed, bool* path_known) const;
  std::vector<Route> routes_;
  std::string options_prefix_;
  Handler options_;
};

}  // namespace strata::api
