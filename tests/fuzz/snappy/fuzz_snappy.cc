// libFuzzer target for the Snappy block decoding every remote-write and
// remote-read body goes through (remote/codec.h): any bytes decode or fail
// with InvalidArgument (corrupt) or ResourceExhausted (declared size over
// the cap, checked before allocating), never crash or allocate past the cap.
// What decodes, and the input itself, survive an encode/decode round trip.
//
// The cap is 64 KiB here (the server's is 64 MiB), so the size check is hit
// by small inputs. Seeds (seeds/): compressed remote-write bodies and
// hand-made blocks with literals and copies of each offset width.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "remote/codec.h"

namespace {

constexpr size_t kCap = 64 << 10;

void round_trip(std::string_view raw) {
  auto back = strata::remote::snappy_decode(strata::remote::snappy_encode(raw), raw.size());
  if (!back.ok() || *back != raw) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto out = strata::remote::snappy_decode(in, kCap);
  if (out.ok()) {
    if (out->size() > kCap) abort();
    round_trip(*out);
  } else if (out.status().code() != absl::StatusCode::kInvalidArgument &&
             out.status().code() != absl::StatusCode::kResourceExhausted) {
    abort();
  }
  round_trip(in);
  return 0;
}
