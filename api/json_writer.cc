#include "api/json_writer.h"

#include <charconv>
#include <cmath>

#include "base/float_format.h"

namespace strata::api {
namespace {

// Length of the valid UTF-8 sequence at p (0 when invalid).
size_t utf8_len(const unsigned char* p, size_t n, uint32_t* cp) {
  unsigned char c = p[0];
  size_t len;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if ((c & 0xe0) == 0xc0) len = 2, *cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0) len = 3, *cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0) len = 4, *cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (p[k] & 0x3f);
  }
  if ((len == 2 && *cp < 0x80) || (len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
      (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
    return 0;
  return len;
}

}  // namespace

void append_json_string(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
      out->push_back(char(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
      }
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len = utf8_len(p + i, n - i, &cp);
    if (len == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out->append(cp == 0x2028 ? "\\u2028" : "\\u2029");
    } else {
      out->append(reinterpret_cast<const char*>(p + i), len);
    }
    i += len;
  }
  out->push_back('"');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_elem_.empty()) {
    if (has_elem_.back()) out_->push_back(',');
    has_elem_.back() = true;
  }
}

void JsonWriter::begin_object() {
  before_value();
  out_->push_back('{');
  has_elem_.push_back(false);
}
void JsonWriter::end_object() {
  out_->push_back('}');
  has_elem_.pop_back();
}
void JsonWriter::begin_array() {
  before_value();
  out_->push_back('[');
  has_elem_.push_back(false);
}
void JsonWriter::end_array() {
  out_->push_back(']');
  has_elem_.pop_back();
}
void JsonWriter::key(std::string_view k) {
  if (has_elem_.back()) out_->push_back(',');
  has_elem_.back() = true;
  append_json_string(out_, k);
  out_->push_back(':');
  after_key_ = true;
}
void JsonWriter::string(std::string_view s) {
  before_value();
  append_json_string(out_, s);
}
void JsonWriter::number(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_->append("null");
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), int64_t(v));
    out_->append(buf, r.ptr);
    return;
  }
  append_float_json(out_, v);
}
void JsonWriter::integer(int64_t v) {
  before_value();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
}
void JsonWriter::boolean(bool b) {
  before_value();
  out_->append(b ? "true" : "false");
}
void JsonWriter::null() {
  before_value();
  out_->append("null");
}
void JsonWriter::sample_pair(int64_t t_ms, double v) {
  before_value();
  out_->push_back('[');
  append_timestamp_seconds(out_, t_ms);
  out_->append(",\"");
  append_float_json(out_, v);
  out_->append("\"]");
}
void JsonWriter::timestamp(int64_t t_ms) {
  before_value();
  append_timestamp_seconds(out_, t_ms);
}
void JsonWriter::raw(std::string_view json) {
  before_value();
  out_->append(json);
}

}  // namespace strata::api
