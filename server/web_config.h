// The --web.config.file format: Prometheus' exporter-toolkit web
// configuration, which turns on TLS, HTTP basic authentication and security
// headers for the whole HTTP listener:
//
//   tls_server_config:       # absent = plain HTTP
//     cert_file: server.pem  # relative paths: to the file's directory
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: ca.pem
//     min_version: TLS12
//   http_server_config:
//     headers: {X-Frame-Options: deny}
//   basic_auth_users:        # user: bcrypt hash (htpasswd -B)
//     alice: $2y$10$...
//
// parse_web_config() only parses and validates the text (it reads no file,
// so the fuzzer can feed it anything); WebConfigFile (web_config_file.h)
// loads the certificates and follows changes. Unknown keys are errors, as
// the toolkit's strict YAML decoding makes them. Plain value types.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "net/tls_server.h"

namespace strata::server {

struct WebConfig {
  std::optional<net::TlsServerConfig> tls;  // nullopt: plain HTTP
  // Accepted for compatibility; Strata speaks HTTP/1.1 only.
  bool http2 = true;
  // Security headers added to every response (only the five names the
  // toolkit allows), in the file's order.
  std::vector<std::pair<std::string, std::string>> headers;
  // user → bcrypt hash ($2a$, $2b$ or $2y$); empty = no authentication.
  std::map<std::string, std::string> users;
  bool operator==(const WebConfig&) const = default;
};

// Errors carry the line, e.g. `line 3: field foo not found in type
// web.TLSConfig`. Relative file names are resolved against `dir` ("" = as
// given).
absl::StatusOr<WebConfig> parse_web_config(std::string_view yaml, const std::string& dir);

// Whether `hash` has the shape of a bcrypt hash: $2a$/$2b$/$2y$, a cost of
// 04..31, 53 characters of salt and digest.
bool is_bcrypt_hash(std::string_view hash);

}  // namespace strata::server
