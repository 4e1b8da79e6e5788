// Parsing the --web.config.file (server/web_config.h): valid files, the
// toolkit's strictness (unknown keys, bad versions, header names), and
// loading the certificates (server/web_config_file.h).
#include "server/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <fstream>
#include <thread>

#include "server/web_config_file.h"
#include "tests/testutil/temp_dir.h"
#include "tests/testutil/test_certs.h"

namespace strata::server {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHash = "$2y$04$iz1Qozwj6cR.VO/z2IyBau7Rv1GGAG2bZhBUcG5D178RYWBO0HNjm";

TEST(WebConfigTest, ParsesEverySection) {
  const std::string yaml = std::string(R"(
tls_server_config:
  cert_file: server.pem
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  client_allowed_sans: [client.example]
  min_version: TLS12
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [CurveP256, X25519]
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: ')") + kHash + "'\n";
  auto c = parse_web_config(yaml, "/etc/strata");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->tls.has_value());
  EXPECT_EQ(c->tls->cert_file, "/etc/strata/server.pem");
  EXPECT_EQ(c->tls->key_file, "/abs/server.key");
  EXPECT_EQ(c->tls->client_ca_file, "/etc/strata/ca.pem");
  EXPECT_EQ(c->tls->client_auth, net::ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(c->tls->client_allowed_sans, std::vector<std::string>{"client.example"});
  EXPECT_EQ(c->tls->min_version, TLS1_2_VERSION);
  EXPECT_EQ(c->tls->max_version, TLS1_3_VERSION);
  EXPECT_EQ(c->tls->cipher_suites, (std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", ""}));
  EXPECT_EQ(c->tls->curves, (std::vector<std::string>{"P-256", "X25519"}));
  EXPECT_FALSE(c->tls->prefer_server_cipher_suites);
  EXPECT_FALSE(c->http2);
  EXPECT_EQ(c->headers.size(), 2u);
  EXPECT_EQ(c->headers[0].first, "X-Frame-Options");
  EXPECT_EQ(c->users.at("alice"), kHash);
}

TEST(WebConfigTest, EmptyFileAndEmptyTlsSectionMeanPlainHttp) {
  for (const char* yaml : {"", "tls_server_config: {}\n", "basic_auth_users: {}\n"}) {
    SCOPED_TRACE(yaml);
    auto c = parse_web_config(yaml, "");
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_FALSE(c->tls.has_value());
    EXPECT_TRUE(c->users.empty());
  }
}

TEST(WebConfigTest, RejectsWhatTheToolkitRejects) {
  struct Case {
    const char* name;
    std::string yaml;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"unknown top-level key", "tls_config: {}\n", "field tls_config not found in type web.Config"},
      {"unknown TLS key", "tls_server_config:\n  cert_file: a\n  key_file: b\n  ca_file: c\n",
       "line 4: field ca_file not found in type web.TLSConfig"},
      {"unknown HTTP key", "http_server_config:\n  gzip: true\n",
       "field gzip not found in type web.HTTPConfig"},
      {"bad version", "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n",
       "unknown TLS version: TLS14"},
      {"versions reversed",
       "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
       "max_version must be greater than or equal to min_version"},
      {"bad client auth", "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n",
       "Invalid ClientAuth: Maybe"},
      {"bad cipher", "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [RC5]\n",
       "unknown cipher: RC5"},
      {"bad curve", "tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n",
       "unknown curve: P256"},
      {"missing cert", "tls_server_config:\n  key_file: b\n", "missing cert_file"},
      {"missing key", "tls_server_config:\n  cert_file: a\n", "missing key_file"},
      {"CA without policy", "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
       "Client CA's have been configured without a Client Auth Policy"},
      {"bad header name", "http_server_config:\n  headers:\n    Server: strata\n",
       "HTTP header \"Server\" can not be configured"},
      {"header name case", "http_server_config:\n  headers:\n    x-frame-options: deny\n",
       "can not be configured"},
      {"bad header value", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
       "invalid value for X-Frame-Options"},
      {"plain password", "basic_auth_users:\n  alice: secret\n", "is not a bcrypt hash"},
      {"not a map", "basic_auth_users: [alice]\n", "cannot unmarshal"},
      {"bad YAML", "basic_auth_users: {alice: [\n", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_web_config(c.yaml, "");
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.error));
  }
}

TEST(WebConfigTest, BcryptHashShapes) {
  EXPECT_TRUE(is_bcrypt_hash(kHash));
  std::string h = kHash;
  h[2] = 'a';
  EXPECT_TRUE(is_bcrypt_hash(h));
  h[2] = 'b';
  EXPECT_TRUE(is_bcrypt_hash(h));
  h[2] = 'x';
  EXPECT_FALSE(is_bcrypt_hash(h));
  EXPECT_FALSE(is_bcrypt_hash(std::string(kHash).substr(0, 59)));
  EXPECT_FALSE(is_bcrypt_hash("$2y$03$iz1Qozwj6cR.VO/z2IyBau7Rv1GGAG2bZhBUcG5D178RYWBO0HNjm"));
  EXPECT_FALSE(is_bcrypt_hash("$2y$04$iz1Qozwj6cR.VO/z2IyBau7Rv1GGAG2bZhBUcG5D178RYWBO0HN!m"));
}

class WebConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testutil::make_test_certs(dir_.path()).ok()); }
  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(path(name)) << text;
  }
  testutil::TempDir dir_{"web_config_"};
};

