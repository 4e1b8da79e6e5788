// --web.config.file end to end against the real binary: basic auth on every
// kind of endpoint (no, wrong and right credentials), the 401 sent before an
// unauthenticated body is read, security headers, TLS with and without
// client certificates, reloading a changed file without a restart, and
// interop: Prometheus 2.42 and a second Strata scraping and remote-writing
// to a Strata that requires TLS and basic auth.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/testutil/eventually.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/tcp_connection.h"
#include "tests/testutil/temp_dir.h"
#include "tests/testutil/test_certs.h"

namespace strata::testutil {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

class WebConfigE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("web_config_e2e_");
    ASSERT_TRUE(make_test_certs(dir_->path()).ok());
    auto h = bcrypt_hash("right");  // $2y$, as htpasswd -B
    ASSERT_TRUE(h.ok()) << h.status();
    hash_ = new std::string(*h);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete hash_;
  }
  static std::string file(const std::string& name) { return dir_->path() + "/" + name; }

  static net::HttpClientConfig creds(const std::string& user, const std::string& password) {
    net::HttpClientConfig c;
    net::BasicAuth b;
    b.username = user;
    b.password = password;
    c.basic_auth = b;
    return c;
  }
  static net::HttpClientConfig tls_creds(const std::string& user, const std::string& password,
                                         const std::string& client = "") {
    net::HttpClientConfig c = user.empty() ? net::HttpClientConfig() : creds(user, password);
    c.tls_config.ca_file = file("ca.pem");
    if (!client.empty()) {
      c.tls_config.cert_file = file(client + ".pem");
      c.tls_config.key_file = file(client + ".key");
    }
    return c;
  }
  static std::string users_yaml(const std::string& hash) {
    return "basic_auth_users:\n  alice: '" + hash + "'\n";
  }
  static std::string tls_yaml(const std::string& extra = "") {
    return "tls_server_config:\n  cert_file: " + file("server.pem") + "\n  key_file: " +
           file("server.key") + "\n" + extra;
  }

  // Strata with `web_yaml` as web.yml in its working directory.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> start(
      const std::string& web_yaml, bool tls, const net::HttpClientConfig& client,
      std::vector<std::string> flags = {}, const std::string& config = kNoScrapeConfig) {
    ServerProcess::Options o;
    o.binary = strata_binary();
    o.files = {{"strata.yml", config}, {"web.yml", web_yaml}};
    o.flags = {"--config.file=strata.yml", "--web.config.file=web.yml"};
    for (auto& f : flags) o.flags.push_back(std::move(f));
    o.tls = tls;
    o.client_config = client;
    return ServerProcess::start(std::move(o));
  }

  static HttpClient client(const ServerProcess& s, const net::HttpClientConfig& c, bool tls) {
    return HttpClient(s.host(), s.port(), std::chrono::seconds(10), c, tls);
  }

  // The value of the single series `query` returns, or "" when none.
  static std::string query_value(HttpClient& c, const std::string& query) {
    auto r = c.get("/api/v1/query?query=" + url_encode(query));
    if (!r.ok() || r->status != 200) return "";
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return "";
    const json& result = j["data"]["result"];
    if (!result.is_array() || result.empty()) return "";
    return result[0]["value"][1].get<std::string>();
  }

  static TempDir* dir_;
  static std::string* hash_;
};

TempDir* WebConfigE2ETest::dir_ = nullptr;
std::string* WebConfigE2ETest::hash_ = nullptr;

struct Endpoint {
  const char* name;
  std::string method, path, body;
  Headers headers;
  int want;  // status with the right credentials
};

std::vector<Endpoint> endpoints() {
  std::string rw = encode_write_request({{{{"__name__", "auth_test"}, {"job", "x"}},
                                          {{1'700'000'000'000, 1}}}});
  return {
      {"query", "GET", "/api/v1/query?query=1", "", {}, 200},
      {"remote write", "POST", "/api/v1/write", rw, remote_write_headers(), 204},
      {"metrics", "GET", "/metrics", "", {}, 200},
      {"federate", "GET", "/federate?match[]=up", "", {}, 200},
      {"healthy", "GET", "/-/healthy", "", {}, 200},
      {"ready", "GET", "/-/ready", "", {}, 200},
      {"UI page", "GET", "/query", "", {}, 200},  // 200 with and without the UI built
      {"OTLP", "POST", "/api/v1/otlp/v1/metrics", "", {{"Content-Type", "application/x-protobuf"}},
       200},
  };
}

