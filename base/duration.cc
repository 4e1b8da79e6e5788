#include "base/duration.h"

#include <cstdio>

#include <limits>

#include "base/go_quote.h"

namespace strata {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// In the only order model.ParseDuration accepts them.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000}, {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},            {"m", 60LL * 1000},            {"s", 1000},
    {"ms", 1},
};

}  // namespace

absl::StatusOr<int64_t> parse_duration(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return absl::InvalidArgumentError("empty duration string");
  auto invalid = [&] {
    return absl::InvalidArgumentError("not a valid duration string: " + go_quote(text));
  };
  std::string_view s = text;
  size_t next_unit = 0;
  // Go computes in nanoseconds (time.Duration), so the limit is int64 ns.
  constexpr int64_t kMaxNs = std::numeric_limits<int64_t>::max();
  __int128 total_ns = 0;
  bool overflow = false;
  while (!s.empty()) {
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0) return invalid();
    std::string_view number = s.substr(0, digits);
    s.remove_prefix(digits);
    // Longest unit first so that "ms" is not read as "m".
    size_t u = next_unit;
    for (; u < std::size(kUnits); ++u) {
      std::string_view name = kUnits[u].name;
      if (s.substr(0, name.size()) == name &&
          !(name == "m" && s.size() > 1 && s[1] == 's')) {
        break;
      }
    }
    if (u == std::size(kUnits)) return invalid();
    s.remove_prefix(kUnits[u].name.size());
    next_unit = u + 1;
    // strconv.Atoi saturates on overflow; Prometheus then reports the range.
    __int128 n = 0;
    for (char c : number) {
      n = n * 10 + (c - '0');
      if (n > kMaxNs) n = kMaxNs;
    }
    if (n > kMaxNs / kUnits[u].ms / 1000000) overflow = true;
    total_ns += n * kUnits[u].ms * 1000000;
    if (total_ns > kMaxNs) overflow = true;
  }
  if (overflow) return absl::InvalidArgumentError("duration out of range");
  return int64_t(total_ns / 1000000);
}

std::string format_duration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  for (size_t i = 0; i < std::size(kUnits); ++i) {
    const Unit& u = kUnits[i];
    bool exact_only = i < 2;  // y and w
    if (exact_only && ms % u.ms != 0) continue;
    if (int64_t v = ms / u.ms; v > 0) {
      out += std::to_string(v);
      out += u.name;
      ms -= v * u.ms;
    }
  }
  return out;
}

std::string format_go_duration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  uint64_t u = ms < 0 ? uint64_t(-(ms + 1)) + 1 : uint64_t(ms);
  if (u < 1000) return sign + std::to_string(u) + "ms";
  uint64_t h = u / 3'600'000, m = u / 60'000 % 60, s = u / 1000 % 60, frac = u % 1000;
  std::string out = sign;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03u", unsigned(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

}  // namespace strata
