// The OTLP/HTTP metrics wire formats: the request body as binary protobuf or
// as OTLP JSON (proto3 JSON with lowerCamelCase names, 64-bit integers as
// strings or numbers, enums as names or numbers, unknown fields ignored, and
// OTLP's one exception: exemplar traceId/spanId as hex, not base64), and the
// answers (ExportMetricsServiceResponse, google.rpc.Status) in the request's
// encoding. Messages are those of remote/otlp_metrics.proto. Pure functions;
// any thread.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "remote/otlp_metrics.pb.h"

namespace strata::remote {

enum class OtlpEncoding { kProtobuf, kJson };

// From a Content-Type header: application/x-protobuf (or
// application/protobuf) or application/json, parameters ignored.
// Unimplemented for anything else, naming it.
absl::StatusOr<OtlpEncoding> otlp_encoding_for(std::string_view content_type);

// InvalidArgument saying what is wrong with the body. `out` is cleared first.
absl::Status decode_otlp_request(std::string_view body, OtlpEncoding enc,
                                 strata::otlp::ExportMetricsServiceRequest* out);

std::string encode_otlp_message(const google::protobuf::Message& m, OtlpEncoding enc);

// JSON bodies nested deeper than this are refused before parsing: OTLP
// metrics need ~12 levels; AnyValue arrays and maps nest further, rarely.
inline constexpr int kOtlpMaxJsonDepth = 64;

}  // namespace strata::remote
