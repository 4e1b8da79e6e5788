// YamlNode: a small YAML tree and its rendering in the style of Go's
// gopkg.in/yaml.v2, which is what Prometheus uses to show its configuration
// on /api/v1/status/config: two-space indentation, sequences not indented
// under their key, strings plain unless they would read as something else
// (then single- or double-quoted), optional flow sequences ("[a, b]").
// yaml-cpp's emitter formats differently, hence this. Value type; no threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace strata::server {

class YamlNode {
 public:
  enum class Kind { kScalar, kMap, kSeq };

  // A string, quoted when needed.
  static YamlNode str(std::string s);
  // A scalar written exactly as given: numbers, booleans, durations.
  static YamlNode raw(std::string s);
  static YamlNode boolean(bool b) { return raw(b ? "true" : "false"); }
  static YamlNode integer(int64_t n) { return raw(std::to_string(n)); }
  static YamlNode map();
  static YamlNode seq();
  // A sequence of strings written inline: [a, b].
  static YamlNode flow(const std::vector<std::string>& items);
  static YamlNode strings(const std::vector<std::string>& items);
  static YamlNode string_map(const std::map<std::string, std::string>& m);

  // Map: appends key → value (keys keep insertion order).
  YamlNode& set(std::string key, YamlNode value);
  // Sequence: appends an item.
  YamlNode& push(YamlNode item);
  bool empty() const { return kind_ == Kind::kScalar ? false : children_.empty(); }

  // The document, ending in a newline.
  std::string render() const;

 private:
  explicit YamlNode(Kind k) : kind_(k) {}
  void render_map(std::string* out, size_t indent, bool first_inline) const;
  void render_seq(std::string* out, size_t indent) const;
  void render_value(std::string* out, size_t indent) const;

  Kind kind_;
  bool flow_ = false;
  std::string scalar_;                                   // kScalar: rendered text
  std::vector<std::pair<std::string, YamlNode>> children_;  // kMap: key → value; kSeq: "" → item
};

// How yaml.v2 writes a string scalar: as is, 'single-quoted' or
// "double-quoted". `in_flow` applies the stricter rules of [a, b] lists.
std::string yaml_quote(const std::string& s, bool in_flow = false);

}  // namespace strata::server
