#include "remote/otlp_values.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace strata::remote {

namespace pb = strata::otlp;

// Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus writes `le`,
// `quantile` and double attributes.
std::string otlp_format_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string otlp_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

namespace {

nlohmann::json any_json(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue: return v.string_value();
    case pb::AnyValue::kBoolValue: return v.bool_value();
    case pb::AnyValue::kIntValue: return v.int_value();
    case pb::AnyValue::kDoubleValue: return v.double_value();
    case pb::AnyValue::kBytesValue: return absl::Base64Escape(v.bytes_value());
    case pb::AnyValue::kArrayValue: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : v.array_value().values()) a.push_back(any_json(e));
      return a;
    }
    case pb::AnyValue::kKvlistValue: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : v.kvlist_value().values()) o[kv.key()] = any_json(kv.value());
      return o;
    }
    case pb::AnyValue::VALUE_NOT_SET: break;
  }
  return nullptr;
}

}  // namespace

std::string otlp_value_string(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue: return v.string_value();
    case pb::AnyValue::kBoolValue: return v.bool_value() ? "true" : "false";
    case pb::AnyValue::kIntValue: return absl::StrCat(v.int_value());
    case pb::AnyValue::kDoubleValue: return otlp_format_float(v.double_value());
    case pb::AnyValue::kBytesValue: return absl::Base64Escape(v.bytes_value());
    case pb::AnyValue::VALUE_NOT_SET: return "";
    default:
      return any_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace strata::remote
