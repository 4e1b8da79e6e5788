#include "tests/testutil/http_client.h"

#include <cctype>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace strata::testutil {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left(Clock::time_point deadline) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(d, std::chrono::milliseconds(0));
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool has_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return true;
  return false;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return "";
}

bool HttpResponse::has_header(std::string_view name) const {
  return testutil::has_header(headers, name);
}

HttpClient::HttpClient(std::string host, int port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

absl::StatusOr<HttpResponse> HttpClient::get(const std::string& path, const Headers& headers) {
  return request("GET", path, "", headers);
}

absl::StatusOr<HttpResponse> HttpClient::head(const std::string& path, const Headers& headers) {
  return request("HEAD", path, "", headers);
}

absl::StatusOr<HttpResponse> HttpClient::post(const std::string& path, const std::string& body,
                                              const std::string& content_type,
                                              const Headers& headers) {
  Headers h = headers;
  if (!content_type.empty() && !has_header(h, "content-type"))
    h.emplace_back("Content-Type", content_type);
  return request("POST", path, body, h);
}

absl::StatusOr<HttpResponse> HttpClient::request(const std::string& method,
                                                 const std::string& path,
                                                 const std::string& body,
                                                 const Headers& headers) {
  std::string wire = method + " " + path + " HTTP/1.1\r\n";
  if (!has_header(headers, "host")) wire += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
  if (!has_header(headers, "user-agent")) wire += "User-Agent: strata-testutil\r\n";
  for (const auto& [k, v] : headers) wire += k + ": " + v + "\r\n";
  bool needs_length = !body.empty() || method == "POST" || method == "PUT";
  if (needs_length && !has_header(headers, "content-length") &&
      !has_header(headers, "transfer-encoding"))
    wire += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  wire += "\r\n";
  wire += body;
  bool is_head = method == "HEAD";

  bool reused = conn_.is_open();
  bool received = false;
  auto r = attempt(wire, is_head, &received);
  // A kept-alive connection the server closed meanwhile fails before any
  // byte of an answer arrives: retry once on a fresh connection, like Go's
  // http.Client does for idempotent requests.
  if (!r.ok() && reused && !received) {
    conn_.close();
    r = attempt(wire, is_head, &received);
  }
  if (!r.ok()) conn_.close();
  return r;
}

absl::StatusOr<HttpResponse> HttpClient::attempt(const std::string& wire, bool is_head,
                                                 bool* received) {
  if (!conn_.is_open()) {
    buf_.clear();
    auto c = TcpConnection::connect(host_, port_, timeout_);
    if (!c.ok()) return c.status();
    conn_ = std::move(*c);
    ++connections_opened_;
  }
  if (auto s = conn_.send_all(wire, timeout_); !s.ok()) return s;
  size_t before = buf_.size();
  bool keep_alive = true;
  auto r = read_response(is_head, &keep_alive);
  *received = buf_.size() != before || r.ok();
  if (r.ok() && !keep_alive) conn_.close();
  return r;
}

absl::Status HttpClient::fill(Clock::time_point deadline) {
  auto r = conn_.recv_some(left(deadline));
  if (!r.ok()) return r.status();
  if (r->empty()) return absl::UnavailableError("connection closed by server");
  buf_ += *r;
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> HttpClient::read_response(bool is_head, bool* keep_alive) {
  auto deadline = Clock::now() + timeout_;
  HttpResponse resp;
  std::string version;
  for (;;) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (auto s = fill(deadline); !s.ok()) return s;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::vector<std::string> lines = absl::StrSplit(head, "\r\n");
    std::vector<std::string> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
    if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &resp.status))
      return absl::DataLossError("malformed status line: " + lines[0]);
    version = status_line[0];
    resp.headers.clear();
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == std::string::npos) return absl::DataLossError("malformed header: " + lines[i]);
      resp.headers.emplace_back(absl::AsciiStrToLower(lines[i].substr(0, colon)),
                                std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1))));
    }
    if (resp.status >= 200 || resp.status == 101) break;  // skip 100 Continue and friends
  }
  std::string connection = absl::AsciiStrToLower(resp.header("connection"));
  *keep_alive = version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive";

  bool no_body = is_head || resp.status == 204 || resp.status == 304;
  if (no_body) return resp;
  if (absl::AsciiStrToLower(resp.header("transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        if (auto s = fill(deadline); !s.ok()) return s;
      }
      std::string size_line = buf_.substr(0, eol);
      size_t n = std::strtoull(size_line.c_str(), nullptr, 16);
      buf_.erase(0, eol + 2);
      if (n == 0) {
        // Trailers (none expected) end with an empty line.
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (auto s = fill(deadline); !s.ok()) return s;
        }
        buf_.erase(0, eol + 2);
        return resp;
      }
      while (buf_.size() < n + 2) {
        if (auto s = fill(deadline); !s.ok()) return s;
      }
      resp.body.append(buf_, 0, n);
      buf_.erase(0, n + 2);
    }
  }
  std::string length = resp.header("content-length");
  if (!length.empty()) {
    size_t n = 0;
    if (!absl::SimpleAtoi(length, &n)) return absl::DataLossError("bad Content-Length " + length);
    while (buf_.size() < n) {
      if (auto s = fill(deadline); !s.ok()) return s;
    }
    resp.body = buf_.substr(0, n);
    buf_.erase(0, n);
    return resp;
  }
  // No length: the body runs to the end of the connection.
  *keep_alive = false;
  for (;;) {
    auto r = conn_.recv_some(left(deadline));
    if (!r.ok()) return r.status();
    if (r->empty()) break;
    buf_ += *r;
  }
  resp.body = std::move(buf_);
  buf_.clear();
  return resp;
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

}  // namespace strata::testutil
