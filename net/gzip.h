// gzip decoding of response bodies (RFC 1952, zlib), bounded so that a small
// compressed body cannot expand past the caller's body limit. Stateless;
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata::net {

// Decodes `in` (one or more concatenated gzip members). `limit_bytes` > 0
// caps the output: more fails with ResourceExhausted "body size limit
// exceeded". Corrupt or truncated input fails with DataLoss "gzip: ...".
// `reserve`, when set, is asked for the output's memory before it grows (in
// doubling steps, as the string grows); its error, if any, is returned.
absl::StatusOr<std::string> gunzip(std::string_view in, int64_t limit_bytes,
                                   const std::function<absl::Status(uint64_t)>& reserve = nullptr);

}  // namespace strata::net
