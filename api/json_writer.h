// JsonWriter appends JSON to a std::string the way Prometheus' encoder writes
// it (Go encoding/json rules: HTML characters and U+2028/2029 escaped,
// invalid UTF-8 replaced by U+FFFD). Commas are inserted automatically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // An object key; the next value call writes its value.
  void key(std::string_view k);
  void string(std::string_view s);
  void number(double v);  // JSON number (Go %g style for non-integers)
  void integer(int64_t v);
  void boolean(bool b);
  void null();
  // A millisecond timestamp as JSON seconds ("1435781451.781").
  void timestamp(int64_t t_ms);
  // Prometheus value pair [<seconds>, "<float>"].
  void sample_pair(int64_t t_ms, double v);
  // Appends pre-encoded JSON as a value.
  void raw(std::string_view json);

 private:
  void before_value();
  std::string* out_;
  // One entry per open container: true once it has an element.
  std::vector<bool> has_elem_;
  bool after_key_ = false;
};

// Appends `s` as a JSON string literal, quotes included.
void append_json_string(std::string* out, std::string_view s);

}  // namespace strata::api
