#include "remote/read_codec.h"

#include "base/coding.h"
#include "base/crc32c.h"
#include "remote/codec.h"

namespace strata::remote {

absl::StatusOr<prometheus::ReadRequest> decode_read_request(std::string_view body,
                                                            size_t max_decoded_bytes) {
  auto raw = snappy_decode(body, max_decoded_bytes);
  if (!raw.ok()) return raw.status();
  prometheus::ReadRequest req;
  if (!req.ParseFromString(*raw)) return absl::InvalidArgumentError("cannot parse ReadRequest");
  return req;
}

std::string encode_read_request(const prometheus::ReadRequest& req) {
  return snappy_encode(req.SerializeAsString());
}

std::string encode_read_response(const prometheus::ReadResponse& resp) {
  return snappy_encode(resp.SerializeAsString());
}

absl::StatusOr<prometheus::ReadResponse> decode_read_response(std::string_view body,
                                                              size_t max_decoded_bytes) {
  auto raw = snappy_decode(body, max_decoded_bytes);
  if (!raw.ok()) return raw.status();
  prometheus::ReadResponse resp;
  if (!resp.ParseFromString(*raw)) return absl::InvalidArgumentError("cannot parse ReadResponse");
  return resp;
}

void append_chunked_frame(const prometheus::ChunkedReadResponse& msg, std::string* out) {
  std::string b = msg.SerializeAsString();
  put_uvarint(out, b.size());
  put_be32(out, crc32c(b));
  out->append(b);
}

absl::StatusOr<std::vector<prometheus::ChunkedReadResponse>> decode_chunked_frames(
    std::string_view body, size_t max_frame_bytes) {
  std::vector<prometheus::ChunkedReadResponse> out;
  const char* p = body.data();
  const char* end = p + body.size();
  for (size_t frame = 0; p < end; ++frame) {
    uint64_t n;
    if (!get_uvarint(&p, end, &n)) return absl::InvalidArgumentError("frame " + std::to_string(frame) + ": bad length");
    if (n > max_frame_bytes)
      return absl::ResourceExhaustedError("frame " + std::to_string(frame) + ": " + std::to_string(n) +
                                          " bytes, over the limit of " + std::to_string(max_frame_bytes));
    if (end - p < 4 || uint64_t(end - p - 4) < n)
      return absl::InvalidArgumentError("frame " + std::to_string(frame) + ": truncated");
    uint32_t want = get_be32(p);
    p += 4;
    std::string_view msg(p, n);
    p += n;
    if (crc32c(msg) != want) return absl::InvalidArgumentError("frame " + std::to_string(frame) + ": checksum mismatch");
    if (!out.emplace_back().ParseFromArray(msg.data(), int(msg.size())))
      return absl::InvalidArgumentError("frame " + std::to_string(frame) + ": cannot parse ChunkedReadResponse");
  }
  return out;
}

}  // namespace strata::remote
