// Header lookup and Go-style error texts for net/message.h.
#include "net/message.h"

#include "absl/strings/ascii.h"

namespace strata::net {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) != absl::ascii_tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool has_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return true;
  return false;
}

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return "";
}

bool Response::has_header(std::string_view name) const { return net::has_header(headers, name); }

absl::Status status_error(const Response& r) {
  if (r.status >= 200 && r.status < 300) return absl::OkStatus();
  std::string msg = "server returned HTTP status " + std::to_string(r.status);
  if (!r.reason.empty()) msg += " " + r.reason;
  if (r.status >= 500 || r.status == 429) return absl::UnavailableError(msg);
  return absl::FailedPreconditionError(msg);
}

absl::Status url_error(std::string_view method, std::string_view redacted_url,
                       const absl::Status& cause) {
  std::string op = method.empty() ? "Get" : absl::AsciiStrToLower(std::string(method));
  op[0] = absl::ascii_toupper(op[0]);
  return absl::Status(cause.code(), op + " \"" + std::string(redacted_url) + "\": " +
                                        std::string(cause.message()));
}

}  // namespace strata::net
