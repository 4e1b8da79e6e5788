// Blocks shared by several prometheus.yml sections: scalars, labels,
// relabeling, static and file targets, HTTP client settings.
#include <algorithm>
#include <optional>

#include "base/duration.h"
#include "base/go_glob.h"
#include "base/go_quote.h"
#include "base/go_yaml.h"
#include "re2/re2.h"
#include "server/config_parse_internal.h"
#include "server/flags.h"
#include "tsdb/storage.h"

namespace strata::server::config_internal {
namespace {

// Go's %q, as Prometheus' messages quote user input.
std::string quote(const std::string& s) { return go_quote(s); }

bool valid_label_name(const std::string& s) { return !s.empty() && tsdb::is_valid_utf8(s); }

// Prometheus' relabel target: label names with $1 / ${name} templates.
const RE2& relabel_target_re() {
  static const RE2 kRe(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return kRe;
}

net::TlsConfig tls_config(const YAML::Node& n, const ParseContext& ctx) {
  Fields f(n, {"ca", "cert", "key", "ca_file", "cert_file", "key_file", "server_name",
               "insecure_skip_verify", "min_version", "max_version"},
           "config.plain");
  net::TlsConfig t;
  if (auto v = f.get("ca")) t.ca = str(*v);
  if (auto v = f.get("cert")) t.cert = str(*v);
  if (auto v = f.get("key")) t.key = str(*v);
  if (auto v = f.get("ca_file")) t.ca_file = ctx.resolve(str(*v));
  if (auto v = f.get("cert_file")) t.cert_file = ctx.resolve(str(*v));
  if (auto v = f.get("key_file")) t.key_file = ctx.resolve(str(*v));
  if (auto v = f.get("server_name")) t.server_name = str(*v);
  if (auto v = f.get("insecure_skip_verify")) t.insecure_skip_verify = boolean(*v);
  for (const char* k : {"min_version", "max_version"}) {
    if (auto v = f.get(k)) {
      std::string s = str(*v);
      if (s != "TLS10" && s != "TLS11" && s != "TLS12" && s != "TLS13")
        fail(*v, "unknown TLS version: " + s);
      (std::string(k) == "min_version" ? t.min_version : t.max_version) = s;
    }
  }
  if (!t.ca.empty() && !t.ca_file.empty()) fail(n, "at most one of ca and ca_file must be configured");
  if (!t.cert.empty() && !t.cert_file.empty())
    fail(n, "at most one of cert and cert_file must be configured");
  if (!t.key.empty() && !t.key_file.empty())
    fail(n, "at most one of key and key_file must be configured");
  bool has_cert = !t.cert.empty() || !t.cert_file.empty();
  bool has_key = !t.key.empty() || !t.key_file.empty();
  if (has_cert && !has_key)
    fail(n, "exactly one of key or key_file must be configured when a client certificate is configured");
  if (has_key && !has_cert)
    fail(n, "exactly one of cert or cert_file must be configured when a client key is configured");
  return t;
}

// A config.Secret: its UnmarshalYAML decodes into a `plain` type.
constexpr std::string_view kSecret = "config.plain";

}  // namespace

// Prometheus' config.JoinDir against the file's directory.
std::string ParseContext::resolve(const std::string& path) const { return go_join_dir(dir, path); }

void type_error(const YAML::Node& n, std::string_view into) {
  // yaml.v2 names the node's resolved tag, and a scalar's text.
  if (n.IsSequence()) fail(n, yaml_type_error("!!seq", "", into));
  if (n.IsMap()) fail(n, yaml_type_error("!!map", "", into));
  YamlScalar v = resolve_yaml_scalar(n.Scalar(), n.Tag(), GoYaml::kV2);
  if (!v.decode_error.empty()) throw ConfigError{"yaml: " + v.decode_error};  // no line, as Go's
  fail(n, yaml_type_error(v.tag, n.Scalar(), into));
}

void fail(const YAML::Node& n, const std::string& msg) {
  YAML::Mark m = n.Mark();
  if (m.is_null()) throw ConfigError{msg};
  throw ConfigError{"line " + std::to_string(m.line + 1) + ": " + msg};
}

Fields::Fields(const YAML::Node& node, const std::vector<std::string_view>& known,
               const char* type)
    : node_(node) {
  if (node.IsNull()) return;
  if (!node.IsMap()) type_error(node, type);
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) fail(kv.first, std::string("invalid map key in ") + type);
    std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end())
      fail(kv.first, "field " + key + " not found in type " + type);
    for (const auto& [k, v] : kv_) {
      if (k == key)
        fail(kv.first, "mapping key " + quote(key) + " already defined at line " +
                           std::to_string(v.Mark().line + 1));
    }
    kv_.emplace_back(key, kv.second);
  }
}

