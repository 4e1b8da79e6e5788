// The Authorization header a request gets from its HttpClientConfig:
// basic_auth (username/password inline or from files) or `authorization`
// (type + credentials inline or from credentials_file). Files are read on
// every request, as Prometheus does, so a rotated token is picked up without
// a reload. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "net/config.h"

namespace strata::net {

// The header value, nullopt when the config has no authentication, or an
// error naming the file that could not be read (never a secret).
absl::StatusOr<std::optional<std::string>> authorization_header(const HttpClientConfig& c);

// "Basic base64(user:password)".
std::string basic_authorization(const std::string& user, const std::string& password);

}  // namespace strata::net
