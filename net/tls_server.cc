// OpenSSL set-up for Strata's HTTPS listener (see net/tls_server.h).
#include "net/tls_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_join.h"

namespace strata::net {
namespace {

namespace ssl = boost::asio::ssl;

// Go's cipher suite names (crypto/tls CipherSuites() and
// InsecureCipherSuites() that OpenSSL still offers) → OpenSSL's.
constexpr std::pair<const char*, const char*> kCipherSuites[] = {
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    // TLS 1.3: accepted, always enabled (Go does not let them be configured).
    {"TLS_AES_128_GCM_SHA256", ""},
    {"TLS_AES_256_GCM_SHA384", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", ""},
};

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown error" : out;
}

// RequestClientCert and RequireAnyClientCert take any certificate, as Go's.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

bool san_matches(const GENERAL_NAME* n, const std::string& want) {
  switch (n->type) {
    case GEN_DNS:
    case GEN_EMAIL:
    case GEN_URI: {
      const ASN1_IA5STRING* s = n->d.ia5;
      return size_t(s->length) == want.size() &&
             std::memcmp(s->data, want.data(), want.size()) == 0;
    }
    case GEN_IPADD: {
      ASN1_OCTET_STRING* ip = a2i_IPADDRESS(want.c_str());
      if (ip == nullptr) return false;
      bool eq = ASN1_OCTET_STRING_cmp(ip, n->d.ip) == 0;
      ASN1_OCTET_STRING_free(ip);
      return eq;
    }
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<ClientAuth> parse_client_auth(std::string_view name) {
  if (name.empty() || name == "NoClientCert") return ClientAuth::kNoClientCert;
  if (name == "RequestClientCert") return ClientAuth::kRequestClientCert;
  if (name == "RequireAnyClientCert") return ClientAuth::kRequireAnyClientCert;
  if (name == "VerifyClientCertIfGiven") return ClientAuth::kVerifyClientCertIfGiven;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerifyClientCert;
  return absl::InvalidArgumentError("Invalid ClientAuth: " + std::string(name));
}

absl::StatusOr<int> parse_tls_version(std::string_view name) {
  if (name == "TLS10") return TLS1_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS12") return TLS1_2_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  return absl::InvalidArgumentError("unknown TLS version: " + std::string(name));
}

absl::StatusOr<std::string> parse_cipher_suite(std::string_view go_name) {
  for (const auto& [go, openssl] : kCipherSuites)
    if (go_name == go) return std::string(openssl);
  return absl::InvalidArgumentError("unknown cipher: " + std::string(go_name));
}

absl::StatusOr<std::string> parse_curve(std::string_view go_name) {
  if (go_name == "CurveP256") return std::string("P-256");
  if (go_name == "CurveP384") return std::string("P-384");
  if (go_name == "CurveP521") return std::string("P-521");
  if (go_name == "X25519") return std::string("X25519");
  return absl::InvalidArgumentError("unknown curve: " + std::string(go_name));
}

absl::StatusOr<std::shared_ptr<ssl::context>> make_tls_server_context(const TlsServerConfig& c) {
  if (c.cert_file.empty()) return absl::InvalidArgumentError("missing cert_file");
  if (c.key_file.empty()) return absl::InvalidArgumentError("missing key_file");
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* h = ctx->native_handle();
  ERR_clear_error();
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(c.cert_file, ec);
  if (!ec) ctx->use_private_key_file(c.key_file, ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError("failed to load X509KeyPair (" + c.cert_file + ", " +
                                      c.key_file + "): " + ec.message());
  }
  if (SSL_CTX_check_private_key(h) != 1)
    return absl::InvalidArgumentError("failed to load X509KeyPair (" + c.cert_file + ", " +
                                      c.key_file + "): private key does not match public key");
  SSL_CTX_set_min_proto_version(h, c.min_version != 0 ? c.min_version : TLS1_2_VERSION);
  if (c.max_version != 0) SSL_CTX_set_max_proto_version(h, c.max_version);
  if (c.min_version != 0 && c.max_version != 0 && c.max_version < c.min_version)
    return absl::InvalidArgumentError("max_version must be greater than or equal to min_version");

  std::vector<std::string> suites;
  for (const std::string& s : c.cipher_suites)
    if (!s.empty()) suites.push_back(s);
  if (!suites.empty()) {
    std::string list = absl::StrJoin(suites, ":");
    if (SSL_CTX_set_cipher_list(h, list.c_str()) != 1)
      return absl::InvalidArgumentError("cipher_suites: none usable (" + list + "): " +
                                        openssl_errors());
  }
  if (!c.curves.empty()) {
    std::string list = absl::StrJoin(c.curves, ":");
    if (SSL_CTX_set1_groups_list(h, list.c_str()) != 1)
      return absl::InvalidArgumentError("curve_preferences: " + openssl_errors());
  }
  if (c.prefer_server_cipher_suites) SSL_CTX_set_options(h, SSL_OP_CIPHER_SERVER_PREFERENCE);

  const bool verifies = c.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                        c.client_auth == ClientAuth::kRequireAndVerifyClientCert;
  if (!c.client_ca_file.empty()) {
    if (c.client_auth == ClientAuth::kNoClientCert)
      return absl::InvalidArgumentError(
          "Client CA's have been configured without a Client Auth Policy");
    ctx->load_verify_file(c.client_ca_file, ec);
    if (ec)
      return absl::InvalidArgumentError("unable to load client CA file " + c.client_ca_file +
                                        ": " + ec.message());
    // The CAs named in the CertificateRequest, so clients pick the right cert.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(h, names);
  } else if (verifies) {
    // Go verifies client certificates against the system's roots when no
    // ClientCAs are given.
    ctx->set_default_verify_paths(ec);
  }
  switch (c.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(h, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(h, SSL_VERIFY_PEER, accept_any_certificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(h, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         accept_any_certificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(h, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(h, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  // Session resumption needs a context id when clients are verified.
  static constexpr unsigned char kSessionId[] = "strata-web";
  SSL_CTX_set_session_id_context(h, kSessionId, sizeof(kSessionId) - 1);
  return ctx;
}

bool client_sans_allowed(SSL* ssl, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return false;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool ok = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !ok; ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    for (const std::string& want : allowed) ok = ok || san_matches(n, want);
  }
  GENERAL_NAMES_free(names);
  return ok;
}

}  // namespace strata::net