const YAML::Node* Fields::get(std::string_view key) const {
  for (const auto& [k, v] : kv_)
    if (k == key) return v.IsNull() ? nullptr : &v;
  return nullptr;
}

std::vector<std::string_view> concat(std::initializer_list<std::vector<std::string_view>> lists) {
  std::vector<std::string_view> out;
  for (const auto& l : lists) out.insert(out.end(), l.begin(), l.end());
  return out;
}

// A scalar as yaml.v2 resolves it, for decoding into a Go bool, int, uint
// (or string, where only an explicit tag can fail).
// Sequences and maps fail here, as they cannot be decoded into any of them.
YamlScalar v2_scalar(const YAML::Node& n, const char* into) {
  if (n.IsSequence() || n.IsMap()) type_error(n, into);
  YamlScalar v = resolve_yaml_scalar(n.Scalar(), n.Tag(), GoYaml::kV2);
  if (!v.decode_error.empty()) throw ConfigError{"yaml: " + v.decode_error};  // no line, as Go's
  return v;
}

std::string str(const YAML::Node& n, std::string_view into) {
  if (!n.IsScalar()) type_error(n, into);
  // Any plain or quoted scalar decodes into a Go string; an explicit tag
  // that does not fit the text ("!!int foo") fails the whole decode.
  if (n.Tag() != "?" && n.Tag() != "!") (void)v2_scalar(n, "string");
  return n.Scalar();
}

int64_t duration(const YAML::Node& n) {
  auto d = parse_duration(str(n));
  if (!d.ok()) fail(n, std::string(d.status().message()));
  return *d;
}

bool boolean(const YAML::Node& n) {
  YamlScalar v = v2_scalar(n, "bool");
  if (v.kind != YamlScalar::kBool) fail(n, yaml_type_error(v.tag, n.Scalar(), "bool"));
  return v.b;
}

uint64_t uint(const YAML::Node& n) {
  YamlScalar v = v2_scalar(n, "uint");
  auto u = yaml_decode_uint(v);
  if (!u) fail(n, yaml_type_error(v.tag, n.Scalar(), "uint"));
  return *u;
}

int64_t integer(const YAML::Node& n) {
  YamlScalar v = v2_scalar(n, "int");
  auto i = yaml_decode_int(v);
  if (!i) fail(n, yaml_type_error(v.tag, n.Scalar(), "int"));
  return *i;
}

int64_t bytes(const YAML::Node& n) {
  auto b = parse_size_limit(str(n, "units.Base2Bytes"));
  if (!b.ok()) fail(n, std::string(b.status().message()));
  return *b;
}

std::vector<std::string> strings(const YAML::Node& n, std::string_view into) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, into);
  for (const auto& e : n) out.push_back(str(e));
  return out;
}

std::map<std::string, std::string> string_map(const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsMap()) type_error(n, "map[string]string");
  for (const auto& kv : n) out[str(kv.first)] = str(kv.second);
  return out;
}

