// How Go's YAML libraries resolve a scalar and decode it into a Go bool, int
// or uint, so that the files Prometheus reads (prometheus.yml through
// gopkg.in/yaml.v2, rule files through yaml.v3) take the same numbers and
// fail with the same "cannot unmarshal !!int `-1` into uint" in Strata. One
// resolver for both: they differ only in the booleans (YAML 1.1's yes/no/on/
// off/y/n in v2, true/false in v3). Pure functions; thread-safe.
//
// The scalar's style comes as yaml-cpp's Node::Tag() gives it, so callers
// pass it through without a translation: "?" plain (resolved by its text),
// "!" quoted (always a string), or an explicit tag ("tag:yaml.org,2002:int"
// for !!int, or a local "!foo").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

enum class GoYaml { kV2, kV3 };

struct YamlScalar {
  enum Kind { kNull, kBool, kInt, kUint, kFloat, kTimestamp, kStr, kOther } kind = kStr;
  bool b = false;
  int64_t i = 0;   // kInt
  uint64_t u = 0;  // kUint: an integer beyond int64 (ParseUint)
  double f = 0;    // kFloat
  std::string tag;  // the short tag for messages: "!!int", "!!str", "!foo"
  // Set when an explicit tag does not fit the text ("!!int 1.5"): Go fails
  // the whole decode with "yaml: " and this, whatever the target type.
  std::string decode_error;  // "cannot decode !!float `1.5` as a !!int"
};

// resolve.go's resolve() of one scalar: the null, bool, .inf/.nan spellings;
// a YYYY-M-D timestamp; the text without '_' as strconv.ParseInt(s, 0, 64),
// then ParseUint, then, in the shape of a decimal float, ParseFloat (a float
// out of float64's range is no number, so the scalar is a string).
YamlScalar resolve_yaml_scalar(std::string_view text, std::string_view yaml_cpp_tag, GoYaml dialect);

// Decoding a resolved scalar into a Go int64 / uint64 (decode.go), nullopt
// where Go reports a type error. A float is taken below MaxInt64 (or
// MaxUint64) as a float64, converted as Go on amd64 does: out-of-range
// values become MinInt64 (or have bit 63 set), a negative one into a uint
// wraps.
std::optional<int64_t> yaml_decode_int(const YamlScalar& s);
std::optional<uint64_t> yaml_decode_uint(const YamlScalar& s);

// The type error's text, without its "line N: " prefix:
// "cannot unmarshal !!int `-1` into uint", the value cut to 7 bytes and "..."
// past 10 as Go cuts it; sequences and maps ("!!seq", "!!map") have no value.
std::string yaml_type_error(std::string_view short_tag, std::string_view text, std::string_view into);

}  // namespace strata
