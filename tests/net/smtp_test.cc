// net/smtp.h against a real SMTP server (aiosmtpd on 127.0.0.1, see
// smtp_test_server.h): STARTTLS with a certificate the test made, AUTH
// PLAIN and LOGIN, dot-stuffing, and the errors of a refused login, a
// server without STARTTLS, an untrusted certificate and a closed port.
#include "net/smtp.h"

#include <gtest/gtest.h>

#include "tests/net/smtp_test_server.h"
#include "tests/testutil/server_process.h"

namespace strata::net {
namespace {

using testing::SmtpTestServer;
using testing::SmtpTestServerOptions;

constexpr char kMessage[] =
    "From: Strata <strata@example.org>\n"
    "To: ops@example.org\n"
    "Subject: [FIRING:1] Down\n"
    "\n"
    "first line\n"
    ".a line that starts with a dot\n"
    "last line\n";

SmtpOptions options(const SmtpTestServer& s) {
  SmtpOptions o;
  o.smarthost = s.smarthost();
  o.hello = "strata.test";
  o.username = "alice";
  o.password = "s3cret";
  o.tls.ca_file = s.ca_file();
  o.timeout_ms = 20'000;
  return o;
}

class SmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SmtpTestServer::available()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  }
};

TEST_F(SmtpTest, StartTlsAndAuthPlainDeliverTheMessage) {
  SmtpTestServer server({.tls = true, .user = "alice", .password = "s3cret"});
  ASSERT_TRUE(server.ok()) << server.error();
  ASSERT_TRUE(smtp_send(options(server), "strata@example.org",
                        {"ops@example.org", "dev@example.org"}, kMessage)
                  .ok());
  auto m = server.message(1);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->mail_from, "strata@example.org");
  EXPECT_EQ(m->rcpt_to, (std::vector<std::string>{"ops@example.org", "dev@example.org"}));
  EXPECT_NE(m->content.find("Subject: [FIRING:1] Down\r\n"), std::string::npos) << m->content;
  EXPECT_NE(m->content.find("\r\n.a line that starts with a dot\r\nlast line"), std::string::npos)
      << m->content;
}

TEST_F(SmtpTest, AuthLogin) {
  SmtpTestServer server({.tls = true, .user = "alice", .password = "s3cret", .no_plain = true});
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = smtp_send(options(server), "strata@example.org", {"ops@example.org"}, kMessage);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(server.messages(), 1);
}

TEST_F(SmtpTest, WrongPasswordIsAPermanentError) {
  SmtpTestServer server({.tls = true, .user = "alice", .password = "s3cret"});
  ASSERT_TRUE(server.ok()) << server.error();
  SmtpOptions o = options(server);
  o.password = "wrong";
  auto s = smtp_send(o, "strata@example.org", {"ops@example.org"}, kMessage);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(std::string(s.message()).find("AUTH: 535"), std::string::npos) << s;
  EXPECT_EQ(std::string(s.message()).find("wrong"), std::string::npos) << "password leaked";
  EXPECT_EQ(server.messages(), 0);
}

TEST_F(SmtpTest, RequireTlsNeedsStartTls) {
  SmtpTestServer server({.tls = false});
  ASSERT_TRUE(server.ok()) << server.error();
  SmtpOptions o = options(server);
  o.username.clear();
  auto s = smtp_send(o, "strata@example.org", {"ops@example.org"}, kMessage);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(std::string(s.message()).find("does not advertise the STARTTLS extension"),
            std::string::npos)
      << s;
  // Without require_tls the same server takes it.
  o.require_tls = false;
  ASSERT_TRUE(smtp_send(o, "strata@example.org", {"ops@example.org"}, kMessage).ok());
  EXPECT_EQ(server.messages(), 1);
}

TEST_F(SmtpTest, UntrustedCertificateFails) {
  SmtpTestServer server({.tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  SmtpOptions o = options(server);
  o.username.clear();
  o.tls.ca_file.clear();  // the system's store does not know the test's certificate
  auto s = smtp_send(o, "strata@example.org", {"ops@example.org"}, kMessage);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(std::string(s.message()).find("certificate"), std::string::npos) << s;
  o.tls.insecure_skip_verify = true;
  EXPECT_TRUE(smtp_send(o, "strata@example.org", {"ops@example.org"}, kMessage).ok());
}

TEST_F(SmtpTest, ClosedPortIsUnavailable) {
  SmtpOptions o;
  o.smarthost = "127.0.0.1:" + std::to_string(testutil::free_port());
  o.timeout_ms = 5'000;
  auto s = smtp_send(o, "a@b", {"c@d"}, kMessage);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST(SmtpAddressTest, BadAddressesAreRefusedBeforeConnecting) {
  SmtpOptions o;
  o.smarthost = "127.0.0.1:1";
  EXPECT_EQ(smtp_send(o, "a@b>", {"c@d"}, "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(smtp_send(o, "a@b", {"c\r\n@d"}, "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(smtp_send(o, "a@b", {}, "x").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::net
