// Decompressing a gzip request body (Content-Encoding: gzip) with a cap on
// the output, for receivers below server/ (whose server/gzip.h they cannot
// include). The cap is checked while inflating, so a small "zip bomb" body
// costs at most `max_bytes` of memory. Pure function; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata::remote {

// InvalidArgument for a body that is not gzip (or truncated, or has trailing
// garbage); ResourceExhausted when the output would exceed `max_bytes`.
// Concatenated gzip members are decoded one after the other (RFC 1952).
absl::StatusOr<std::string> gzip_inflate(std::string_view in, size_t max_bytes);

}  // namespace strata::remote
