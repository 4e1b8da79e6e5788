// Alertmanager v2 JSON encoding (rules/notifier/alert_json.h).
#include "rules/notifier/alert_json.h"

#include <cstdio>

#include "base/civil_date.h"

namespace strata::rules::notifier {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence starting at s[i], or 0 when the
// bytes there are not one (overlong forms, surrogates and code points above
// U+10FFFF are invalid, as for Go's utf8.DecodeRuneInString). Sets *cp.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, min = 0x80, *cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, min = 0x800, *cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, min = 0x10000, *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return n;
}

void append_u_escape(std::string* out, uint32_t v) {
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(v >> shift) & 0xF]);
}


void append_labels(std::string* out, const tsdb::Labels& ls) {
  out->push_back('{');
  bool first = true;
  for (const auto& l : ls) {
    if (!first) out->push_back(',');
    first = false;
    append_json_string(out, l.name);
    out->push_back(':');
    append_json_string(out, l.value);
  }
  out->push_back('}');
}

}  // namespace

void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '<':
        case '>':
        case '&':
          append_u_escape(out, c);
          break;
        default:
          if (c < 0x20) {
            append_u_escape(out, c);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t n = utf8_sequence(s, i, &cp);
    if (n == 0) {
      out->append("\\ufffd");  // one replacement per invalid byte, as Go
      ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      append_u_escape(out, cp);
      i += n;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

void append_json_time(std::string* out, int64_t t_ms) {
  if (t_ms == 0) {
    out->append("\"0001-01-01T00:00:00.000Z\"");
    return;
  }
  int64_t days = t_ms / 86'400'000;
  int64_t rem = t_ms % 86'400'000;
  if (rem < 0) rem += 86'400'000, --days;
  int64_t y;
  unsigned mo, d;
  civil_from_days(days, &y, &mo, &d);
  const auto ms = static_cast<unsigned>(rem % 1000);
  const auto sec = static_cast<unsigned>(rem / 1000);
  char buf[64];
  const int n =
      std::snprintf(buf, sizeof buf, "\"%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ\"",
                    static_cast<long long>(y), mo, d, sec / 3600, sec / 60 % 60, sec % 60, ms);
  out->append(buf, static_cast<size_t>(n));
}

std::string encode_alerts(std::span<const Alert> alerts) {
  std::string out;
  out.reserve(64 + alerts.size() * 256);
  out.push_back('[');
  bool first = true;
  for (const Alert& a : alerts) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('{');
    if (!a.annotations.empty()) {
      out.append("\"annotations\":");
      append_labels(&out, a.annotations);
      out.push_back(',');
    }
    out.append("\"endsAt\":");
    append_json_time(&out, a.ends_at_ms);
    out.append(",\"startsAt\":");
    append_json_time(&out, a.starts_at_ms);
    if (!a.generator_url.empty()) {
      out.append(",\"generatorURL\":");
      append_json_string(&out, a.generator_url);
    }
    out.append(",\"labels\":");
    append_labels(&out, a.labels);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace strata::rules::notifier
