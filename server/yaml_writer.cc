#include "server/yaml_writer.h"

#include <cctype>
#include <cstdio>
#include <set>

#include "fmt/format.h"

namespace strata::server {
namespace {

// Strings yaml.v2 would read back as booleans or null (YAML 1.1 rules).
bool is_reserved_word(const std::string& s) {
  static const std::set<std::string> kWords = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",     "N",     "no",   "No",
      "NO",   "true", "True",  "TRUE",  "false", "False", "FALSE", "on",   "On",
      "ON",   "off",  "Off",   "OFF",   "~",     "null",  "Null",  "NULL", ".inf",
      ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan",  ".NaN", ".NAN"};
  return kWords.count(s) > 0;
}

// Strings that would read back as an int or a float (decimal, 0x, 0o, 0b,
// exponents, underscores, base-60 such as 1:30).
bool looks_numeric(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size()) return false;
  if (s.compare(i, 2, "0x") == 0 || s.compare(i, 2, "0o") == 0 || s.compare(i, 2, "0b") == 0) {
    if (i + 2 == s.size()) return false;
    for (size_t k = i + 2; k < s.size(); ++k)
      if (!std::isxdigit((unsigned char)s[k]) && s[k] != '_') return false;
    return true;
  }
  bool digit = false, dot = false, exp = false;
  for (size_t k = i; k < s.size(); ++k) {
    char c = s[k];
    if (std::isdigit((unsigned char)c) || c == '_' || c == ':') {
      digit = digit || std::isdigit((unsigned char)c);
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digit && !exp) {
      exp = true;
      if (k + 1 < s.size() && (s[k + 1] == '+' || s[k + 1] == '-')) ++k;
    } else {
      return false;
    }
  }
  return digit;
}

bool is_printable(unsigned char c) { return c >= 0x20 && c != 0x7f; }

// The emitter's analysis (yaml_emitter_analyze_scalar): may `s` be plain?
bool plain_allowed(const std::string& s, bool in_flow) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return false;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (!is_printable(c)) return false;
    bool next_space = i + 1 == s.size() || s[i + 1] == ' ' || s[i + 1] == '\t';
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(char(c)) != std::string_view::npos)
        return false;
      if ((c == '?' || c == ':') && (in_flow || next_space)) return false;
      if (c == '-' && next_space) return false;
    } else {
      if (in_flow && std::string_view(",?[]{}").find(char(c)) != std::string_view::npos)
        return false;
      if (c == ':' && (in_flow || next_space)) return false;
      if (c == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) return false;
    }
  }
  return true;
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02X}", unsigned(c));
        } else {
          out.push_back(char(c));
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string yaml_quote(const std::string& s, bool in_flow) {
  // yaml.v2's encoder picks double quotes for strings that would resolve to
  // another type; the emitter falls back from plain to single quotes, and
  // to double quotes when there are characters single quotes cannot hold.
  if (s.empty() || is_reserved_word(s) || looks_numeric(s)) return double_quoted(s);
  if (plain_allowed(s, in_flow)) return s;
  for (unsigned char c : s)
    if (!is_printable(c)) return double_quoted(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out.push_back(c);
  }
  return out + "'";
}

YamlNode YamlNode::str(std::string s) {
  YamlNode n(Kind::kScalar);
  n.scalar_ = yaml_quote(s);
  return n;
}

YamlNode YamlNode::raw(std::string s) {
  YamlNode n(Kind::kScalar);
  n.scalar_ = std::move(s);
  return n;
}

YamlNode YamlNode::map() { return YamlNode(Kind::kMap); }
YamlNode YamlNode::seq() { return YamlNode(Kind::kSeq); }

YamlNode YamlNode::flow(const std::vector<std::string>& items) {
  YamlNode n(Kind::kSeq);
  n.flow_ = true;
  for (const auto& s : items) {
    YamlNode item(Kind::kScalar);
    item.scalar_ = yaml_quote(s, true);
    n.push(std::move(item));
  }
  return n;
}

YamlNode YamlNode::strings(const std::vector<std::string>& items) {
  YamlNode n(Kind::kSeq);
  for (const auto& s : items) n.push(str(s));
  return n;
}

YamlNode YamlNode::string_map(const std::map<std::string, std::string>& m) {
  YamlNode n(Kind::kMap);
  for (const auto& [k, v] : m) n.set(k, str(v));
  return n;
}

YamlNode& YamlNode::set(std::string key, YamlNode value) {
  children_.emplace_back(std::move(key), std::move(value));
  return *this;
}

YamlNode& YamlNode::push(YamlNode item) {
  children_.emplace_back("", std::move(item));
  return *this;
}

// Writes what follows "key:" — a space and a scalar or empty collection on
// the same line, or a newline and the collection below.
void YamlNode::render_value(std::string* out, size_t indent) const {
  if (kind_ == Kind::kScalar) {
    *out += " " + scalar_ + "\n";
  } else if (children_.empty()) {
    *out += kind_ == Kind::kMap ? " {}\n" : " []\n";
  } else if (flow_) {
    *out += " [";
    for (size_t i = 0; i < children_.size(); ++i)
      *out += (i ? ", " : "") + children_[i].second.scalar_;
    *out += "]\n";
  } else if (kind_ == Kind::kMap) {
    *out += "\n";
    render_map(out, indent + 2, false);
  } else {
    *out += "\n";
    render_seq(out, indent);  // yaml.v2: "- " at the key's own indentation
  }
}

void YamlNode::render_map(std::string* out, size_t indent, bool first_inline) const {
  bool first = true;
  for (const auto& [key, value] : children_) {
    if (!(first && first_inline)) out->append(indent, ' ');
    first = false;
    *out += yaml_quote(key) + ":";
    value.render_value(out, indent);
  }
}

void YamlNode::render_seq(std::string* out, size_t indent) const {
  for (const auto& [unused, item] : children_) {
    out->append(indent, ' ');
    *out += "-";
    if (item.kind_ == Kind::kMap && !item.children_.empty() && !item.flow_) {
      *out += " ";
      item.render_map(out, indent + 2, true);
    } else if (item.kind_ == Kind::kSeq && !item.children_.empty() && !item.flow_) {
      *out += "\n";
      item.render_seq(out, indent + 2);
    } else {
      item.render_value(out, indent);
    }
  }
}

std::string YamlNode::render() const {
  std::string out;
  if (kind_ == Kind::kMap) {
    if (children_.empty()) return "{}\n";
    render_map(&out, 0, false);
  } else if (kind_ == Kind::kSeq) {
    render_seq(&out, 0);
  } else {
    out = scalar_ + "\n";
  }
  return out;
}

}  // namespace strata::server
