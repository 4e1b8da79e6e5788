#include "tsdb/labels/labels.h"

#include <algorithm>
#include <cassert>

#include "base/hash.h"

namespace strata::tsdb {

Labels::Labels(std::vector<Label> sorted) : items_(std::move(sorted)) {
  assert(std::is_sorted(items_.begin(), items_.end(),
                        [](const Label& a, const Label& b) { return a.name < b.name; }));
}

Labels Labels::from_unsorted(std::vector<Label> items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  Labels l;
  l.items_ = std::move(items);
  return l;
}

Labels Labels::from_strings(std::initializer_list<std::string_view> kv) {
  std::vector<Label> items;
  for (auto it = kv.begin(); it != kv.end() && it + 1 != kv.end(); it += 2)
    items.push_back({std::string(*it), std::string(*(it + 1))});
  return from_unsorted(std::move(items));
}

std::string_view Labels::get(std::string_view name) const {
  for (const Label& l : items_) {
    if (l.name == name) return l.value;
  }
  return {};
}

bool Labels::has(std::string_view name) const {
  for (const Label& l : items_) {
    if (l.name == name) return true;
  }
  return false;
}

namespace {
// 0xff cannot occur in valid UTF-8, so it separates fields unambiguously.
constexpr char kSep = '\xff';
}  // namespace

uint64_t Labels::hash() const {
  std::string buf;
  buf.reserve(128);
  for (const Label& l : items_) {
    buf.append(l.name).push_back(kSep);
    buf.append(l.value).push_back(kSep);
  }
  return hash64(buf);
}

uint64_t Labels::hash_for(const std::vector<std::string>& names, bool include) const {
  std::string buf;
  buf.reserve(128);
  for (const Label& l : items_) {
    bool listed = std::binary_search(names.begin(), names.end(), l.name);
    if (listed != include) continue;
    if (!include && l.name == kMetricName) continue;
    buf.append(l.name).push_back(kSep);
    buf.append(l.value).push_back(kSep);
  }
  return hash64(buf);
}

namespace {

// Length of the valid UTF-8 sequence starting at p[0] (0 if invalid).
size_t utf8_seq_len(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  size_t len;
  uint32_t cp;
  if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3f);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

}  // namespace

std::string go_quote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = p[i];
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\t': out.append("\\t"); break;
      case '\r': out.append("\\r"); break;
      case '\a': out.append("\\a"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\v': out.append("\\v"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out.append("\\x");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else if (c >= 0x80) {
          // Valid UTF-8 is kept; stray bytes are written as \xNN like strconv.Quote.
          size_t len = utf8_seq_len(p + i, s.size() - i);
          if (len == 0) {
            out.append("\\x");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.append(s.substr(i, len));
            i += len - 1;
          }
        } else {
          out.push_back(char(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string Labels::to_string() const {
  std::string out = "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i) out.append(", ");
    out.append(items_[i].name).push_back('=');
    out.append(go_quote(items_[i].value));
  }
  out.push_back('}');
  return out;
}

int Labels::compare(const Labels& a, const Labels& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a.items_[i].name.compare(b.items_[i].name)) return c < 0 ? -1 : 1;
    if (int c = a.items_[i].value.compare(b.items_[i].value)) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

Labels Labels::without(const std::vector<std::string>& names) const {
  Labels out;
  for (const Label& l : items_) {
    if (!std::binary_search(names.begin(), names.end(), l.name)) out.items_.push_back(l);
  }
  return out;
}

Labels Labels::keep(const std::vector<std::string>& names) const {
  Labels out;
  for (const Label& l : items_) {
    if (std::binary_search(names.begin(), names.end(), l.name)) out.items_.push_back(l);
  }
  return out;
}

Labels Labels::without_metric_name() const {
  Labels out;
  out.items_.reserve(items_.size());
  for (const Label& l : items_) {
    if (l.name != kMetricName) out.items_.push_back(l);
  }
  return out;
}

Labels Labels::with(std::string_view name, std::string_view value) const {
  Labels out;
  out.items_.reserve(items_.size() + 1);
  bool done = false;
  for (const Label& l : items_) {
    if (!done && l.name >= name) {
      if (!value.empty()) out.items_.push_back({std::string(name), std::string(value)});
      done = true;
      if (l.name == name) continue;
    }
    out.items_.push_back(l);
  }
  if (!done && !value.empty()) out.items_.push_back({std::string(name), std::string(value)});
  return out;
}

}  // namespace strata::tsdb
