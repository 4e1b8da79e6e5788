#include "remote/codec.h"

#include <snappy.h>

#include <algorithm>
#include <cstring>
#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "remote/wire_check.h"
#include "google/protobuf/arena.h"

namespace strata::remote {
namespace {

constexpr std::string_view kProtobufType = "application/x-protobuf";
constexpr std::string_view kProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kProtoV2 = "io.prometheus.write.v2.Request";

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Printable, bounded echo of a header value for error messages.
std::string quote_header(std::string_view v) {
  std::string out = "\"";
  for (char c : v.substr(0, 200)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  if (v.size() > 200) out += "...";
  return out + "\"";
}

}  // namespace

absl::StatusOr<WriteProtocol> write_protocol(std::string_view content_type) {
  if (trim(content_type).empty()) return WriteProtocol::kV1;  // Prometheus < 2.x senders
  std::vector<std::string_view> parts = split(content_type, ';');
  std::string_view media = trim(parts[0]);
  if (!equals_ignore_case(media, kProtobufType)) {
    return absl::UnimplementedError(absl::StrCat(
        "unsupported Content-Type ", quote_header(content_type),
        "; remote write expects application/x-protobuf (proto=prometheus.WriteRequest)"));
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view param = trim(parts[i]);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!equals_ignore_case(trim(param.substr(0, eq)), "proto")) continue;
    std::string_view proto = trim(param.substr(eq + 1));
    if (proto.size() >= 2 && proto.front() == '"' && proto.back() == '"')
      proto = proto.substr(1, proto.size() - 2);
    if (proto == kProtoV1) return WriteProtocol::kV1;
    if (proto == kProtoV2) return WriteProtocol::kV2;
    return absl::UnimplementedError(absl::StrCat("unsupported protobuf message ",
                                                 quote_header(proto), " in Content-Type; ",
                                                 "remote write expects prometheus.WriteRequest or "
                                                 "io.prometheus.write.v2.Request"));
  }
  return WriteProtocol::kV1;
}

absl::Status check_content_type(std::string_view content_type) {
  return write_protocol(content_type).status();
}

absl::Status check_content_encoding(std::string_view content_encoding) {
  std::string_view enc = trim(content_encoding);
  if (enc.empty() || equals_ignore_case(enc, "snappy")) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat("unsupported Content-Encoding ",
                                               quote_header(content_encoding),
                                               "; remote write bodies must be snappy-compressed"));
}

absl::StatusOr<size_t> snappy_decoded_length(std::string_view compressed,
                                             size_t max_decoded_bytes) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &n))
    return absl::InvalidArgumentError("snappy: corrupt input");
  if (n > max_decoded_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("snappy: decoded body of ", n, " bytes exceeds the limit of ",
                     max_decoded_bytes, " bytes; send smaller batches"));
  }
  return n;
}

absl::StatusOr<std::string> snappy_decode(std::string_view compressed, size_t max_decoded_bytes) {
  if (absl::StatusOr<size_t> n = snappy_decoded_length(compressed, max_decoded_bytes); !n.ok())
    return n.status();
  std::string out;
  if (!snappy::Uncompress(compressed.data(), compressed.size(), &out))
    return absl::InvalidArgumentError("snappy: corrupt input");
  return out;
}

std::string snappy_encode(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

absl::Status parse_write_request_into(std::string_view raw, prometheus::WriteRequest* req) {
  if (!req->ParseFromArray(raw.data(), int(raw.size()))) {
    std::string why = describe_wire_error(raw, prometheus::WriteRequest::descriptor());
    if (why.empty()) why = "malformed protobuf";
    return absl::InvalidArgumentError(absl::StrCat("cannot parse WriteRequest: ", why));
  }
  return check_known_fields(*req);
}

absl::StatusOr<prometheus::WriteRequest*> parse_write_request(std::string_view raw,
                                                              google::protobuf::Arena* arena) {
  auto* req = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(arena);
  if (absl::Status s = parse_write_request_into(raw, req); !s.ok()) return s;
  return req;
}

google::protobuf::ArenaOptions arena_options_for(size_t decoded_bytes) {
  google::protobuf::ArenaOptions o;
  // Bounds: 4 KiB (tiny requests) .. 8 MiB (keeps one block a modest malloc).
  o.start_block_size = std::clamp<size_t>(decoded_bytes * 4, size_t(4) << 10, size_t(8) << 20);
  o.max_block_size = std::max<size_t>(o.start_block_size, size_t(8) << 20);
  return o;
}

absl::StatusOr<prometheus::WriteRequest*> decode_write_request(std::string_view body,
                                                               google::protobuf::Arena* arena,
                                                               size_t max_decoded_bytes) {
  absl::StatusOr<std::string> raw = snappy_decode(body, max_decoded_bytes);
  if (!raw.ok()) return raw.status();
  return parse_write_request(*raw, arena);
}

std::string encode_write_request(const prometheus::WriteRequest& req) {
  return snappy_encode(req.SerializeAsString());
}

namespace {

void put_field(std::string* out, char tag, std::string_view bytes) {
  out->push_back(tag);
  put_uvarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace

std::string encode_label_fields(const tsdb::Labels& labels) {
  std::string out;
  for (const tsdb::Label& l : labels) {
    size_t inner = 2 + uvarint_len(l.name.size()) + l.name.size() + uvarint_len(l.value.size()) +
                   l.value.size();
    out.push_back(0x0A);  // TimeSeries.labels
    put_uvarint(&out, inner);
    put_field(&out, 0x0A, l.name);   // Label.name
    put_field(&out, 0x12, l.value);  // Label.value
  }
  return out;
}

void append_timeseries(std::string_view label_fields, std::span<const WireSample> samples,
                       std::string* out) {
  auto sample_len = [](const WireSample& s) { return 1 + 8 + 1 + uvarint_len(uint64_t(s.t_ms)); };
  size_t len = label_fields.size();
  for (const WireSample& s : samples) {
    size_t n = sample_len(s);
    len += 1 + uvarint_len(n) + n;
  }
  out->push_back(0x0A);  // WriteRequest.timeseries
  put_uvarint(out, len);
  out->append(label_fields);
  for (const WireSample& s : samples) {
    out->push_back(0x12);  // TimeSeries.samples
    put_uvarint(out, sample_len(s));
    out->push_back(0x09);  // Sample.value, fixed64
    uint64_t bits;
    std::memcpy(&bits, &s.v, 8);
    put_fixed64(out, bits);
    out->push_back(0x10);  // Sample.timestamp, varint
    put_uvarint(out, uint64_t(s.t_ms));
  }
}

}  // namespace strata::remote
