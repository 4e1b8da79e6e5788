// The HTTP client settings of a Prometheus config (prometheus/common's
// HTTPClientConfig and its parts), owned by net/ because net/'s Client is
// what acts on them. server/ parses prometheus.yml into these structs
// (relative file paths already resolved against the config's directory) and
// hands them to scraping, the notifier and the remote-write sender, which
// build a net::Client from them (net/client.h).
//
// Plain value types, no shared state. Fields marked "secret" are never
// printed: server/'s to_yaml() shows them as <secret>, and net/ never puts
// them in an error message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata::net {

struct TlsConfig {
  std::string ca, cert, key;  // inline PEM (key is a secret)
  std::string ca_file, cert_file, key_file;
  std::string server_name;  // SNI and the name the certificate must carry
  bool insecure_skip_verify = false;
  std::string min_version, max_version;  // "TLS10" ... "TLS13"; "" = Prometheus' default
  bool empty() const;
  bool operator==(const TlsConfig&) const = default;
};

struct BasicAuth {
  std::string username, username_file;
  std::string password, password_file;  // password is a secret
  bool operator==(const BasicAuth&) const = default;
};

struct Authorization {
  std::string type = "Bearer";
  std::string credentials, credentials_file;  // credentials is a secret
  bool operator==(const Authorization&) const = default;
};

// Parsed and shown, not acted on yet: a Client refuses a config with oauth2.
struct OAuth2 {
  std::string client_id, client_secret, client_secret_file;  // client_secret is a secret
  std::vector<std::string> scopes;
  std::string token_url;
  std::map<std::string, std::string> endpoint_params;
  TlsConfig tls_config;
  std::string proxy_url;
  bool operator==(const OAuth2&) const = default;
};

// prometheus/common's HTTPClientConfig, inlined in scrape, alertmanager and
// remote-write configs. bearer_token(_file) is folded into `authorization`
// as Prometheus does.
struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  std::optional<OAuth2> oauth2;
  TlsConfig tls_config;
  std::string proxy_url;
  bool follow_redirects = true;
  bool enable_http2 = true;  // accepted; the client speaks HTTP/1.1 only
  bool operator==(const HttpClientConfig&) const = default;
};

}  // namespace strata::net
