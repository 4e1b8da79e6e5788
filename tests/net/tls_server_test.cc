// net/tls_server.h: the toolkit's names resolved to OpenSSL's, and the
// server context's errors (certificates from testutil::make_test_certs).
#include "net/tls_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tests/testutil/temp_dir.h"
#include "tests/testutil/test_certs.h"

namespace strata::net {
namespace {

using ::testing::HasSubstr;

TEST(TlsServerNamesTest, ResolvesTheToolkitsNames) {
  EXPECT_EQ(*parse_client_auth(""), ClientAuth::kNoClientCert);
  EXPECT_EQ(*parse_client_auth("RequestClientCert"), ClientAuth::kRequestClientCert);
  EXPECT_EQ(*parse_client_auth("RequireAnyClientCert"), ClientAuth::kRequireAnyClientCert);
  EXPECT_EQ(*parse_client_auth("VerifyClientCertIfGiven"), ClientAuth::kVerifyClientCertIfGiven);
  EXPECT_EQ(*parse_client_auth("RequireAndVerifyClientCert"),
            ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_FALSE(parse_client_auth("requireandverifyclientcert").ok());
  EXPECT_EQ(*parse_tls_version("TLS10"), TLS1_VERSION);
  EXPECT_EQ(*parse_tls_version("TLS13"), TLS1_3_VERSION);
  EXPECT_FALSE(parse_tls_version("TLS1.2").ok());
  EXPECT_EQ(*parse_cipher_suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            "ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(*parse_cipher_suite("TLS_AES_256_GCM_SHA384"), "");
  EXPECT_FALSE(parse_cipher_suite("ECDHE-RSA-AES128-GCM-SHA256").ok());  // OpenSSL's own name
  EXPECT_EQ(*parse_curve("CurveP521"), "P-521");
  EXPECT_FALSE(parse_curve("secp256r1").ok());
}

class TlsServerContextTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testutil::make_test_certs(dir_.path()).ok()); }
  TlsServerConfig config() const {
    TlsServerConfig c;
    c.cert_file = dir_.path() + "/server.pem";
    c.key_file = dir_.path() + "/server.key";
    return c;
  }
  testutil::TempDir dir_{"net_tls_server_"};
};

TEST_F(TlsServerContextTest, BuildsWithEveryOption) {
  TlsServerConfig c = config();
  c.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  c.client_ca_file = dir_.path() + "/ca.pem";
  c.min_version = TLS1_2_VERSION;
  c.max_version = TLS1_3_VERSION;
  c.cipher_suites = {"ECDHE-ECDSA-AES128-GCM-SHA256", ""};
  c.curves = {"P-256", "X25519"};
  auto ctx = make_tls_server_context(c);
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  SSL_CTX* h = (*ctx)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(h), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(h), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST_F(TlsServerContextTest, ErrorsNameTheProblem) {
  TlsServerConfig c = config();
  c.key_file = dir_.path() + "/missing.key";
  auto r = make_tls_server_context(c);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("missing.key"));

  c = config();
  c.key_file = dir_.path() + "/client.key";
  r = make_tls_server_context(c);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("mismatch"));

  c = config();
  c.client_ca_file = dir_.path() + "/ca.pem";
  r = make_tls_server_context(c);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("without a Client Auth Policy"));

  c = config();
  c.client_auth = ClientAuth::kVerifyClientCertIfGiven;
  c.client_ca_file = dir_.path() + "/nope.pem";
  r = make_tls_server_context(c);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nope.pem"));

  c = config();
  c.curves = {"P-999"};
  EXPECT_FALSE(make_tls_server_context(c).ok());
}

}  // namespace
}  // namespace strata::net
