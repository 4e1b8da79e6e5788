// Url: the parts of an absolute http:// or https:// URL that a request needs
// (scheme, host, port, request target, userinfo), and the resolution of a
// redirect's Location against the URL it came from. Value type, stateless
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata::net {

struct Url {
  std::string scheme;    // "http" or "https", lower-case
  std::string host;      // without brackets for IPv6 literals
  std::string port;      // always set: the default port when the URL has none
  std::string target;    // path and query, at least "/"; no fragment
  std::string user, password;  // userinfo, percent-decoded; password is a secret
  bool has_userinfo = false;

  bool tls() const { return scheme == "https"; }
  // "host:port" with brackets around IPv6 literals, as in a Host header.
  std::string host_port() const;
  // scheme://host:port, the identity of a keep-alive pool.
  std::string origin() const;
  // The URL as Go prints it in errors: the password replaced by "xxxxx".
  std::string redacted() const;
  // Absolute form (scheme://host:port/target), the target sent to a proxy.
  std::string absolute() const;
};

// Parses an absolute http(s) URL. Errors say what is wrong without the URL
// (it may hold a password): `unsupported protocol scheme "ftp"`,
// `missing protocol scheme`, `invalid port ":x" after host`.
absl::StatusOr<Url> parse_url(std::string_view url);

// Resolves a Location header value against `base` (RFC 3986 section 5.2,
// without dot-segment removal, which servers do not depend on in practice).
absl::StatusOr<Url> resolve_reference(const Url& base, std::string_view location);

// `url` with the password of its userinfo replaced by "xxxxx", for URLs
// that may not parse.
std::string redact_unparsed(std::string_view url);

// Go's net.SplitHostPort: false when `hostport` is not host:port; the
// host comes without the brackets of an IPv6 literal. Views into `hostport`.
bool split_host_port(std::string_view hostport, std::string_view* host, std::string_view* port);

// Go's url.QueryEscape: a query-string value, unreserved bytes kept, space
// as '+', everything else %XX (generator URLs of alerts, links).
std::string query_escape(std::string_view s);

// Whether `host` is an IPv4 or IPv6 literal (no SNI for those, as in Go).
bool is_ip_literal(std::string_view host);

}  // namespace strata::net
