// URL parsing for net/'s client: absolute http(s) URLs only.
#include "net/url.h"

#include <arpa/inet.h>

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace strata::net {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The URL itself is left out: it may carry a password; callers name it
// redacted (redact_unparsed()).
absl::Status parse_error(std::string_view, std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string redact_unparsed(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  std::string_view info = url.substr(start, at - start);
  size_t colon = info.find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start + colon)) + ":xxxxx" + std::string(url.substr(at));
}

std::string Url::host_port() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + port;
}

std::string Url::origin() const { return scheme + "://" + host_port(); }

std::string Url::absolute() const { return origin() + target; }

std::string Url::redacted() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  std::string out = scheme + "://";
  if (has_userinfo) out += user + (password.empty() ? "" : ":xxxxx") + "@";
  out += h;
  if (!default_port) out += ":" + port;
  return out + target;
}

absl::StatusOr<Url> parse_url(std::string_view url) {
  Url u;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return parse_error(url, "missing protocol scheme");
  u.scheme = absl::AsciiStrToLower(std::string(url.substr(0, colon)));
  if (u.scheme != "http" && u.scheme != "https")
    return absl::InvalidArgumentError("unsupported protocol scheme \"" + u.scheme + "\"");
  std::string_view rest = url.substr(colon + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  if (target.empty() || target[0] == '?') u.target.push_back('/');
  u.target.append(target);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t c = info.find(':');
    u.user = percent_decode(info.substr(0, c));
    if (c != std::string_view::npos) u.password = percent_decode(info.substr(c + 1));
    u.has_userinfo = true;
  }
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return parse_error(url, "missing ']' in host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return parse_error(url, "invalid port after host");
      port = after.substr(1);
    }
  } else {
    size_t c = authority.rfind(':');
    u.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port = authority.substr(c + 1);
  }
  if (u.host.empty()) return absl::InvalidArgumentError("http: no Host in request URL");
  int port_number = 0;
  if (!port.empty() && (!absl::SimpleAtoi(std::string(port), &port_number) || port_number < 0 || port_number > 65535))
    return parse_error(url, "invalid port \":" + std::string(port) + "\" after host");
  u.port = port.empty() ? (u.tls() ? "443" : "80") : std::string(port);
  return u;
}

absl::StatusOr<Url> resolve_reference(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return parse_url(location);
  if (location.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(location));
  Url u = base;
  u.has_userinfo = false;
  u.user.clear();
  u.password.clear();
  std::string loc(location.substr(0, location.find('#')));
  if (loc.empty()) return u;
  if (loc[0] == '/') {
    u.target = loc;
  } else if (loc[0] == '?') {
    u.target = base.target.substr(0, base.target.find('?')) + loc;
  } else {
    std::string path = base.target.substr(0, base.target.find('?'));
    u.target = path.substr(0, path.rfind('/') + 1) + loc;
  }
  return u;
}

std::string query_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool split_host_port(std::string_view hp, std::string_view* host, std::string_view* port) {
  size_t i = hp.rfind(':');
  if (i == std::string_view::npos) return false;
  size_t j = 0, k = 0;
  if (!hp.empty() && hp[0] == '[') {
    size_t end = hp.find(']');
    if (end == std::string_view::npos) return false;
    if (end + 1 == hp.size()) return false;  // missing port
    if (end + 1 != i) return false;          // too many colons / missing port
    *host = hp.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    *host = hp.substr(0, i);
    if (host->find(':') != std::string_view::npos) return false;  // too many colons
  }
  if (hp.substr(j).find('[') != std::string_view::npos) return false;
  if (hp.substr(k).find(']') != std::string_view::npos) return false;
  *port = hp.substr(i + 1);
  return true;
}

}  // namespace strata::net