std::map<std::string, std::string> labels(const YAML::Node& n, LabelsType type) {
  std::map<std::string, std::string> out;
  if (n.IsNull()) return out;
  const bool label_set = type == LabelsType::kLabelSet;
  if (!n.IsMap()) type_error(n, label_set ? "model.LabelSet" : "map[string]string");
  for (const auto& kv : n) {
    std::string k = str(kv.first, label_set ? "model.LabelName" : "string");
    std::string v = str(kv.second, label_set ? "model.LabelValue" : "string");
    if (!valid_label_name(k)) fail(kv.first, quote(k) + " is not a valid label name");
    if (!tsdb::is_valid_utf8(v)) fail(kv.second, quote(v) + " is not a valid label value");
    out[k] = v;
  }
  return out;
}

std::vector<RelabelConfig> relabel_configs(const YAML::Node& n) {
  using tsdb::relabel::Action;
  std::vector<RelabelConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, "[]*relabel.Config");
  const RelabelConfig d = tsdb::relabel::default_config();
  for (const auto& e : n) {
    if (e.IsNull()) fail(e, "empty or null relabeling rule");
    Fields f(e, {"source_labels", "separator", "regex", "modulus", "target_label", "replacement",
                 "action"},
             "relabel.plain");
    RelabelConfig r = d;
    if (auto v = f.get("source_labels")) {
      r.source_labels = strings(*v, "model.LabelNames");
      for (const auto& l : r.source_labels)
        if (!valid_label_name(l)) fail(*v, quote(l) + " is not a valid label name");
    }
    if (auto v = f.get("separator")) r.separator = str(*v);
    if (auto v = f.get("regex")) {
      r.regex_text = str(*v);
      auto re = tsdb::relabel::compile_regex(r.regex_text);
      if (!re.ok()) fail(*v, std::string(re.status().message()));
      r.regex = *std::move(re);
    }
    if (auto v = f.get("modulus")) r.modulus = uint(*v);
    if (auto v = f.get("target_label")) r.target_label = str(*v);
    if (auto v = f.get("replacement")) r.replacement = str(*v);
    if (auto v = f.get("action")) {
      if (str(*v).empty()) fail(*v, "relabel action cannot be empty");
      auto action = tsdb::relabel::parse_action(str(*v));
      if (!action) fail(*v, "unknown relabel action " + quote(str(*v)));
      r.action = *action;
    }
    const Action a = r.action;
    const std::string name = tsdb::relabel::action_name(a);
    if (a == Action::kHashMod && r.modulus == 0)
      fail(e, "relabel configuration for hashmod requires non-zero modulus");
    const bool equal = a == Action::kKeepEqual || a == Action::kDropEqual;
    const bool changes_case = a == Action::kLowercase || a == Action::kUppercase;
    const bool needs_target = a == Action::kReplace || a == Action::kHashMod || changes_case || equal;
    if (needs_target && r.target_label.empty())
      fail(e, "relabel configuration for " + name + " action requires 'target_label' value");
    bool target_ok = r.target_label.find('$') != std::string::npos && a == Action::kReplace
                         ? RE2::FullMatch(r.target_label, relabel_target_re())
                         : valid_label_name(r.target_label);
    if (needs_target && !target_ok)
      fail(e, quote(r.target_label) + " is invalid 'target_label' for " + name + " action");
    if ((changes_case || equal) && r.replacement != d.replacement)
      fail(e, "'replacement' can not be set for " + name + " action");
    if (a == Action::kLabelMap && !RE2::FullMatch(r.replacement, relabel_target_re()))
      fail(e, quote(r.replacement) + " is invalid 'replacement' for " + name + " action");
    if (equal && (r.regex_text != d.regex_text || r.modulus != d.modulus || r.separator != d.separator))
      fail(e, name + " action requires only 'source_labels' and `target_label`, and no other fields");
    if ((a == Action::kLabelDrop || a == Action::kLabelKeep) &&
        (!r.source_labels.empty() || !r.target_label.empty() || r.modulus != d.modulus ||
         r.separator != d.separator || r.replacement != d.replacement))
      fail(e, name + " action requires only 'regex', and no other fields");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<StaticConfig> static_configs(const YAML::Node& n) {
  std::vector<StaticConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, "[]*targetgroup.Group");
  for (const auto& e : n) {
    Fields f(e, {"targets", "labels"},
             "struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels model.LabelSet "
             "\"yaml:\\\"labels\\\"\" }");
    StaticConfig sc;
    if (auto v = f.get("targets")) sc.targets = strings(*v);
    if (auto v = f.get("labels")) sc.labels = labels(*v);
    out.push_back(std::move(sc));
  }
  return out;
}

