// net::Client over TLS against TestServer: certificates come from the
// openssl CLI in a temporary directory (a CA, a server certificate for
// 127.0.0.1 and localhost signed by it, a second unrelated CA, and a client
// certificate for mutual TLS).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "net/client.h"
#include "tests/net/test_server.h"
#include "tests/net/tunnel_proxy.h"
#include "tests/testutil/temp_dir.h"

namespace strata::net {
namespace {

using ::testing::HasSubstr;
using testing::ServerRequest;
using testing::ServerResponse;
using testing::TestServer;

Deadline soon() { return Deadline::clock::now() + std::chrono::seconds(10); }

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testutil::TempDir("net_tls_");
    const std::string d = dir_->path();
    // EC keys: quick to generate; the CLI's output goes to a log, not the test's.
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        "cd " + d + " && exec >openssl.log 2>&1 && set -e\n"
        "openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=net-test-ca\n"
        "openssl req -x509 " + key + " -keyout other.key -out other.pem -days 2 -subj /CN=other-ca\n"
        "openssl req " + key + " -keyout server.key -out server.csr -subj /CN=localhost\n"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.cnf\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
        " -days 2 -extfile san.cnf\n"
        "openssl req " + key + " -keyout client.key -out client.csr -subj /CN=client\n"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2\n";
    ASSERT_EQ(std::system(("sh -c '" + escape(script) + "'").c_str()), 0) << "see " << d << "/openssl.log";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out;
  }
  static std::string file(const std::string& name) { return dir_->path() + "/" + name; }
  static std::string read(const std::string& name) {
    std::ifstream in(file(name));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static testing::TestServerOptions server_options() {
    testing::TestServerOptions o;
    o.cert_pem_file = file("server.pem");
    o.key_pem_file = file("server.key");
    return o;
  }
  absl::StatusOr<Response> fetch(const TlsConfig& tls, const std::string& url) {
    ClientOptions opts;
    opts.http.tls_config = tls;
    auto c = Client::create(opts);
    if (!c.ok()) return c.status();
    Request req;
    req.url = url;
    return (*c)->send(req, soon());
  }

  static testutil::TempDir* dir_;
  TestServer server_{[](const ServerRequest& req, ServerResponse& res) { res.body() = "secure"; },
                     server_options()};
};
testutil::TempDir* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, VerifiesAgainstCaFileAndInlineCa) {
  TlsConfig tls;
  tls.ca_file = file("ca.pem");
  auto r = fetch(tls, server_.url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secure");
  TlsConfig inline_ca;
  inline_ca.ca = read("ca.pem");
  r = fetch(inline_ca, "https://localhost:" + std::to_string(server_.port()) + "/");
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(TlsTest, ReusesTlsConnections) {
  ClientOptions opts;
  opts.http.tls_config.ca_file = file("ca.pem");
  auto c = Client::create(opts);
  ASSERT_TRUE(c.ok()) << c.status();
  Request req;
  req.url = server_.url("/");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*c)->send(req, soon()).ok());
  EXPECT_EQ(server_.connections_accepted(), 1);
}

TEST_F(TlsTest, WrongCaFailsClearly) {
  TlsConfig tls;
  tls.ca_file = file("other.pem");
  auto r = fetch(tls, server_.url("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Get \"" + server_.url("/") +
                "\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
}

TEST_F(TlsTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  TlsConfig tls;
  tls.insecure_skip_verify = true;
  auto r = fetch(tls, server_.url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secure");
}

TEST_F(TlsTest, ServerNameMustMatchTheCertificate) {
  TlsConfig tls;
  tls.ca_file = file("ca.pem");
  tls.server_name = "localhost";
  EXPECT_TRUE(fetch(tls, server_.url("/")).ok());
  tls.server_name = "example.com";
  auto r = fetch(tls, server_.url("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("x509: certificate is not valid for example.com"));
}

TEST_F(TlsTest, ClientCertificateForMutualTls) {
  testing::TestServerOptions o = server_options();
  o.client_ca_file = file("ca.pem");
  TestServer mtls([](const ServerRequest&, ServerResponse& res) { res.body() = "mutual"; }, o);
  TlsConfig tls;
  tls.ca_file = file("ca.pem");
  EXPECT_FALSE(fetch(tls, mtls.url("/")).ok());
  tls.cert_file = file("client.pem");
  tls.key_file = file("client.key");
  auto r = fetch(tls, mtls.url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "mutual");
}

TEST_F(TlsTest, BadFilesFailAtCreation) {
  ClientOptions opts;
  opts.http.tls_config.ca_file = file("missing.pem");
  auto c = Client::create(opts);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("unable to load specified CA cert"));
  opts.http.tls_config = {};
  opts.http.tls_config.cert_file = file("client.pem");
  EXPECT_THAT(std::string(Client::create(opts).status().message()),
              HasSubstr("specified without client key file"));
  opts.http.tls_config = {};
  opts.http.tls_config.min_version = "TLS9";
  EXPECT_THAT(std::string(Client::create(opts).status().message()), HasSubstr("unknown TLS version: TLS9"));
}

TEST_F(TlsTest, HttpsThroughAProxyTunnel) {
  testing::TunnelProxy proxy;
  ClientOptions opts;
  opts.http.tls_config.ca_file = file("ca.pem");
  opts.http.proxy_url = "http://u:p@127.0.0.1:" + std::to_string(proxy.port());
  auto c = Client::create(opts);
  ASSERT_TRUE(c.ok()) << c.status();
  Request req;
  req.url = server_.url("/");
  for (int i = 0; i < 2; ++i) {
    auto r = (*c)->send(req, soon());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, "secure");
  }
  EXPECT_EQ((*c)->stats().connections_opened, 1u);  // the tunnel is kept alive
  EXPECT_THAT(proxy.last_request(),
              ::testing::StartsWith("CONNECT 127.0.0.1:" + std::to_string(server_.port()) + " HTTP/1.1\r\n"));
  EXPECT_THAT(proxy.last_request(), HasSubstr("Proxy-Authorization: Basic dTpw\r\n"));  // u:p
}

TEST_F(TlsTest, PlainHttpToTlsServerFails) {
  std::string url = "http://127.0.0.1:" + std::to_string(server_.port()) + "/";
  auto r = fetch({}, url);
  EXPECT_FALSE(r.ok() && r->status == 200);
}

}  // namespace
}  // namespace strata::net
