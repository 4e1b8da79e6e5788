// Remote-read wire codec (Prometheus' remote read API, prompb/remote.proto):
//   request    Snappy block of a ReadRequest (POST body)
//   SAMPLES    Snappy block of one ReadResponse
//   STREAMED_XOR_CHUNKS  frames of ChunkedReadResponse, each
//              uvarint(length) | CRC-32C of the message, 4 bytes big endian |
//              message; sent uncompressed
// Errors are InvalidArgument with what was wrong (`snappy: corrupt input`,
// `cannot parse ReadRequest`, `frame 2: checksum mismatch`), or
// ResourceExhausted when a size cap is exceeded. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "remote/remote.pb.h"

namespace strata::remote {

// 32 MiB, Prometheus' cap on a decoded read request: a request is a list of
// matchers, so anything near it is hostile.
inline constexpr size_t kMaxReadRequestBytes = size_t(32) << 20;

// Decompresses and parses a request body.
absl::StatusOr<prometheus::ReadRequest> decode_read_request(std::string_view body,
                                                            size_t max_decoded_bytes = kMaxReadRequestBytes);
// Serializes and compresses a request (senders, tests).
std::string encode_read_request(const prometheus::ReadRequest& req);

// Serializes and compresses a SAMPLES response; and the reverse (clients,
// tests) with a cap on the decoded size.
std::string encode_read_response(const prometheus::ReadResponse& resp);
absl::StatusOr<prometheus::ReadResponse> decode_read_response(std::string_view body,
                                                              size_t max_decoded_bytes);

// Appends one STREAMED_XOR_CHUNKS frame holding `msg` to `out`.
void append_chunked_frame(const prometheus::ChunkedReadResponse& msg, std::string* out);
// Splits a STREAMED_XOR_CHUNKS body into its messages, checking every
// frame's length (at most `max_frame_bytes`) and checksum.
absl::StatusOr<std::vector<prometheus::ChunkedReadResponse>> decode_chunked_frames(
    std::string_view body, size_t max_frame_bytes);

}  // namespace strata::remote