std::vector<FileSdConfig> file_sd_configs(const YAML::Node& n, const ParseContext& ctx) {
  static const RE2 kPattern(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
  std::vector<FileSdConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, "[]*file.SDConfig");
  for (const auto& e : n) {
    Fields f(e, {"files", "refresh_interval"}, "file.plain");
    FileSdConfig c;
    if (auto v = f.get("files")) {
      for (const auto& p : strings(*v)) {
        if (!RE2::FullMatch(p, kPattern)) fail(*v, "path name " + quote(p) + " is not valid for file discovery");
        c.files.push_back(ctx.resolve(p));
      }
    }
    if (c.files.empty()) fail(e, "file service discovery config must contain at least one path name");
    if (auto v = f.get("refresh_interval")) c.refresh_interval_ms = duration(*v);
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// What Go's url.Parse makes of an http_sd_configs url, as far as Prometheus'
// checks look: the scheme (lowercased) and the host ("" when the URL has no
// "//authority" part).
struct UrlParts {
  std::string scheme, host;
};

std::optional<UrlParts> split_url(const std::string& url, std::string* error) {
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) {
      *error = "parse " + quote(url) + ": net/url: invalid control character in URL";
      return std::nullopt;
    }
  }
  UrlParts u;
  std::string rest = url;
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (std::isalpha((unsigned char)c)) continue;
    if (std::isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) {
        *error = "parse " + quote(url) + ": missing protocol scheme";
        return std::nullopt;
      }
      u.scheme = url.substr(0, i);
      for (char& x : u.scheme) x = char(std::tolower((unsigned char)x));
      rest = url.substr(i + 1);
    }
    break;
  }
  if (rest.rfind("//", 0) == 0) {
    std::string authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    size_t at = authority.rfind('@');
    u.host = at == std::string::npos ? authority : authority.substr(at + 1);
  }
  return u;
}

}  // namespace

std::vector<scrape::HttpSdConfig> http_sd_configs(const YAML::Node& n, const ParseContext& ctx) {
  std::vector<scrape::HttpSdConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, "[]*http.SDConfig");
  static const std::vector<std::string_view> kKeys = concat({{"refresh_interval", "url"}, http_client_keys()});
  for (const auto& e : n) {
    Fields f(e, kKeys, "http.plain");
    scrape::HttpSdConfig c;
    if (auto v = f.get("refresh_interval")) c.refresh_interval_ms = duration(*v);
    if (auto v = f.get("url")) c.url = str(*v);
    if (c.url.empty()) fail(e, "URL is missing");
    std::string error;
    auto parts = split_url(c.url, &error);
    if (!parts) fail(*f.get("url"), error);
    if (parts->scheme != "http" && parts->scheme != "https")
      fail(*f.get("url"), "URL scheme must be 'http' or 'https'");
    if (parts->host.empty()) fail(*f.get("url"), "host is missing in URL");
    c.http = http_client(f, ctx);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<scrape::DnsSdConfig> dns_sd_configs(const YAML::Node& n) {
  std::vector<scrape::DnsSdConfig> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) type_error(n, "[]*dns.SDConfig");
  for (const auto& e : n) {
    Fields f(e, {"names", "refresh_interval", "type", "port"}, "dns.plain");
    scrape::DnsSdConfig c;
    if (auto v = f.get("names")) c.names = strings(*v);
    if (auto v = f.get("refresh_interval")) c.refresh_interval_ms = duration(*v);
    if (auto v = f.get("type")) c.type = str(*v);
    if (auto v = f.get("port")) c.port = integer(*v);
    if (c.names.empty()) fail(e, "DNS-SD config must contain at least one SRV record name");
    std::string type = c.type;
    for (char& x : type) x = char(std::toupper((unsigned char)x));
    if (type == "A" || type == "AAAA" || type == "MX") {
      if (c.port == 0) fail(e, "a port is required in DNS-SD configs for all record types except SRV");
    } else if (type != "SRV") {
      fail(f.get("type") ? *f.get("type") : e, "invalid DNS-SD records type " + c.type);
    }
    out.push_back(std::move(c));
  }
  return out;
}

