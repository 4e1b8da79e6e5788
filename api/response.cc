#include "api/response.h"

namespace strata::api {

const char* error_type_name(ErrorType t) {
  switch (t) {
    case ErrorType::kNone: return "";
    case ErrorType::kBadData: return "bad_data";
    case ErrorType::kExecution: return "execution";
    case ErrorType::kCanceled: return "canceled";
    case ErrorType::kTimeout: return "timeout";
    case ErrorType::kInternal: return "internal";
    case ErrorType::kUnavailable: return "unavailable";
    case ErrorType::kNotFound: return "not_found";
  }
  return "internal";
}

int http_status_for(ErrorType t) {
  switch (t) {
    case ErrorType::kNone: return 200;
    case ErrorType::kBadData: return 400;
    case ErrorType::kExecution: return 422;
    case ErrorType::kCanceled: return 499;
    case ErrorType::kTimeout: return 503;
    case ErrorType::kNotFound: return 404;
    case ErrorType::kInternal:
    case ErrorType::kUnavailable: return 500;
  }
  return 500;
}

ErrorType error_type_for(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk: return ErrorType::kNone;
    case absl::StatusCode::kInvalidArgument: return ErrorType::kBadData;
    case absl::StatusCode::kDeadlineExceeded: return ErrorType::kTimeout;
    case absl::StatusCode::kCancelled: return ErrorType::kCanceled;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss: return ErrorType::kInternal;
    case absl::StatusCode::kUnavailable: return ErrorType::kUnavailable;
    case absl::StatusCode::kNotFound: return ErrorType::kNotFound;
    default: return ErrorType::kExecution;
  }
}

ApiResult bad_data(std::string message) {
  ApiResult r;
  r.error = {ErrorType::kBadData, std::move(message)};
  return r;
}

ApiResult invalid_param(const std::string& name, const absl::Status& s) {
  return bad_data("invalid parameter \"" + name + "\": " + std::string(s.message()));
}

ApiResult from_status(const absl::Status& s) {
  ApiResult r;
  r.error = {error_type_for(s), std::string(s.message())};
  return r;
}

void write_result(const ApiResult& r, HttpResponse& resp) {
  bool failed = r.error.type != ErrorType::kNone;
  resp.status = http_status_for(r.error.type);
  resp.content_type = "application/json";
  resp.body.clear();
  JsonWriter w(&resp.body);
  w.begin_object();
  w.key("status");
  w.string(failed ? "error" : "success");
  if (r.data) {
    w.key("data");
    r.data(w);
  }
  if (failed) {
    w.key("errorType");
    w.string(error_type_name(r.error.type));
    w.key("error");
    w.string(r.error.message);
  }
  if (!r.warnings.empty()) {
    w.key("warnings");
    w.begin_array();
    for (const auto& s : r.warnings) w.string(s);
    w.end_array();
  }
  if (!r.infos.empty()) {
    w.key("infos");
    w.begin_array();
    for (const auto& s : r.infos) w.string(s);
    w.end_array();
  }
  w.end_object();
}

}  // namespace strata::api
