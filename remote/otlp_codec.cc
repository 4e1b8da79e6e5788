#include "remote/otlp_codec.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace strata::remote {
namespace {

using nlohmann::json;

// The deepest nesting of [ and { outside strings, stopping early past `limit`.
int json_depth(std::string_view s, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth && (max_depth = depth) > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// OTLP JSON carries trace and span ids as hex; proto3 JSON wants base64.
absl::Status hex_id_to_base64(json& v, const char* what) {
  if (!v.is_string()) return absl::InvalidArgumentError(absl::StrCat(what, " is not a string"));
  const std::string& hex = v.get_ref<const std::string&>();
  if (hex.size() % 2 != 0)
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", hex, "\" is not hex"));
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return absl::InvalidArgumentError(absl::StrCat(what, " \"", hex, "\" is not hex"));
    bytes.push_back(char(hi << 4 | lo));
  }
  v = absl::Base64Escape(bytes);
  return absl::OkStatus();
}

json* member(json& obj, const char* camel, const char* snake) {
  if (!obj.is_object()) return nullptr;
  if (auto it = obj.find(camel); it != obj.end()) return &*it;
  if (auto it = obj.find(snake); it != obj.end()) return &*it;
  return nullptr;
}

// Calls f on every element of obj[camel|snake] when it is an array.
template <typename F>
absl::Status each(json& obj, const char* camel, const char* snake, F&& f) {
  json* a = member(obj, camel, snake);
  if (a == nullptr || !a->is_array()) return absl::OkStatus();
  for (json& e : *a) {
    if (absl::Status s = f(e); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status convert_exemplar_ids(json& root) {
  auto exemplars = [](json& point) {
    return each(point, "exemplars", "exemplars", [](json& ex) {
      for (auto [camel, snake] : {std::pair{"traceId", "trace_id"}, {"spanId", "span_id"}}) {
        if (json* id = member(ex, camel, snake)) {
          if (absl::Status s = hex_id_to_base64(*id, camel); !s.ok()) return s;
        }
      }
      return absl::OkStatus();
    });
  };
  return each(root, "resourceMetrics", "resource_metrics", [&](json& rm) {
    return each(rm, "scopeMetrics", "scope_metrics", [&](json& sm) {
      return each(sm, "metrics", "metrics", [&](json& m) {
        for (auto [camel, snake] : {std::pair{"gauge", "gauge"}, {"sum", "sum"},
                                    {"histogram", "histogram"},
                                    {"exponentialHistogram", "exponential_histogram"}}) {
          json* data = member(m, camel, snake);
          if (data == nullptr) continue;
          if (absl::Status s = each(*data, "dataPoints", "data_points", exemplars); !s.ok())
            return s;
        }
        return absl::OkStatus();
      });
    });
  });
}

absl::Status decode_json(std::string_view body, strata::otlp::ExportMetricsServiceRequest* out) {
  if (json_depth(body, kOtlpMaxJsonDepth) > kOtlpMaxJsonDepth)
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse OTLP JSON: nested deeper than ", kOtlpMaxJsonDepth, " levels"));
  // Only bodies with trace or span ids need rewriting before protobuf's JSON
  // parser sees them (a third of the time of a large body).
  std::string rewritten;
  bool has_ids = false;
  for (std::string_view key : {"traceId", "trace_id", "spanId", "span_id"})
    has_ids = has_ids || body.find(key) != std::string_view::npos;
  if (has_ids) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded())
      return absl::InvalidArgumentError("cannot parse OTLP JSON: not valid JSON");
    if (!doc.is_object())
      return absl::InvalidArgumentError("cannot parse OTLP JSON: the body is not a JSON object");
    if (absl::Status s = convert_exemplar_ids(doc); !s.ok())
      return absl::InvalidArgumentError(absl::StrCat("cannot parse OTLP JSON: ", s.message()));
    rewritten = doc.dump();
    body = rewritten;
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;  // OTLP: receivers ignore fields they do not know
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), out, opts);
  if (!s.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse OTLP JSON: ", std::string(s.message())));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OtlpEncoding> otlp_encoding_for(std::string_view content_type) {
  std::string m(content_type.substr(0, content_type.find(';')));
  absl::StripAsciiWhitespace(&m);
  absl::AsciiStrToLower(&m);
  if (m == "application/x-protobuf" || m == "application/protobuf") return OtlpEncoding::kProtobuf;
  if (m == "application/json") return OtlpEncoding::kJson;
  return absl::UnimplementedError(
      absl::StrCat("unsupported Content-Type \"", std::string(content_type),
                   "\" for OTLP metrics; expected application/x-protobuf or application/json"));
}

absl::Status decode_otlp_request(std::string_view body, OtlpEncoding enc,
                                 strata::otlp::ExportMetricsServiceRequest* out) {
  out->Clear();
  // libprotobuf logs every string field that is not UTF-8 to stderr; from
  // untrusted bodies that is a log flood. The answer says what was wrong.
  google::protobuf::LogSilencer quiet;
  try {
    if (enc == OtlpEncoding::kJson) return decode_json(body, out);
    if (body.size() > size_t(INT32_MAX) || !out->ParseFromArray(body.data(), int(body.size())))
      return absl::InvalidArgumentError(
          "cannot parse ExportMetricsServiceRequest: invalid protobuf");
    return absl::OkStatus();
  } catch (const std::bad_alloc&) {
    throw;  // the server's problem, not the body's: the handler answers 5xx
  } catch (const std::exception& e) {
    // nlohmann (e.g. invalid UTF-8 on dump) or allocation failures.
    return absl::InvalidArgumentError(absl::StrCat("cannot parse OTLP request: ", e.what()));
  }
}

std::string encode_otlp_message(const google::protobuf::Message& m, OtlpEncoding enc) {
  if (enc == OtlpEncoding::kProtobuf) return m.SerializeAsString();
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out).ok()) return "{}";
  return out;
}

}  // namespace strata::remote
