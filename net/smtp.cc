// smtp_send() (net/smtp.h): one blocking exchange driven on a private
// io_context, each step bounded by the exchange's deadline (a step that
// does not finish in time closes the socket and fails DeadlineExceeded).
#include "net/smtp.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "net/tls.h"
#include "net/url.h"

namespace strata::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after "NNN-" / "NNN "
  std::string text() const {
    std::string s = std::to_string(code);
    for (const auto& l : lines) s += " " + l;
    return s.substr(0, 512);
  }
};

class Session {
 public:
  explicit Session(const SmtpOptions& o)
      : o_(o),
        socket_(ioc_),
        deadline_(Clock::now() + std::chrono::milliseconds(o.timeout_ms)),
        buf_(o.max_reply_bytes) {}

  absl::Status run(std::string_view from, const std::vector<std::string>& to,
                   std::string_view message) {
    auto colon = o_.smarthost.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError("smtp: address " + o_.smarthost +
                                        ": missing port in address");
    }
    host_ = o_.smarthost.substr(0, colon);
    if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
      host_ = host_.substr(1, host_.size() - 2);
    const std::string port = o_.smarthost.substr(colon + 1);
    if (auto s = connect(port); !s.ok()) return s;
    if (port == "465") {
      if (auto s = start_tls(); !s.ok()) return s;
    }
    if (auto r = expect("greeting", 220); !r.ok()) return r.status();
    if (auto s = hello(); !s.ok()) return s;
    if (o_.require_tls && !tls_) {
      if (!ext_.count("STARTTLS")) {
        return absl::FailedPreconditionError("smtp: 'require_tls' is true but " + o_.smarthost +
                                             " does not advertise the STARTTLS extension");
      }
      if (auto r = command("STARTTLS", "STARTTLS", 220); !r.ok()) return r.status();
      if (auto s = start_tls(); !s.ok()) return s;
      if (auto s = hello(); !s.ok()) return s;
    }
    if (!o_.username.empty()) {
      if (auto s = auth(); !s.ok()) return s;
    }
    if (auto r = command("MAIL FROM:<" + std::string(from) + ">", "MAIL", 250); !r.ok())
      return r.status();
    for (const auto& rcpt : to) {
      auto r = command("RCPT TO:<" + rcpt + ">", "RCPT", 250, 251);
      if (!r.ok()) return r.status();
    }
    if (auto r = command("DATA", "DATA", 354); !r.ok()) return r.status();
    if (auto s = write(dot_stuff(message)); !s.ok()) return s;
    if (auto r = expect("end of DATA", 250); !r.ok()) return r.status();
    (void)command("QUIT", "QUIT", 221);  // the message is accepted already
    return absl::OkStatus();
  }

 private:
  static bool valid_address(std::string_view a) {
    return !a.empty() && a.find_first_of("<>\r\n ") == std::string_view::npos;
  }

  // Runs the io_context until `done` or the deadline; on timeout the socket
  // is closed so the pending operation completes.
  absl::Status wait(const bool& done, std::string_view step) {
    ioc_.restart();
    ioc_.run_until(deadline_);
    if (done) return absl::OkStatus();
    boost::system::error_code ec;
    socket_.lowest_layer().close(ec);
    ioc_.restart();
    ioc_.run();
    return absl::DeadlineExceededError("smtp: " + std::string(step) + ": timeout");
  }

  absl::Status connect(const std::string& port) {
    tcp::resolver resolver(ioc_);
    boost::system::error_code ec;
    auto eps = resolver.resolve(host_, port, ec);
    if (ec) return absl::UnavailableError("smtp: resolving " + host_ + ": " + ec.message());
    bool done = false;
    asio::async_connect(socket_, eps, [&](boost::system::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (auto s = wait(done, "connect"); !s.ok()) return s;
    if (ec) return absl::UnavailableError("smtp: dial tcp " + o_.smarthost + ": " + ec.message());
    return absl::OkStatus();
  }

  absl::Status start_tls() {
    auto ctx = make_tls_context(o_.tls);
    if (!ctx.ok())
      return absl::InvalidArgumentError("smtp: " + std::string(ctx.status().message()));
    ctx_ = *ctx;
    tls_stream_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *ctx_);
    const std::string name = o_.tls.server_name.empty() ? host_ : o_.tls.server_name;
    if (!configure_tls_session(tls_stream_->native_handle(), name, !o_.tls.insecure_skip_verify)) {
      return absl::InvalidArgumentError("smtp: cannot use TLS server name " + name);
    }
    boost::system::error_code ec;
    bool done = false;
    tls_stream_->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
      ec = e;
      done = true;
    });
    if (auto s = wait(done, "TLS handshake"); !s.ok()) return s;
    if (ec) {
      return absl::UnavailableError(
          "smtp: " + tls_error_text(tls_stream_->native_handle(), name, ec.message()));
    }
    tls_ = true;
    buf_.consume(buf_.size());  // nothing read before STARTTLS may be trusted
    return absl::OkStatus();
  }

  absl::Status write(const std::string& data) {
    boost::system::error_code ec;
    bool done = false;
    auto cb = [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    };
    if (tls_)
      asio::async_write(*tls_stream_, asio::buffer(data), cb);
    else
      asio::async_write(socket_, asio::buffer(data), cb);
    if (auto s = wait(done, "write"); !s.ok()) return s;
    if (ec) return absl::UnavailableError("smtp: write: " + ec.message());
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> read_line() {
    boost::system::error_code ec;
    bool done = false;
    size_t n = 0;
    auto cb = [&](boost::system::error_code e, size_t k) {
      ec = e;
      n = k;
      done = true;
    };
    if (tls_)
      asio::async_read_until(*tls_stream_, buf_, "\n", cb);
    else
      asio::async_read_until(socket_, buf_, "\n", cb);
    if (auto s = wait(done, "read"); !s.ok()) return s;
    if (ec) return absl::UnavailableError("smtp: read: " + ec.message());
    std::string line(asio::buffers_begin(buf_.data()), asio::buffers_begin(buf_.data()) + n);
    buf_.consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
  }

  absl::StatusOr<Reply> read_reply() {
    Reply r;
    size_t total = 0;
    while (true) {
      auto line = read_line();
      if (!line.ok()) return line.status();
      total += line->size();
      if (total > o_.max_reply_bytes) return absl::UnavailableError("smtp: reply too long");
      if (line->size() < 3 || !absl::ascii_isdigit((*line)[0]) ||
          !absl::ascii_isdigit((*line)[1]) || !absl::ascii_isdigit((*line)[2]) ||
          (line->size() > 3 && (*line)[3] != ' ' && (*line)[3] != '-')) {
        return absl::UnavailableError("smtp: malformed reply line");
      }
      int code = std::stoi(line->substr(0, 3));
      if (r.code != 0 && code != r.code)
        return absl::UnavailableError("smtp: inconsistent reply codes");
      r.code = code;
      r.lines.push_back(line->size() > 4 ? line->substr(4) : "");
      if (line->size() <= 3 || (*line)[3] == ' ') return r;
    }
  }

  static absl::Status reply_error(std::string_view step, const Reply& r) {
    std::string msg = "smtp: " + std::string(step) + ": " + r.text();
    // 4xx are transient (try again later), 5xx permanent (RFC 5321 4.2.1).
    if (r.code >= 400 && r.code < 500) return absl::UnavailableError(msg);
    return absl::FailedPreconditionError(msg);
  }

  absl::StatusOr<Reply> expect(std::string_view step, int code, int alt = -1) {
    auto r = read_reply();
    if (!r.ok()) return r.status();
    if (r->code != code && r->code != alt) return reply_error(step, *r);
    return r;
  }

  absl::StatusOr<Reply> command(const std::string& line, std::string_view step, int code,
                                int alt = -1) {
    if (auto s = write(line + "\r\n"); !s.ok()) return s;
    return expect(step, code, alt);
  }

  absl::Status hello() {
    auto r = command("EHLO " + o_.hello, "EHLO", 250);
    if (!r.ok()) return r.status();
    ext_.clear();
    for (size_t i = 1; i < r->lines.size(); ++i) {
      std::vector<std::string> parts = absl::StrSplit(r->lines[i], ' ', absl::SkipEmpty());
      if (parts.empty()) continue;
      std::string key = absl::AsciiStrToUpper(parts[0]);
      parts.erase(parts.begin());
      std::string args;
      for (auto& p : parts) args += absl::AsciiStrToUpper(p) + " ";
      ext_[key] = args;
    }
    return absl::OkStatus();
  }

  bool loopback() const { return host_ == "localhost" || host_ == "127.0.0.1" || host_ == "::1"; }

  absl::Status auth() {
    auto it = ext_.find("AUTH");
    if (it == ext_.end()) {
      return absl::FailedPreconditionError("smtp: server " + o_.smarthost +
                                           " does not support AUTH, but a username is configured");
    }
    const std::string& mechs = " " + it->second;
    if (mechs.find(" PLAIN ") != std::string::npos) {
      if (!tls_ && !loopback()) {
        return absl::FailedPreconditionError(
            "smtp: refusing AUTH PLAIN over an unencrypted connection");
      }
      std::string cred = o_.identity + '\0' + o_.username + '\0' + o_.password;
      auto r = command("AUTH PLAIN " + absl::Base64Escape(cred), "AUTH", 235);
      return r.ok() ? absl::OkStatus() : r.status();
    }
    if (mechs.find(" LOGIN ") != std::string::npos) {
      if (auto r = command("AUTH LOGIN", "AUTH", 334); !r.ok()) return r.status();
      if (auto r = command(absl::Base64Escape(o_.username), "AUTH", 334); !r.ok())
        return r.status();
      auto r = command(absl::Base64Escape(o_.password), "AUTH", 235);
      return r.ok() ? absl::OkStatus() : r.status();
    }
    return absl::FailedPreconditionError(
        "smtp: no supported authentication mechanism (PLAIN, LOGIN) in: " + it->second);
  }

  // CRLF line ends, leading dots doubled, the final "." line.
  static std::string dot_stuff(std::string_view m) {
    std::string out;
    out.reserve(m.size() + m.size() / 50 + 8);
    bool line_start = true;
    for (size_t i = 0; i < m.size(); ++i) {
      char c = m[i];
      if (line_start && c == '.') out.push_back('.');
      if (c == '\n') {
        if (out.empty() || out.back() != '\r') out.push_back('\r');
        out.push_back('\n');
        line_start = true;
        continue;
      }
      if (c == '\r' && (i + 1 >= m.size() || m[i + 1] != '\n')) continue;  // lone CR
      out.push_back(c);
      line_start = false;
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    return out;
  }

 public:
  static absl::Status check_addresses(std::string_view from, const std::vector<std::string>& to) {
    if (!valid_address(from)) return absl::InvalidArgumentError("smtp: invalid sender address");
    if (to.empty()) return absl::InvalidArgumentError("smtp: no recipients");
    for (const auto& a : to) {
      if (!valid_address(a))
        return absl::InvalidArgumentError("smtp: invalid recipient address " + a);
    }
    return absl::OkStatus();
  }

 private:
  const SmtpOptions& o_;
  asio::io_context ioc_;
  tcp::socket socket_;
  Clock::time_point deadline_;
  std::string host_;
  std::shared_ptr<asio::ssl::context> ctx_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_stream_;
  bool tls_ = false;
  asio::streambuf buf_;
  std::map<std::string, std::string> ext_;
};

}  // namespace

absl::Status smtp_send(const SmtpOptions& opts, std::string_view from,
                       const std::vector<std::string>& to, std::string_view message) {
  if (auto s = Session::check_addresses(from, to); !s.ok()) return s;
  Session session(opts);
  return session.run(from, to, message);
}

}  // namespace strata::net
