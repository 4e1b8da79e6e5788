// Protobuf wire-format diagnostics for remote-write requests. protobuf's
// parser only says "failed" and silently keeps a known field sent with the
// wrong wire type as an unknown field (so a Sample whose value arrives as a
// varint would be ingested as 0). These helpers find out what exactly was
// wrong, by path, so the 400 answer can tell the sender:
//
//   timeseries[2].samples[0].timestamp: truncated varint at byte 118
//   timeseries[0].samples[0].value: wire type varint, want fixed64
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "remote/remote.pb.h"

namespace google::protobuf {
class Descriptor;
}

namespace strata::remote {

// Walks `data` as a message of type `desc` and describes the first
// wire-format error (truncated or over-long varint, length past the end,
// invalid wire type or field number, unbalanced group, known field with the
// wrong wire type, packed field of bad length), prefixed with its field path.
// Returns "" when the bytes are well-formed. Slow path: only called after a
// parse failed.
std::string describe_wire_error(std::string_view data, const google::protobuf::Descriptor* desc);

// After a successful parse: InvalidArgument when any message in `req` kept an
// unknown field whose number is a known field of that message (a wire-type
// mismatch). Unknown field numbers are fine (forward compatibility). Costs
// one predictable branch per message when there are no unknown fields.
absl::Status check_known_fields(const prometheus::WriteRequest& req);

}  // namespace strata::remote
