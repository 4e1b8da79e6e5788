// SmtpTestServer: a real SMTP server for tests, Debian's aiosmtpd (package
// python3-aiosmtpd) run by /usr/bin/python3 on 127.0.0.1 and a free port,
// with optional STARTTLS (a self-signed certificate for 127.0.0.1 made by
// the openssl CLI in a temporary directory; ca_file() trusts it) and AUTH
// PLAIN/LOGIN. Each accepted message is kept as a file; message(n) reads
// the n-th (1-based) with its envelope.
//
// The constructor waits (at most 30 s) for the server's "READY <port>"
// line; ok() says whether it came. The destructor stops the server by its
// PID (SIGTERM, then SIGKILL) and removes the directory. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/testutil/temp_dir.h"

namespace strata::net::testing {

struct SmtpTestServerOptions {
  bool tls = true;             // offer (and require) STARTTLS
  std::string user, password;  // AUTH required when set
  bool no_plain = false;       // offer AUTH LOGIN only
};

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string content;  // the message as received (header and body)
};

class SmtpTestServer {
 public:
  explicit SmtpTestServer(SmtpTestServerOptions opts = {});
  ~SmtpTestServer();
  SmtpTestServer(const SmtpTestServer&) = delete;
  SmtpTestServer& operator=(const SmtpTestServer&) = delete;

  // Whether aiosmtpd is installed (tests skip otherwise).
  static bool available();
  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string smarthost() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return dir_.path() + "/cert.pem"; }
  // The n-th accepted message (1-based), if there is one.
  std::optional<ReceivedMail> message(int n) const;
  int messages() const;
  const std::string& error() const { return error_; }

 private:
  testutil::TempDir dir_{"smtp-test-"};
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace strata::net::testing
