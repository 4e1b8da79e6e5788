#include "tsdb/storage.h"

#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/cord.h"

namespace strata::tsdb {

namespace {

// The payload key of append_error(); the value is one byte, the kind.
constexpr const char* kAppendErrorPayload = "strata.tsdb/AppendErrorKind";

const char* append_error_text(AppendErrorKind kind) {
  switch (kind) {
    case AppendErrorKind::kOutOfOrder: return kErrOutOfOrder;
    case AppendErrorKind::kOutOfBounds: return kErrOutOfBounds;
    case AppendErrorKind::kDuplicate: return kErrDuplicate;
    case AppendErrorKind::kTooOld: return kErrTooOld;
    case AppendErrorKind::kTooFarInFuture: return kErrTooFarInFuture;
    case AppendErrorKind::kSeriesLimit: return kErrSeriesLimit;
    case AppendErrorKind::kOutOfOrderExemplar: return kErrOutOfOrderExemplar;
    case AppendErrorKind::kExemplarLabelsTooLong: return kErrExemplarLabelLength;
    case AppendErrorKind::kExemplarsDisabled: return kErrExemplarsDisabled;
    default: return "append failed";
  }
}

}  // namespace

absl::Status append_error(AppendErrorKind kind) {
  if (kind == AppendErrorKind::kNone) return absl::OkStatus();
  absl::Status s = absl::InvalidArgumentError(append_error_text(kind));
  s.SetPayload(kAppendErrorPayload, absl::Cord(std::string(1, char(kind))));
  return s;
}

AppendErrorKind append_error_kind(const absl::Status& s) {
  if (s.ok()) return AppendErrorKind::kNone;
  auto p = s.GetPayload(kAppendErrorPayload);
  if (!p || p->size() != 1) return AppendErrorKind::kOther;
  auto k = static_cast<AppendErrorKind>(static_cast<unsigned char>((*p)[0]));
  switch (k) {
    case AppendErrorKind::kOutOfOrder:
    case AppendErrorKind::kOutOfBounds:
    case AppendErrorKind::kDuplicate:
    case AppendErrorKind::kTooOld:
    case AppendErrorKind::kTooFarInFuture:
    case AppendErrorKind::kSeriesLimit:
    case AppendErrorKind::kOutOfOrderExemplar:
    case AppendErrorKind::kExemplarLabelsTooLong:
    case AppendErrorKind::kExemplarsDisabled:
      return k;
    default:
      return AppendErrorKind::kOther;
  }
}

bool is_valid_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view s) {
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // Label names and values are nearly always ASCII: skip 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += len;
  }
  return true;
}

absl::Status validate_labels(const Labels& labels, bool utf8_names) {
  bool has_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& l = labels[i];
    if (l.name.empty()) return absl::InvalidArgumentError("empty label name in " + labels.to_string());
    if (i > 0 && labels[i - 1].name == l.name)
      return absl::InvalidArgumentError("duplicate label name " + go_quote(l.name) + " in " +
                                        labels.to_string());
    if (!is_valid_utf8(l.name))
      return absl::InvalidArgumentError("label name is not valid UTF-8: " + go_quote(l.name));
    if (!is_valid_utf8(l.value))
      return absl::InvalidArgumentError("invalid UTF-8 in value of label " + go_quote(l.name) +
                                        ": " + go_quote(l.value));
    if (l.name == kMetricName) {
      has_name = true;
      if (!utf8_names && !is_valid_metric_name(l.value))
        return absl::InvalidArgumentError("invalid metric name " + go_quote(l.value));
      if (l.value.empty())
        return absl::InvalidArgumentError("empty metric name in " + labels.to_string());
    } else if (!utf8_names && !is_valid_label_name(l.name)) {
      return absl::InvalidArgumentError("invalid label name " + go_quote(l.name));
    }
  }
  if (!has_name)
    return absl::InvalidArgumentError("missing metric name (__name__ label) in " +
                                      labels.to_string());
  return absl::OkStatus();
}

}  // namespace strata::tsdb
