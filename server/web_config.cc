// Parsing the --web.config.file (see server/web_config.h), with the strict
// field checks of the prometheus.yml parser.
#include "server/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "server/config_parse_internal.h"

namespace strata::server {
namespace {

using config_internal::ConfigError;
using config_internal::fail;
using config_internal::Fields;
using config_internal::ParseContext;
using config_internal::str;
using config_internal::type_error;

// The headers the toolkit lets a web config set, with the values it allows
// (empty = any value).
struct AllowedHeader {
  std::string_view name;
  std::vector<std::string_view> values;
};
const std::array<AllowedHeader, 5>& allowed_headers() {
  static const std::array<AllowedHeader, 5> kHeaders = {{
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  }};
  return kHeaders;
}

net::TlsServerConfig tls_server_config(const Fields& f, const ParseContext& ctx) {
  const YAML::Node& n = f.node();
  net::TlsServerConfig t;
  if (auto v = f.get("cert_file")) t.cert_file = ctx.resolve(str(*v));
  if (auto v = f.get("key_file")) t.key_file = ctx.resolve(str(*v));
  if (auto v = f.get("client_ca_file")) t.client_ca_file = ctx.resolve(str(*v));
  if (auto v = f.get("client_auth_type")) {
    auto a = net::parse_client_auth(str(*v));
    if (!a.ok()) fail(*v, std::string(a.status().message()));
    t.client_auth = *a;
  }
  if (auto v = f.get("client_allowed_sans")) t.client_allowed_sans = config_internal::strings(*v);
  for (const char* key : {"min_version", "max_version"}) {
    if (auto v = f.get(key)) {
      auto ver = net::parse_tls_version(str(*v));
      if (!ver.ok()) fail(*v, std::string(ver.status().message()));
      (key[1] == 'i' ? t.min_version : t.max_version) = *ver;
    }
  }
  if (t.min_version != 0 && t.max_version != 0 && t.max_version < t.min_version)
    fail(n, "max_version must be greater than or equal to min_version");
  if (auto v = f.get("cipher_suites")) {
    if (!v->IsSequence()) type_error(*v, "[]web.Cipher");
    for (const auto& item : *v) {
      auto c = net::parse_cipher_suite(str(item));
      if (!c.ok()) fail(item, std::string(c.status().message()));
      t.cipher_suites.push_back(*c);
    }
  }
  if (auto v = f.get("curve_preferences")) {
    if (!v->IsSequence()) type_error(*v, "[]web.Curve");
    for (const auto& item : *v) {
      auto c = net::parse_curve(str(item));
      if (!c.ok()) fail(item, std::string(c.status().message()));
      t.curves.push_back(*c);
    }
  }
  if (auto v = f.get("prefer_server_cipher_suites"))
    t.prefer_server_cipher_suites = config_internal::boolean(*v);

  // As the toolkit: cert and key go together; a client CA needs a policy
  // that asks for certificates. (Verifying without a client CA uses the
  // system's store, as Go does.)
  if (t.cert_file.empty()) fail(n, "missing cert_file");
  if (t.key_file.empty()) fail(n, "missing key_file");
  if (!t.client_ca_file.empty() && t.client_auth == net::ClientAuth::kNoClientCert)
    fail(n, "Client CA's have been configured without a Client Auth Policy");
  return t;
}

// True when the section names nothing, as the toolkit's "no TLS config":
// such a section (e.g. `tls_server_config: {}`) means plain HTTP.
bool tls_section_empty(const Fields& f) {
  return !f.get("cert_file") && !f.get("key_file") && !f.get("client_auth_type") &&
         !f.get("client_ca_file");
}

void http_server_config(const YAML::Node& n, WebConfig* out) {
  Fields f(n, {"http2", "headers"}, "web.HTTPConfig");
  if (auto v = f.get("http2")) out->http2 = config_internal::boolean(*v);
  const YAML::Node* h = f.get("headers");
  if (h == nullptr) return;
  if (!h->IsMap()) type_error(*h, "map[string]string");
  for (const auto& kv : *h) {
    std::string name = str(kv.first);
    std::string value = str(kv.second);
    const auto& allowed = allowed_headers();
    auto it = std::find_if(allowed.begin(), allowed.end(),
                           [&](const AllowedHeader& a) { return a.name == name; });
    if (it == allowed.end()) fail(kv.first, "HTTP header \"" + name + "\" can not be configured");
    // Compared as written: the toolkit refuses "SAMEORIGIN" too.
    if (!it->values.empty() &&
        std::find(it->values.begin(), it->values.end(), value) == it->values.end()) {
      std::string expected;
      for (std::string_view v : it->values)
        expected += (expected.empty() ? "\"" : " \"") + std::string(v) + "\"";
      fail(kv.second, "invalid value for " + name + ". Expected one of: [" + expected +
                          "], but got: \"" + value + "\"");
    }
    if (value.find_first_of("\r\n") != std::string::npos)
      fail(kv.second, "invalid value for " + name + ": line breaks are not allowed");
    for (const auto& [k, v] : out->headers)
      if (k == name) fail(kv.first, "mapping key \"" + name + "\" already defined");
    out->headers.emplace_back(std::move(name), std::move(value));
  }
}

WebConfig parse_root(const YAML::Node& root, const ParseContext& ctx) {
  WebConfig c;
  Fields f(root, {"tls_server_config", "http_server_config", "basic_auth_users"}, "web.Config");
  if (auto v = f.get("tls_server_config")) {
    Fields tf(*v, {"cert_file", "key_file", "client_auth_type", "client_ca_file",
                   "client_allowed_sans", "min_version", "max_version", "cipher_suites",
                   "prefer_server_cipher_suites", "curve_preferences"},
              "web.TLSConfig");
    if (!tls_section_empty(tf)) c.tls = tls_server_config(tf, ctx);
  }
  if (auto v = f.get("http_server_config")) http_server_config(*v, &c);
  if (auto v = f.get("basic_auth_users")) {
    if (!v->IsMap()) type_error(*v, "map[string]config.Secret");
    for (const auto& kv : *v) {
      std::string user = str(kv.first);
      std::string hash = kv.second.IsNull() ? "" : str(kv.second, "config.plain");  // config.Secret's
      if (!is_bcrypt_hash(hash))
        fail(kv.second, "basic_auth_users: the password of user \"" + user +
                            "\" is not a bcrypt hash");
      if (!c.users.emplace(user, std::move(hash)).second)
        fail(kv.first, "mapping key \"" + user + "\" already defined");
    }
  }
  return c;
}

}  // namespace

bool is_bcrypt_hash(std::string_view h) {
  // $2?$NN$ + 22 characters of salt + 31 of digest, in bcrypt's base64.
  if (h.size() != 60 || h.substr(0, 2) != "$2" || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(h[4])) ||
      !std::isdigit(static_cast<unsigned char>(h[5])))
    return false;
  int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : h.substr(7)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
}

absl::StatusOr<WebConfig> parse_web_config(std::string_view yaml, const std::string& dir) {
  ParseContext ctx{dir, nullptr};
  try {
    return parse_root(YAML::Load(std::string(yaml)), ctx);
  } catch (const ConfigError& e) {
    return absl::InvalidArgumentError(e.message);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
}

}  // namespace strata::server
