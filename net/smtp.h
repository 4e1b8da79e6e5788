// A small SMTP client (RFC 5321) for e-mail notifications: connect to a
// smarthost, EHLO, STARTTLS when required (OpenSSL, through net/tls.h's
// context and session setup, like net::Client), AUTH PLAIN or LOGIN when a
// username is given, MAIL FROM / RCPT TO / DATA (dot-stuffed), QUIT.
// Port 465 speaks TLS from the first byte (implicit TLS), as Alertmanager.
//
// Like Alertmanager: STARTTLS is used when require_tls is set, and then the
// server must offer it; PLAIN is refused over an unencrypted connection to
// anything but a loopback address (Go's smtp.PlainAuth rule); a server
// without the AUTH extension while a username is configured is an error.
//
// smtp_send() blocks the calling thread until the message is accepted, a
// reply says no, or `timeout_ms` for the whole exchange passes. It runs its
// own private io_context, so any thread may call it; thread-safe.
//
// Errors (absl::Status): Unavailable for network and 4xx replies (worth
// retrying), DeadlineExceeded, FailedPrecondition for 5xx replies and
// missing extensions, InvalidArgument for a bad address or config. Texts
// name the step and quote the server's reply, never the password.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "net/config.h"

namespace strata::net {

struct SmtpOptions {
  std::string smarthost;  // "host:port"
  std::string hello = "localhost";
  std::string username, password, identity;  // password is a secret
  bool require_tls = true;
  TlsConfig tls;  // server_name defaults to the smarthost's host
  int64_t timeout_ms = 30'000;
  // Largest server reply accepted (all lines of a multi-line reply).
  size_t max_reply_bytes = 64 * 1024;
};

// Sends `message` (header fields, blank line, body; lines end with CRLF or
// LF, which is converted) from envelope sender `from` to each of `to`
// (bare addresses, e.g. "ops@example.org").
absl::Status smtp_send(const SmtpOptions& opts, std::string_view from,
                       const std::vector<std::string>& to, std::string_view message);

}  // namespace strata::net
