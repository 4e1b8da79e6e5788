// Remote-write wire codec: content negotiation (Content-Type and
// Content-Encoding), Snappy *block* format with a cap on the decompressed
// size, and protobuf parsing of a WriteRequest into a caller-owned arena.
// Also the encoder senders need (the load generator, tests, benchmarks).
//
// Errors are absl::Status whose code tells the HTTP edge what to answer:
//   kUnimplemented      unsupported media type or encoding   -> 415
//   kResourceExhausted  decompressed body over the size cap  -> 413
//   kInvalidArgument    corrupt snappy, malformed protobuf   -> 400
// Messages say what was wrong, e.g. `snappy: corrupt input` or
// `cannot parse WriteRequest: timeseries[3].samples[0]: truncated varint at byte 1234`.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "remote/remote.pb.h"
#include "tsdb/labels/labels.h"

#include "google/protobuf/arena.h"

namespace strata::remote {

// 64 MiB: ten times the largest batch Prometheus' default queue config
// produces (max_samples_per_send 2000 x ~100 bytes before compression, or
// 10k-sample batches with long label sets), yet small enough that a few
// concurrent hostile requests cannot exhaust memory.
inline constexpr size_t kDefaultMaxDecodedBytes = size_t(64) << 20;

enum class WriteProtocol { kV1, kV2 };
// The remote-write version a Content-Type names: a missing one,
// `application/x-protobuf` and `application/x-protobuf;proto=prometheus.WriteRequest`
// mean 1.0, `proto=io.prometheus.write.v2.Request` 2.0. Anything else is
// kUnimplemented (415).
absl::StatusOr<WriteProtocol> write_protocol(std::string_view content_type);
absl::Status check_content_type(std::string_view content_type);  // write_protocol's status

// Accepts a missing Content-Encoding (Prometheus' receiver assumes snappy
// too) and `snappy`; anything else is kUnimplemented.
absl::Status check_content_encoding(std::string_view content_encoding);

// The decompressed size a Snappy block declares in its header; the errors
// of snappy_decode() when it is unreadable or over `max_decoded_bytes`.
absl::StatusOr<size_t> snappy_decoded_length(std::string_view compressed,
                                             size_t max_decoded_bytes = kDefaultMaxDecodedBytes);
// Decompresses a Snappy block. Fails with kResourceExhausted when the
// declared decompressed size exceeds `max_decoded_bytes` (checked before
// allocating) and with kInvalidArgument on corrupt input.
absl::StatusOr<std::string> snappy_decode(std::string_view compressed,
                                          size_t max_decoded_bytes = kDefaultMaxDecodedBytes);
std::string snappy_encode(std::string_view raw);

// Parses a decompressed WriteRequest into `arena` (never null); the result
// lives as long as the arena. Besides protobuf's own well-formedness checks
// this rejects fields whose number we know but whose wire type is wrong
// (protobuf would silently keep them as unknown fields and ingest a 0),
// while unknown field numbers are skipped as the spec demands.
absl::StatusOr<prometheus::WriteRequest*> parse_write_request(std::string_view raw,
                                                              google::protobuf::Arena* arena);

// The same into a message the caller owns (ParseFromArray replaces its
// contents; a reused message keeps its string and repeated-field storage).
absl::Status parse_write_request_into(std::string_view raw, prometheus::WriteRequest* req);

// Arena block sizes for parsing a WriteRequest of `decoded_bytes`: parsed
// messages take ~4-8x their wire size, so starting near that size means a
// request is decoded into a handful of mallocs instead of hundreds.
google::protobuf::ArenaOptions arena_options_for(size_t decoded_bytes);

// snappy_decode + parse_write_request.
absl::StatusOr<prometheus::WriteRequest*> decode_write_request(
    std::string_view body, google::protobuf::Arena* arena,
    size_t max_decoded_bytes = kDefaultMaxDecodedBytes);

// Serializes and Snappy-compresses `req` (what a sender puts in the body).
std::string encode_write_request(const prometheus::WriteRequest& req);

// The WriteRequest wire format written directly, for the sender: a series'
// Label fields are encoded once (encode_label_fields) and every batch then
// appends TimeSeries entries around them, with no message objects or
// per-label allocations. The bytes parse as the same WriteRequest.
std::string encode_label_fields(const tsdb::Labels& labels);
struct WireSample {
  int64_t t_ms;
  double v;
};
void append_timeseries(std::string_view label_fields, std::span<const WireSample> samples,
                       std::string* write_request);

}  // namespace strata::remote
