// format_for_content_type: Go's mime.ParseMediaType rules (what Prometheus 3
// runs on a scrape's Content-Type), then the media type alone decides.
#include <string>
#include <string_view>
#include <vector>

#include "scrape/textparse/parser.h"

namespace strata::scrape::textparse {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

bool is_tspecial(char c) { return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos; }
bool is_token_char(char c) { return c > 0x20 && c < 0x7f && !is_tspecial(c); }

// The leading run of token characters of s; the rest goes to *rest.
std::string_view consume_token(std::string_view s, std::string_view* rest) {
  size_t i = 0;
  while (i < s.size() && is_token_char(s[i])) ++i;
  *rest = s.substr(i);
  return s.substr(0, i);
}

// A parameter value: a token or a quoted string. False when neither is there.
bool consume_value(std::string_view s, std::string_view* rest) {
  if (s.empty()) return false;
  if (s[0] != '"') {
    std::string_view tok = consume_token(s, rest);
    return !tok.empty();
  }
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      *rest = s.substr(i + 1);
      return true;
    }
    if (c == '\\' && i + 1 < s.size() && is_tspecial(s[i + 1])) {
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') return false;
  }
  return false;  // no closing quote
}

// `; key=value`: the lowercased key, or "" when s does not start with one.
std::string consume_param(std::string_view s, std::string_view* rest) {
  s = trim_left(s);
  if (s.empty() || s[0] != ';') return "";
  s = trim_left(s.substr(1));
  std::string_view after;
  std::string_view key = consume_token(s, &after);
  if (key.empty()) return "";
  s = trim_left(after);
  if (s.empty() || s[0] != '=') return "";
  s = trim_left(s.substr(1));
  if (!consume_value(s, rest)) return "";
  return lower(key);
}

// mime.ParseMediaType: the lowercased media type, or "" on any error (the
// type, a malformed or duplicate parameter).
std::string parse_media_type(std::string_view v) {
  std::string_view base = v.substr(0, v.find(';'));
  std::string media = lower(trim(base));
  std::string_view rest;
  std::string_view type = consume_token(media, &rest);
  if (type.empty()) return "";
  if (!rest.empty()) {
    if (rest[0] != '/') return "";
    std::string_view sub = consume_token(rest.substr(1), &rest);
    if (sub.empty() || !rest.empty()) return "";
  }
  std::vector<std::string> keys;
  v.remove_prefix(base.size());
  while (!(v = trim_left(v)).empty()) {
    std::string_view after;
    std::string key = consume_param(v, &after);
    if (key.empty()) {
      if (trim(v) == ";") break;  // a trailing semicolon is fine
      return "";
    }
    for (const std::string& k : keys) {
      if (k == key) return "";  // duplicate parameter
    }
    keys.push_back(std::move(key));
    v = after;
  }
  return media;
}

}  // namespace

std::optional<Format> format_for_content_type(std::string_view content_type) {
  if (content_type.empty()) return std::nullopt;
  std::string media = parse_media_type(content_type);
  if (media == "application/openmetrics-text") return Format::kOpenMetrics;
  if (media == "text/plain") return Format::kPrometheusText;
  return std::nullopt;
}

}  // namespace strata::scrape::textparse