const std::vector<std::string_view>& http_client_keys() {
  static const std::vector<std::string_view> kKeys = {
      "basic_auth", "authorization",   "oauth2",       "bearer_token", "bearer_token_file",
      "tls_config", "proxy_url",       "no_proxy",     "proxy_from_environment",
      "proxy_connect_header", "follow_redirects", "enable_http2", "http_headers"};
  return kKeys;
}

const std::vector<std::string_view>& unsupported_sd_keys() {
  static const std::vector<std::string_view> kKeys = {
      "azure_sd_configs",     "consul_sd_configs",      "digitalocean_sd_configs",
      "docker_sd_configs",    "dockerswarm_sd_configs", "ec2_sd_configs",
      "eureka_sd_configs",    "gce_sd_configs",         "hetzner_sd_configs",
      "ionos_sd_configs",
      "kubernetes_sd_configs", "kuma_sd_configs",       "lightsail_sd_configs",
      "linode_sd_configs",    "marathon_sd_configs",    "nerve_sd_configs",
      "nomad_sd_configs",     "openstack_sd_configs",   "ovhcloud_sd_configs",
      "puppetdb_sd_configs",  "scaleway_sd_configs",    "serverset_sd_configs",
      "triton_sd_configs",    "uyuni_sd_configs",       "vultr_sd_configs",
      "stackit_sd_configs"};
  return kKeys;
}

const std::vector<std::string_view>& scrape_only_sd_keys() {
  static const std::vector<std::string_view> kKeys = {"dns_sd_configs", "http_sd_configs"};
  return kKeys;
}

void warn_unsupported_sd(const Fields& f, const std::string& owner, const ParseContext& ctx,
                         const std::vector<std::string_view>& keys) {
  for (std::string_view k : keys) {
    if (f.get(k))
      ctx.warnings->push_back(owner + ": " + std::string(k) +
                              " is not supported by Strata; its targets are ignored");
  }
}

