// SmtpTestServer (see the header). The server is a small aiosmtpd script,
// kept here as text and written into the test's directory, so tests need no
// source path at run time.
#include "tests/net/smtp_test_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

extern char** environ;

namespace strata::net::testing {
namespace {

constexpr char kScript[] = R"PY(#!/usr/bin/python3
"""A local SMTP server for net/smtp and e-mail notification tests.

aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1 and a free port, with
optional STARTTLS (--cert/--key) and AUTH (--user/--password; PLAIN and
LOGIN, or LOGIN only with --no-plain). Each accepted message is written to
--out as <n>.eml, with its envelope in <n>.env (MAIL FROM, then one RCPT per
line). Prints "READY <port>" once listening, then serves until stdin closes
or SIGTERM.
"""
import argparse
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.out, str(self.n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--no-plain", action="store_true")
    a = p.parse_args()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()

    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == a.user.encode()
                  and auth_data.password == a.password.encode())
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.cert))
        if a.no_plain:
            kwargs.update(auth_exclude_mechanism=["PLAIN"])
    c = Controller(Handler(a.out), hostname="127.0.0.1", port=port, **kwargs)
    c.start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("READY %d" % port, flush=True)
    sys.stdin.read()
    c.stop()


if __name__ == "__main__":
    main()
)PY";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool SmtpTestServer::available() {
  return std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

SmtpTestServer::SmtpTestServer(SmtpTestServerOptions opts) {
  if (!dir_.ok()) {
    error_ = "no temporary directory";
    return;
  }
  const std::string d = dir_.path();
  std::ofstream(d + "/server.py") << kScript;
  std::vector<std::string> args = {"/usr/bin/python3", d + "/server.py", "--out", d};
  if (opts.tls) {
    const std::string cmd =
        "cd '" + d +
        "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem"
        " -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
        " >openssl.log 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      error_ = "openssl failed, see " + d + "/openssl.log";
      return;
    }
    args.insert(args.end(), {"--cert", d + "/cert.pem", "--key", d + "/key.pem"});
  }
  if (!opts.user.empty())
    args.insert(args.end(), {"--user", opts.user, "--password", opts.password});
  if (opts.no_plain) args.push_back("--no-plain");

  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) {
    error_ = "pipe failed";
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, (d + "/server.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addclose(&fa, in_pipe[1]);
  posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in_pipe[0]);
  close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  if (rc != 0) {
    pid_ = -1;
    close(out_pipe[0]);
    error_ = "cannot start python3";
    return;
  }
  // Read "READY <port>\n", bounded in time and size.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && line.size() < 256) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{out_pipe[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[64];
    ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  if (line.rfind("READY ", 0) == 0) port_ = std::atoi(line.c_str() + 6);
  if (port_ <= 0) error_ = "SMTP server did not start: " + read_file(d + "/server.log");
}

SmtpTestServer::~SmtpTestServer() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // up to 5 s, then SIGKILL
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      usleep(50'000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

std::optional<ReceivedMail> SmtpTestServer::message(int n) const {
  const std::string base = dir_.path() + "/" + std::to_string(n);
  std::ifstream env(base + ".env");
  if (!env) return std::nullopt;
  ReceivedMail m;
  std::getline(env, m.mail_from);
  for (std::string r; std::getline(env, r);) m.rcpt_to.push_back(r);
  m.content = read_file(base + ".eml");
  return m;
}

int SmtpTestServer::messages() const {
  int n = 0;
  while (message(n + 1)) ++n;
  return n;
}

}  // namespace strata::net::testing