TEST_F(WebConfigE2ETest, BasicAuthGuardsEveryEndpoint) {
  const std::string yaml = users_yaml(*hash_) +
                           "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                           "    Content-Security-Policy: default-src 'self'\n";
  auto s = start(yaml, false, creds("alice", "right"), {"--web.enable-otlp-receiver"});
  ASSERT_TRUE(s.ok()) << s.status();
  HttpClient none = client(**s, {}, false);
  HttpClient wrong = client(**s, creds("alice", "wrong"), false);
  HttpClient ghost = client(**s, creds("bob", "right"), false);
  HttpClient right = client(**s, creds("alice", "right"), false);
  for (const Endpoint& e : endpoints()) {
    SCOPED_TRACE(e.name);
    for (HttpClient* c : {&none, &wrong, &ghost}) {
      auto r = c->request(e.method, e.path, e.body, e.headers);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->status, 401);
      EXPECT_EQ(r->header("www-authenticate"), "Basic");
      EXPECT_EQ(r->body, "Unauthorized\n");
      EXPECT_EQ(r->header("x-frame-options"), "deny");
    }
    auto r = right.request(e.method, e.path, e.body, e.headers);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, e.want) << r->body;
    EXPECT_EQ(r->header("x-frame-options"), "deny");
    EXPECT_EQ(r->header("content-security-policy"), "default-src 'self'");
  }
  // The write with the right credentials landed.
  EXPECT_EQ(query_value(right, "auth_test @ 1700000000"), "1");
}

TEST_F(WebConfigE2ETest, UnauthenticatedBodyIsRefusedBeforeItIsSent) {
  auto s = start(users_yaml(*hash_), false, creds("alice", "right"));
  ASSERT_TRUE(s.ok()) << s.status();
  auto conn = TcpConnection::connect((*s)->host(), (*s)->port(), std::chrono::seconds(5));
  ASSERT_TRUE(conn.ok()) << conn.status();
  // A 64 MiB body is announced but never sent: the answer comes anyway.
  ASSERT_TRUE(conn->send_all("POST /api/v1/write HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 67108864\r\n\r\n",
                             std::chrono::seconds(5))
                  .ok());
  auto got = conn->recv_some(std::chrono::seconds(5));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, HasSubstr("HTTP/1.1 401 Unauthorized"));
  EXPECT_THAT(*got, HasSubstr("WWW-Authenticate: Basic"));
  EXPECT_TRUE(conn->wait_closed(std::chrono::seconds(5)));
}

