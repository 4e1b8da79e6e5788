// TLS for the server side of HTTP (Strata's own listener): the settings of
// the exporter toolkit's `tls_server_config` (the --web.config.file format
// Prometheus uses), resolved to OpenSSL terms, and the OpenSSL context built
// from them.
//
// parse_*() resolve the toolkit's Go names (client_auth_type, TLS versions,
// cipher suites, curves) once, when the web config is parsed, so a typo is a
// config error and nothing compares names per connection.
// make_tls_server_context() reads the certificate, key and CA files; the
// caller builds a new context when they change (rotation) and keeps the old
// one alive for connections that use it. A context is shared by many
// connections (OpenSSL contexts are thread-safe once configured).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "absl/status/statusor.h"

namespace strata::net {

// Go's tls.ClientAuthType, by the names the toolkit accepts.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not verified, not required
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified against client_ca_file when sent
  kRequireAndVerifyClientCert,  // required and verified
};

struct TlsServerConfig {
  std::string cert_file, key_file;  // absolute, or relative to the working directory
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  std::string client_ca_file;
  // A client certificate must carry one of these (DNS name, IP address,
  // e-mail address or URI) in its SANs; empty = any.
  std::vector<std::string> client_allowed_sans;
  int min_version = 0;  // OpenSSL's TLS1_2_VERSION etc.; 0 = TLS 1.2 (the toolkit's default)
  int max_version = 0;  // 0 = the highest OpenSSL supports (TLS 1.3)
  // OpenSSL names of the TLS ≤1.2 suites (from Go's names); empty = OpenSSL's
  // defaults. As in Go, TLS 1.3 suites are not configurable.
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curves;  // OpenSSL group names ("P-256", "X25519")
  bool prefer_server_cipher_suites = true;
  bool operator==(const TlsServerConfig&) const = default;
};

// "NoClientCert" ... "RequireAndVerifyClientCert"; "" is NoClientCert.
absl::StatusOr<ClientAuth> parse_client_auth(std::string_view name);
// "TLS10" ... "TLS13" → OpenSSL's version constant.
absl::StatusOr<int> parse_tls_version(std::string_view name);
// A Go cipher suite name (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) →
// OpenSSL's name, "" for a TLS 1.3 suite (always on, as in Go).
absl::StatusOr<std::string> parse_cipher_suite(std::string_view go_name);
// CurveP256, CurveP384, CurveP521, X25519 → OpenSSL's group name.
absl::StatusOr<std::string> parse_curve(std::string_view go_name);

// Builds the context: certificate chain and key, client CA, verification
// mode, versions, ciphers and curves. Errors name the file, e.g.
// `failed to load X509KeyPair: open /etc/strata/server.pem: ...`.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> make_tls_server_context(
    const TlsServerConfig& c);

// After a handshake: whether the client's certificate carries one of
// `allowed` in its SANs. True when `allowed` is empty; false when there is
// no client certificate.
bool client_sans_allowed(SSL* ssl, const std::vector<std::string>& allowed);

}  // namespace strata::net