net::HttpClientConfig http_client(const Fields& f, const ParseContext& ctx) {
  net::HttpClientConfig h;
  if (auto v = f.get("basic_auth")) {
    Fields b(*v, {"username", "username_file", "password", "password_file"}, "config.plain");
    net::BasicAuth ba;
    if (auto x = b.get("username")) ba.username = str(*x);
    if (auto x = b.get("username_file")) ba.username_file = ctx.resolve(str(*x));
    if (auto x = b.get("password")) ba.password = str(*x, kSecret);
    if (auto x = b.get("password_file")) ba.password_file = ctx.resolve(str(*x));
    if (!ba.username.empty() && !ba.username_file.empty())
      fail(*v, "at most one of basic_auth username & username_file must be configured");
    if (!ba.password.empty() && !ba.password_file.empty())
      fail(*v, "at most one of basic_auth password & password_file must be configured");
    h.basic_auth = std::move(ba);
  }
  std::string bearer, bearer_file;
  if (auto v = f.get("bearer_token")) bearer = str(*v, kSecret);
  if (auto v = f.get("bearer_token_file")) bearer_file = ctx.resolve(str(*v));
  const YAML::Node& at = f.node();
  if (!bearer.empty() && !bearer_file.empty())
    fail(at, "at most one of bearer_token & bearer_token_file must be configured");
  if (h.basic_auth && (!bearer.empty() || !bearer_file.empty()))
    fail(at, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  if (auto v = f.get("authorization")) {
    Fields a(*v, {"type", "credentials", "credentials_file"}, "config.Authorization");
    net::Authorization az;
    if (auto x = a.get("type")) az.type = str(*x);
    if (az.type.empty()) az.type = "Bearer";
    if (auto x = a.get("credentials")) az.credentials = str(*x, kSecret);
    if (auto x = a.get("credentials_file")) az.credentials_file = ctx.resolve(str(*x));
    if (!bearer.empty() || !bearer_file.empty())
      fail(*v, "authorization is not compatible with bearer_token & bearer_token_file");
    if (!az.credentials.empty() && !az.credentials_file.empty())
      fail(*v, "at most one of authorization credentials & credentials_file must be configured");
    std::string lower = az.type;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "basic")
      fail(*v, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    h.authorization = std::move(az);
  } else if (!bearer.empty() || !bearer_file.empty()) {
    h.authorization = net::Authorization{"Bearer", bearer, bearer_file};
  }
  if (auto v = f.get("oauth2")) {
    Fields o(*v, {"client_id", "client_secret", "client_secret_file", "scopes", "token_url",
                  "endpoint_params", "tls_config", "proxy_url"},
             "config.OAuth2");
    net::OAuth2 oa;
    if (auto x = o.get("client_id")) oa.client_id = str(*x);
    if (auto x = o.get("client_secret")) oa.client_secret = str(*x, kSecret);
    if (auto x = o.get("client_secret_file")) oa.client_secret_file = ctx.resolve(str(*x));
    if (auto x = o.get("scopes")) oa.scopes = strings(*x);
    if (auto x = o.get("token_url")) oa.token_url = str(*x);
    if (auto x = o.get("endpoint_params")) oa.endpoint_params = string_map(*x);
    if (auto x = o.get("tls_config")) oa.tls_config = tls_config(*x, ctx);
    if (auto x = o.get("proxy_url")) oa.proxy_url = str(*x);
    if (h.basic_auth || h.authorization)
      fail(*v, "at most one of basic_auth, oauth2 & authorization must be configured");
    if (oa.client_id.empty()) fail(*v, "oauth2 client_id must be configured");
    if (!oa.client_secret.empty() && !oa.client_secret_file.empty())
      fail(*v, "at most one of oauth2 client_secret & client_secret_file must be configured");
    if (oa.token_url.empty()) fail(*v, "oauth2 token_url must be configured");
    h.oauth2 = std::move(oa);
  }
  if (h.basic_auth && h.authorization)
    fail(at, "at most one of basic_auth, oauth2 & authorization must be configured");
  if (auto v = f.get("tls_config")) h.tls_config = tls_config(*v, ctx);
  if (auto v = f.get("proxy_url")) {
    h.proxy_url = str(*v);
    if (h.proxy_url.rfind("http://", 0) != 0 && h.proxy_url.rfind("https://", 0) != 0 &&
        h.proxy_url.rfind("socks5://", 0) != 0)
      fail(*v, "unsupported proxy scheme in " + quote(h.proxy_url));
  }
  if (auto v = f.get("follow_redirects")) h.follow_redirects = boolean(*v);
  if (auto v = f.get("enable_http2")) h.enable_http2 = boolean(*v);
  for (const char* k : {"no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers"}) {
    if (f.get(k)) ctx.warnings->push_back(std::string(k) + " is not supported by Strata and is ignored");
  }
  return h;
}

}  // namespace strata::server::config_internal
