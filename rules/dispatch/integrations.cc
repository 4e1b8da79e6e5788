// The three integrations: webhook and Slack (HTTP POST of JSON through
// net::Client) and e-mail (net/smtp.h). Payload formats are in payload.h.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/escaping.h"
#include "base/status.h"
#include "net/client.h"
#include "net/smtp.h"
#include "rules/dispatch/integration.h"

namespace strata::rules::dispatch {
namespace {

constexpr int64_t kMaxResponseBytes = 1 << 20;  // answers are read and dropped

absl::StatusOr<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError("cannot read " + path);
  std::string s(4096, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// POSTs JSON; one class for webhook and Slack, which differ in the body.
class HttpIntegration : public Integration {
 public:
  HttpIntegration(IntegrationKind kind, int index, bool send_resolved, std::string url,
                  std::string url_file, std::unique_ptr<net::Client> client, int64_t timeout_ms,
                  std::function<std::string(const NotificationData&)> body)
      : Integration(kind, index, send_resolved),
        url_(std::move(url)),
        url_file_(std::move(url_file)),
        client_(std::move(client)),
        timeout_ms_(timeout_ms),
        body_(std::move(body)) {}

  absl::Status notify(const NotificationData& d) override {
    std::string url = url_;
    if (url.empty()) {
      STRATA_ASSIGN_OR_RETURN(url, read_secret_file(url_file_));
    }
    const std::string body = body_(d);
    net::Request req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body;
    req.body_limit_bytes = kMaxResponseBytes;
    auto deadline = net::Deadline::clock::now() + std::chrono::milliseconds(timeout_ms_);
    auto res = client_->send(req, deadline);
    // The URL may carry a token (Slack's always does): errors never show it.
    if (!res.ok()) {
      std::string msg(res.status().message());
      for (size_t at; !url.empty() && (at = msg.find(url)) != std::string::npos;) {
        msg.replace(at, url.size(), "<redacted>");
      }
      return absl::Status(res.status().code(), std::string(integration_name(kind())) +
                                                   ": request failed: " + msg.substr(0, 512));
    }
    return net::status_error(*res);
  }

 private:
  std::string url_, url_file_;
  std::unique_ptr<net::Client> client_;
  int64_t timeout_ms_;
  std::function<std::string(const NotificationData&)> body_;
};

// RFC 2047 for non-ASCII header values.
std::string encode_header(const std::string& v) {
  bool ascii = std::all_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80 && c != '\r' && c != '\n';
  });
  if (ascii) return v;
  return "=?UTF-8?b?" + absl::Base64Escape(v) + "?=";
}

// The bare address of "Name <a@b>" or "a@b".
std::string bare_address(std::string s) {
  auto lt = s.rfind('<');
  auto gt = s.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt)
    s = s.substr(lt + 1, gt - lt - 1);
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string rfc5322_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

class EmailIntegration : public Integration {
 public:
  EmailIntegration(int index, const EmailConfig& c, int64_t timeout_ms)
      : Integration(IntegrationKind::kEmail, index, c.send_resolved),
        c_(c),
        timeout_ms_(timeout_ms) {}

  absl::Status notify(const NotificationData& d) override {
    net::SmtpOptions o;
    o.smarthost = c_.smarthost;
    o.hello = c_.hello;
    o.username = c_.auth_username;
    o.identity = c_.auth_identity;
    o.password = c_.auth_password;
    if (o.password.empty() && !c_.auth_password_file.empty()) {
      STRATA_ASSIGN_OR_RETURN(o.password, read_secret_file(c_.auth_password_file));
    }
    o.require_tls = c_.require_tls;
    o.tls = c_.tls;
    o.timeout_ms = timeout_ms_;

    std::map<std::string, std::string> headers = c_.headers;
    headers.emplace("From", c_.from);
    headers.emplace("To", c_.to);
    headers.emplace("Subject", subject(d));
    std::vector<std::string> to;
    std::stringstream ss(c_.to);
    for (std::string part; std::getline(ss, part, ',');) {
      std::string a = bare_address(part);
      if (!a.empty()) to.push_back(a);
    }
    if (to.empty()) return absl::InvalidArgumentError("email: no recipient address in " + c_.to);
    std::string msg;
    for (const auto& [k, v] : headers) msg += k + ": " + encode_header(v) + "\r\n";
    msg += "Date: " + rfc5322_date() + "\r\n";
    msg += "Message-Id: <" + std::to_string(std::random_device{}()) + "." +
           std::to_string(d.now_ms) + "@strata>\r\n";
    msg +=
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n";
    msg += email_body(d);
    absl::Status s = net::smtp_send(o, bare_address(headers["From"]), to, msg);
    if (!s.ok()) return absl::Status(s.code(), "email: " + std::string(s.message()));
    return s;
  }

 private:
  EmailConfig c_;
  int64_t timeout_ms_;
};

absl::StatusOr<std::unique_ptr<net::Client>> make_client(const net::HttpClientConfig& http,
                                                         const IntegrationOptions& opts) {
  net::ClientOptions co;
  co.http = http;
  co.user_agent = opts.user_agent;
  co.max_idle_per_origin = 2;
  return net::Client::create(co, opts.ioc);
}

}  // namespace

const char* integration_name(IntegrationKind k) {
  switch (k) {
    case IntegrationKind::kWebhook:
      return "webhook";
    case IntegrationKind::kSlack:
      return "slack";
    case IntegrationKind::kEmail:
      return "email";
  }
  return "unknown";
}

bool retryable(const absl::Status& s) {
  return !s.ok() && s.code() != absl::StatusCode::kFailedPrecondition &&
         s.code() != absl::StatusCode::kInvalidArgument &&
         s.code() != absl::StatusCode::kPermissionDenied;
}

absl::StatusOr<std::vector<std::unique_ptr<Integration>>> make_integrations(
    const ReceiverConfig& r, const IntegrationOptions& opts) {
  std::vector<std::unique_ptr<Integration>> out;
  for (size_t i = 0; i < r.webhooks.size(); ++i) {
    const WebhookConfig& w = r.webhooks[i];
    STRATA_ASSIGN_OR_RETURN(auto client, make_client(w.http, opts));
    uint64_t max_alerts = w.max_alerts;
    out.push_back(std::make_unique<HttpIntegration>(
        IntegrationKind::kWebhook, static_cast<int>(i), w.send_resolved, w.url, w.url_file,
        std::move(client), opts.timeout_ms,
        [max_alerts](const NotificationData& d) { return webhook_json(d, max_alerts); }));
  }
  for (size_t i = 0; i < r.slacks.size(); ++i) {
    const SlackConfig& s = r.slacks[i];
    STRATA_ASSIGN_OR_RETURN(auto client, make_client(s.http, opts));
    out.push_back(std::make_unique<HttpIntegration>(
        IntegrationKind::kSlack, static_cast<int>(i), s.send_resolved, s.api_url, s.api_url_file,
        std::move(client), opts.timeout_ms,
        [s](const NotificationData& d) { return slack_json(d, s); }));
  }
  for (size_t i = 0; i < r.emails.size(); ++i) {
    out.push_back(
        std::make_unique<EmailIntegration>(static_cast<int>(i), r.emails[i], opts.timeout_ms));
  }
  return out;
}

}  // namespace strata::rules::dispatch