TEST_F(WebConfigFileTest, LoadsCertificatesRelativeToTheFile) {
  write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->tls());
  EXPECT_NE((*f)->current()->tls, nullptr);
}

TEST_F(WebConfigFileTest, RotatedCertificatesArePickedUp) {
  write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_TRUE(f.ok()) << f.status();
  auto before = (*f)->current();
  // New files at the same paths; web.yml itself is unchanged.
  ASSERT_TRUE(testutil::make_test_certs(dir_.path()).ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*f)->current() == before && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto after = (*f)->current();
  EXPECT_NE(after, before);
  EXPECT_NE(after->tls, before->tls);
}

TEST_F(WebConfigFileTest, MissingKeyFileIsAnError) {
  write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: nope.key\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("nope.key"));
}

TEST_F(WebConfigFileTest, MismatchedKeyIsAnError) {
  write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("failed to load X509KeyPair"));
}

TEST_F(WebConfigFileTest, MissingFileIsAnError) {
  auto f = WebConfigFile::load(path("absent.yml"), nullptr);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("absent.yml"));
}

TEST_F(WebConfigFileTest, ReloadKeepsTheOldStateOnErrorsAndRefusesToggingTls) {
  write("web.yml", std::string("basic_auth_users:\n  alice: '") + kHash + "'\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_TRUE(f.ok()) << f.status();
  auto before = (*f)->current();
  write("web.yml", "basic_auth_users:\n  alice: plain\n");
  EXPECT_FALSE((*f)->reload().ok());
  EXPECT_EQ((*f)->current(), before);
  write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
  auto s = (*f)->reload();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("needs a restart"));
  EXPECT_EQ((*f)->current(), before);
  write("web.yml", "basic_auth_users: {}\n");
  EXPECT_TRUE((*f)->reload().ok());
  EXPECT_TRUE((*f)->current()->config.users.empty());
}

TEST_F(WebConfigFileTest, CurrentPicksUpAChangedFileWithinASecondOrSo) {
  write("web.yml", std::string("basic_auth_users:\n  alice: '") + kHash + "'\n");
  auto f = WebConfigFile::load(path("web.yml"), nullptr);
  ASSERT_TRUE(f.ok()) << f.status();
  write("web.yml", std::string("basic_auth_users:\n  bob: '") + kHash + "'\n");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*f)->current()->config.users.count("bob") == 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*f)->current()->config.users.count("bob"), 1u);
}

}  // namespace
}  // namespace strata::server
