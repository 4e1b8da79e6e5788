// OpenSSL set-up for net/'s client (see net/tls.h).
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/url.h"

namespace strata::net {
namespace {

namespace ssl = boost::asio::ssl;

absl::StatusOr<int> tls_version(const std::string& v) {
  if (v == "TLS10") return TLS1_VERSION;
  if (v == "TLS11") return TLS1_1_VERSION;
  if (v == "TLS12") return TLS1_2_VERSION;
  if (v == "TLS13") return TLS1_3_VERSION;
  return absl::InvalidArgumentError("unknown TLS version: " + v);
}

}  // namespace

absl::StatusOr<std::shared_ptr<ssl::context>> make_tls_context(const TlsConfig& c) {
  if (!c.ca.empty() && !c.ca_file.empty())
    return absl::InvalidArgumentError("at most one of ca and ca_file must be configured");
  if (!c.cert.empty() && !c.cert_file.empty())
    return absl::InvalidArgumentError("at most one of cert and cert_file must be configured");
  if (!c.key.empty() && !c.key_file.empty())
    return absl::InvalidArgumentError("at most one of key and key_file must be configured");
  const bool has_cert = !c.cert.empty() || !c.cert_file.empty();
  const bool has_key = !c.key.empty() || !c.key_file.empty();
  if (has_cert && !has_key)
    return absl::InvalidArgumentError("client cert file \"" + c.cert_file +
                                      "\" specified without client key file");
  if (has_key && !has_cert)
    return absl::InvalidArgumentError("client key file \"" + c.key_file +
                                      "\" specified without client cert file");

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  // Prometheus' default minimum is TLS 1.2.
  auto min = tls_version(c.min_version.empty() ? "TLS12" : c.min_version);
  if (!min.ok()) return min.status();
  SSL_CTX_set_min_proto_version(ctx->native_handle(), *min);
  if (!c.max_version.empty()) {
    auto max = tls_version(c.max_version);
    if (!max.ok()) return max.status();
    SSL_CTX_set_max_proto_version(ctx->native_handle(), *max);
  }
  if (!c.ca_file.empty()) {
    ctx->load_verify_file(c.ca_file, ec);
    if (ec) return absl::InvalidArgumentError("unable to load specified CA cert " + c.ca_file + ": " + ec.message());
  } else if (!c.ca.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(c.ca), ec);
    if (ec) return absl::InvalidArgumentError("unable to use inline CA cert: " + ec.message());
  } else {
    ctx->set_default_verify_paths(ec);  // the system's store, as Go's default pool
  }
  if (has_cert) {
    if (!c.cert_file.empty()) ctx->use_certificate_chain_file(c.cert_file, ec);
    else ctx->use_certificate_chain(boost::asio::buffer(c.cert), ec);
    if (!ec) {
      if (!c.key_file.empty()) ctx->use_private_key_file(c.key_file, ssl::context::pem, ec);
      else ctx->use_private_key(boost::asio::buffer(c.key), ssl::context::pem, ec);
    }
    if (ec) {
      return absl::InvalidArgumentError("unable to use specified client cert (" + c.cert_file +
                                        ") & key (" + c.key_file + "): " + ec.message());
    }
  }
  ctx->set_verify_mode(c.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
  return ctx;
}

bool configure_tls_session(SSL* ssl, const std::string& name, bool verify) {
  const bool ip = is_ip_literal(name);
  if (!ip && !SSL_set_tlsext_host_name(ssl, name.c_str())) return false;
  if (!verify) return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) return X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1;
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0) == 1;
}

std::string tls_error_text(SSL* ssl, const std::string& name, const std::string& fallback) {
  long v = SSL_get_verify_result(ssl);
  std::string x509;
  switch (v) {
    case X509_V_OK:
      return "tls: " + fallback;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      x509 = "certificate signed by unknown authority";
      break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      x509 = "certificate is not valid for " + name;
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      x509 = "certificate has expired or is not yet valid";
      break;
    default:
      x509 = X509_verify_cert_error_string(v);
  }
  return "tls: failed to verify certificate: x509: " + x509;
}

}  // namespace strata::net
