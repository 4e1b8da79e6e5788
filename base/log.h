// Structured logging in Prometheus' style: logfmt (`ts=... level=info
// component=tsdb msg="..." key=value`) or JSON, one line per event, to stderr.
// The server configures level and format once at start; any thread may log.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace strata::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// One key=value pair of a log line.
struct Field {
  std::string_view key;
  std::string value;
  template <typename T>
  Field(std::string_view k, const T& v) : key(k) {
    if constexpr (std::is_convertible_v<T, std::string_view>) {
      value = std::string(std::string_view(v));
    } else if constexpr (std::is_same_v<T, bool>) {
      value = v ? "true" : "false";
    } else {
      value = absl::StrCat(v);
    }
  }
};

void configure(Level level, Format format);
bool enabled(Level level);
void write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});

// Parses "debug|info|warn|error" / "logfmt|json"; false when unknown.
bool parse_level(std::string_view s, Level* out);
bool parse_format(std::string_view s, Format* out);

inline void debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, c, m, f);
}
inline void info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, c, m, f);
}
inline void warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, c, m, f);
}
inline void error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, c, m, f);
}

}  // namespace strata::log
