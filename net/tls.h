// TLS for net/'s client: an OpenSSL context built once from a TlsConfig
// (CA inline or from a file, else the system's store; client certificate and
// key; min/max protocol version; insecure_skip_verify), the per-connection
// settings (SNI and the name or IP the server's certificate must carry), and
// Go-like texts for handshake failures:
//   tls: failed to verify certificate: x509: certificate signed by unknown authority
//
// make_tls_context() reads the files once; a reload that builds a new
// Client picks up rotated files. The context is shared by every connection
// of one Client (OpenSSL contexts are thread-safe once configured).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "absl/status/statusor.h"
#include "net/config.h"

namespace strata::net {

// Errors name the file or field, e.g. `unable to load specified CA cert
// /etc/ca.pem: ...`, `client cert file "x" specified without client key file`.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsConfig& c);

// Sets SNI (not for IP literals, as Go) and, unless verification is off, the
// host name or IP the certificate must match. `name` is server_name when
// set, else the URL's host. False when OpenSSL refuses the name.
bool configure_tls_session(SSL* ssl, const std::string& name, bool verify);

// The text of a failed handshake: the certificate verification result when
// there is one, else OpenSSL's reason.
std::string tls_error_text(SSL* ssl, const std::string& name, const std::string& fallback);

}  // namespace strata::net