TEST_F(WebConfigE2ETest, ChangedPasswordAppliesWithoutRestart) {
  auto s = start(users_yaml(*hash_), false, creds("alice", "right"));
  ASSERT_TRUE(s.ok()) << s.status();
  HttpClient old_pw = client(**s, creds("alice", "right"), false);
  HttpClient new_pw = client(**s, creds("alice", "newer"), false);
  ASSERT_EQ(old_pw.get("/-/healthy")->status, 200);
  auto h = bcrypt_hash("newer", "$2b$");
  ASSERT_TRUE(h.ok());
  std::ofstream((*s)->work_dir() + "/web.yml") << users_yaml(*h);
  EXPECT_TRUE(eventually([&] { return new_pw.get("/-/healthy")->status == 200; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(old_pw.get("/-/healthy")->status, 401);
  // A broken file keeps the last good one.
  std::ofstream((*s)->work_dir() + "/web.yml") << "basic_auth_users: [\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(new_pw.get("/-/healthy")->status, 200);
  EXPECT_TRUE((*s)->running());
  EXPECT_THAT((*s)->log(), HasSubstr("Error reloading the web config"));
}

TEST_F(WebConfigE2ETest, BrokenFileStopsTheStart) {
  ServerProcess::Options o;
  o.binary = strata_binary();
  o.files = {{"web.yml", "basic_auth_users:\n  alice: plain-text\n"}};
  o.flags = {"--web.config.file=web.yml"};
  o.ready_timeout = std::chrono::seconds(20);
  auto s = ServerProcess::start(std::move(o));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("Unable to validate web configuration file"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("not a bcrypt hash"));
}

TEST_F(WebConfigE2ETest, TlsWithBasicAuth) {
  auto s = start(tls_yaml() + users_yaml(*hash_), true, tls_creds("alice", "right"));
  ASSERT_TRUE(s.ok()) << s.status();
  HttpClient right = client(**s, tls_creds("alice", "right"), true);
  auto r = right.get("/api/v1/query?query=1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(client(**s, tls_creds("", ""), true).get("/-/healthy")->status, 401);
  // Plain HTTP to the TLS port: Go's answer.
  auto plain = client(**s, creds("alice", "right"), false).get("/-/healthy");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->status, 400);
  EXPECT_EQ(plain->body, "Client sent an HTTP request to an HTTPS server.\n");
  // A client that does not trust the server's CA refuses it.
  net::HttpClientConfig untrusting = creds("alice", "right");
  untrusting.tls_config.ca_file = file("other-ca.pem");
  auto bad = client(**s, untrusting, true).get("/-/healthy");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("certificate signed by unknown authority"));
}

TEST_F(WebConfigE2ETest, HandshakesAreBoundedByTheReadTimeoutAndFailuresAreHarmless) {
  auto s = start(tls_yaml(), true, tls_creds("", ""), {"--web.read-timeout=1s"});
  ASSERT_TRUE(s.ok()) << s.status();
  // A client that connects and never starts the handshake is dropped.
  auto idle = TcpConnection::connect((*s)->host(), (*s)->port(), std::chrono::seconds(5));
  ASSERT_TRUE(idle.ok()) << idle.status();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle->wait_closed(std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(4000));
  // Garbage instead of a ClientHello, and a ClientHello cut short.
  for (std::string junk : {std::string(300, '\x16'), std::string("\x16\x03\x01\x00\xff\x01", 6)}) {
    auto c = TcpConnection::connect((*s)->host(), (*s)->port(), std::chrono::seconds(5));
    ASSERT_TRUE(c.ok());
    (void)c->send_all(junk, std::chrono::seconds(2));
    c->shutdown_send();
    EXPECT_TRUE(c->wait_closed(std::chrono::seconds(5)));
  }
  auto r = client(**s, tls_creds("", ""), true).get("/metrics");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE((*s)->running());
}

TEST_F(WebConfigE2ETest, ClientCertificatesRequiredAndVerified) {
  const std::string yaml = tls_yaml("  client_auth_type: RequireAndVerifyClientCert\n"
                                    "  client_ca_file: " + file("ca.pem") + "\n");
  auto s = start(yaml, true, tls_creds("", "", "client"));
  ASSERT_TRUE(s.ok()) << s.status();
  auto with_cert = client(**s, tls_creds("", "", "client"), true).get("/-/healthy");
  ASSERT_TRUE(with_cert.ok()) << with_cert.status();
  EXPECT_EQ(with_cert->status, 200);
  EXPECT_FALSE(client(**s, tls_creds("", ""), true).get("/-/healthy").ok());
  EXPECT_FALSE(client(**s, tls_creds("", "", "rogue"), true).get("/-/healthy").ok());
  // The refused handshakes were counted.
  auto m = client(**s, tls_creds("", "", "client"), true).get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body, ::testing::Not(HasSubstr("strata_http_tls_handshake_failures_total 0")));
  EXPECT_THAT(m->body, HasSubstr("strata_http_tls_handshake_failures_total"));
}

TEST_F(WebConfigE2ETest, ClientAllowedSansAndTheirReload) {
  const std::string base = "  client_auth_type: RequireAndVerifyClientCert\n"
                           "  client_ca_file: " + file("ca.pem") + "\n";
  auto s = start(tls_yaml(base + "  client_allowed_sans: [client.example]\n"), true,
                 tls_creds("", "", "client"));
  ASSERT_TRUE(s.ok()) << s.status();
  // Now only another SAN may connect: the client's certificate is refused
  // from the next handshake on.
  std::ofstream((*s)->work_dir() + "/web.yml")
      << tls_yaml(base + "  client_allowed_sans: [someone.else]\n");
  EXPECT_TRUE(eventually(
      [&] { return !client(**s, tls_creds("", "", "client"), true).get("/-/healthy").ok(); },
      std::chrono::seconds(10)));
}

TEST_F(WebConfigE2ETest, OptionalClientCertificates) {
  const std::string yaml = tls_yaml("  client_auth_type: VerifyClientCertIfGiven\n"
                                    "  client_ca_file: " + file("ca.pem") + "\n");
  auto s = start(yaml, true, tls_creds("", ""));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(client(**s, tls_creds("", "", "client"), true).get("/-/healthy")->status, 200);
  EXPECT_FALSE(client(**s, tls_creds("", "", "rogue"), true).get("/-/healthy").ok());
}

// The prometheus.yml of a scraper that scrapes `port` as job `job` and
// remote-writes to it, over TLS with basic auth.
std::string secure_client_config(int port, const std::string& job, const std::string& ca) {
  const std::string target = "127.0.0.1:" + std::to_string(port);
  return "global:\n  scrape_interval: 1s\n"
         "scrape_configs:\n"
         "  - job_name: " + job + "\n"
         "    scheme: https\n"
         "    basic_auth: {username: alice, password: right}\n"
         "    tls_config: {ca_file: " + ca + "}\n"
         "    static_configs: [{targets: ['" + target + "']}]\n"
         "remote_write:\n"
         "  - url: https://" + target + "/api/v1/write\n"
         "    basic_auth: {username: alice, password: right}\n"
         "    tls_config: {ca_file: " + ca + "}\n"
         "    queue_config: {batch_send_deadline: 1s}\n";
}

TEST_F(WebConfigE2ETest, PrometheusScrapesAndRemoteWritesOverTlsWithAuth) {
  if (!prometheus_installed()) GTEST_SKIP() << "no " << kPrometheusBinary;
  auto s = start(tls_yaml() + users_yaml(*hash_), true, tls_creds("alice", "right"));
  ASSERT_TRUE(s.ok()) << s.status();
  auto prom = start_prometheus(secure_client_config((*s)->port(), "secure", file("ca.pem")));
  ASSERT_TRUE(prom.ok()) << prom.status();
  HttpClient p = (*prom)->client();
  EXPECT_TRUE(eventually([&] { return query_value(p, "up{job=\"secure\"}") == "1"; },
                         std::chrono::seconds(30)))
      << (*prom)->log();
  HttpClient strata = client(**s, tls_creds("alice", "right"), true);
  // Prometheus' remote write brought its scrape of Strata back to Strata.
  EXPECT_TRUE(eventually([&] { return query_value(strata, "up{job=\"secure\"}") == "1"; },
                         std::chrono::seconds(30)))
      << (*prom)->log();
  EXPECT_NE(query_value(strata, "count(strata_build_info{job=\"secure\"})"), "");
}

TEST_F(WebConfigE2ETest, StrataScrapesAndRemoteWritesOverTlsWithAuth) {
  auto s = start(tls_yaml() + users_yaml(*hash_), true, tls_creds("alice", "right"));
  ASSERT_TRUE(s.ok()) << s.status();
  auto sender = start_strata({}, secure_client_config((*s)->port(), "secure", file("ca.pem")));
  ASSERT_TRUE(sender.ok()) << sender.status();
  HttpClient c = (*sender)->client();
  EXPECT_TRUE(eventually([&] { return query_value(c, "up{job=\"secure\"}") == "1"; },
                         std::chrono::seconds(30)))
      << (*sender)->log();
  HttpClient strata = client(**s, tls_creds("alice", "right"), true);
  EXPECT_TRUE(eventually([&] { return query_value(strata, "up{job=\"secure\"}") == "1"; },
                         std::chrono::seconds(30)))
      << (*sender)->log();
}

}  // namespace
}  // namespace strata::testutil
