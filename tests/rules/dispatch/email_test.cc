// E-mail notifications end to end: the dispatcher (injected clock, explicit
// ticks) sends through net/smtp to a local aiosmtpd with STARTTLS and AUTH
// (tests/net/smtp_test_server.h); the message must carry Alertmanager's
// default subject and a plain-text body listing the alerts.
#include <gtest/gtest.h>

#include <atomic>

#include "rules/dispatch/dispatcher.h"
#include "tests/net/smtp_test_server.h"
#include "tests/testutil/temp_dir.h"

namespace strata::rules::dispatch {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMin = 60'000;

TEST(DispatchEmailTest, FiringAlertArrivesWithSubjectAndBody) {
  if (!net::testing::SmtpTestServer::available()) GTEST_SKIP() << "python3-aiosmtpd missing";
  net::testing::SmtpTestServer smtp({.tls = true, .user = "alice", .password = "s3cret"});
  ASSERT_TRUE(smtp.ok()) << smtp.error();
  testutil::TempDir dir("dispatch-email-");
  const std::string yaml =
      "global:\n  smtp_smarthost: '" + smtp.smarthost() +
      "'\n  smtp_from: 'Strata <strata@example.org>'\n  smtp_auth_username: alice\n"
      "  smtp_auth_password: s3cret\n"
      "route:\n  receiver: mail\n  group_by: [alertname]\n"
      "receivers:\n- name: mail\n  email_configs:\n  - to: 'Ops <ops@example.org>'\n"
      "    headers: {x-team: db}\n    tls_config: {ca_file: '" +
      smtp.ca_file() + "'}\n";
  auto c = parse_config(yaml);
  ASSERT_TRUE(c.ok()) << c.status();
  std::atomic<int64_t> now{kT0};
  DispatcherOptions o;
  o.data_dir = dir.path();
  o.external_url = "http://strata:9090";
  o.clock = [&] { return now.load(); };
  o.run_thread = false;
  o.notify_timeout_ms = 20'000;
  auto d = Dispatcher::create(*std::move(c), o);
  ASSERT_TRUE(d.ok()) << d.status();
  Alert a;
  a.labels = tsdb::Labels::from_strings({"alertname", "Down", "team", "db", "instance", "h:1"});
  a.annotations = tsdb::Labels::from_strings({"summary", "host h:1 is down"});
  a.starts_at_ms = kT0;
  a.ends_at_ms = kT0 + 10 * kMin;
  a.generator_url = "http://strata:9090/graph?g0.expr=up+%3D%3D+0";
  (*d)->send({a});
  now = kT0 + 30'000;
  (*d)->tick();
  ASSERT_EQ(smtp.messages(), 1);
  auto m = smtp.message(1);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->mail_from, "strata@example.org");
  EXPECT_EQ(m->rcpt_to, std::vector<std::string>{"ops@example.org"});
  const std::string& s = m->content;
  EXPECT_NE(s.find("Subject: [FIRING:1] Down (h:1 db)\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("To: Ops <ops@example.org>\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("X-Team: db\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos) << s;
  EXPECT_NE(s.find("  summary = host h:1 is down\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  instance = h:1\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("Started: 2023-11-14T22:13:20Z"), std::string::npos) << s;
  EXPECT_NE(s.find("Source: http://strata:9090/graph?g0.expr=up+%3D%3D+0"), std::string::npos) << s;

  // Resolved: e-mail's send_resolved is false by default, so no mail.
  a.ends_at_ms = kT0 + kMin;
  (*d)->send({a});
  now = kT0 + 30'000 + 5 * kMin;
  (*d)->tick();
  EXPECT_EQ(smtp.messages(), 1);
}

}  // namespace
}  // namespace strata::rules::dispatch
