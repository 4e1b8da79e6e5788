// Authorization headers from net::HttpClientConfig, files re-read per request.
#include "net/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"

namespace strata::net {
namespace {

// Reads a whole credentials file, surrounding whitespace trimmed (a trailing
// newline from `echo` must not become part of the secret).
absl::StatusOr<std::string> read_secret(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError("unable to read " + std::string(what) + " " + path +
                                         ": open " + path + ": no such file or unreadable");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace

std::string basic_authorization(const std::string& user, const std::string& password) {
  return "Basic " + absl::Base64Escape(user + ":" + password);
}

absl::StatusOr<std::optional<std::string>> authorization_header(const HttpClientConfig& c) {
  if (c.basic_auth) {
    const BasicAuth& b = *c.basic_auth;
    std::string user = b.username, password = b.password;
    if (!b.username_file.empty()) {
      auto u = read_secret(b.username_file, "basic auth username file");
      if (!u.ok()) return u.status();
      user = *u;
    }
    if (!b.password_file.empty()) {
      auto p = read_secret(b.password_file, "basic auth password file");
      if (!p.ok()) return p.status();
      password = *p;
    }
    return std::optional<std::string>(basic_authorization(user, password));
  }
  if (c.authorization) {
    const Authorization& a = *c.authorization;
    std::string credentials = a.credentials;
    if (!a.credentials_file.empty()) {
      auto s = read_secret(a.credentials_file, "authorization credentials file");
      if (!s.ok()) return s.status();
      credentials = *s;
    }
    return std::optional<std::string>((a.type.empty() ? "Bearer" : a.type) + " " + credentials);
  }
  return std::optional<std::string>();
}

}  // namespace strata::net
