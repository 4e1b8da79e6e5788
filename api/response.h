// The API envelope and the one table that maps an error to Prometheus'
// errorType and HTTP status (web/api/v1's apiFuncResult and respondError).
// Handlers build an ApiResult; write_result() renders it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/http.h"
#include "api/json_writer.h"

namespace strata::api {

enum class ErrorType { kNone, kBadData, kExecution, kCanceled, kTimeout, kInternal, kUnavailable, kNotFound };

struct ApiError {
  ErrorType type = ErrorType::kNone;
  std::string message;
};

struct ApiResult {
  // Writes the `data` value; empty when there is none.
  std::function<void(JsonWriter&)> data;
  ApiError error;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
};

const char* error_type_name(ErrorType t);
int http_status_for(ErrorType t);
// Classifies an engine/storage status: InvalidArgument = bad_data,
// DeadlineExceeded = timeout, Cancelled = canceled, Internal/DataLoss =
// internal, Unavailable = unavailable, NotFound = not_found, else execution.
ErrorType error_type_for(const absl::Status& s);

ApiResult bad_data(std::string message);
// `invalid parameter "name": <message>` as Prometheus' invalidParamError.
ApiResult invalid_param(const std::string& name, const absl::Status& s);
ApiResult from_status(const absl::Status& s);

// Writes {"status":..., "data":..., "errorType":..., "error":..., "warnings":..., "infos":...}.
void write_result(const ApiResult& r, HttpResponse& resp);

}  // namespace strata::api
