#include "remote/gzip_inflate.h"

#include <zlib.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace strata::remote {

absl::StatusOr<std::string> gzip_inflate(std::string_view in, size_t max_bytes) {
  z_stream zs{};
  // 16 + MAX_WBITS: gzip wrapper only.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    return absl::InternalError("gzip: cannot initialise zlib");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  std::string out;
  // Grow in steps; never beyond the cap (+1 byte to detect going over it).
  constexpr size_t kStep = 64 << 10;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(std::min<size_t>(in.size(), UINT32_MAX));
  size_t fed = zs.avail_in;
  for (;;) {
    size_t have = out.size();
    size_t want = std::min(max_bytes + 1 - std::min(max_bytes + 1, have), kStep);
    if (want == 0)
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip: decompressed body exceeds the limit of ", max_bytes, " bytes"));
    out.resize(have + want);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + have);
    zs.avail_out = uInt(want);
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(have + (want - zs.avail_out));
    if (zs.avail_in == 0 && fed < in.size()) {
      size_t more = std::min<size_t>(in.size() - fed, UINT32_MAX);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
      zs.avail_in = uInt(more);
      fed += more;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && fed == in.size()) break;
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK) return absl::InvalidArgumentError("gzip: corrupt input");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && fed == in.size())
      return absl::InvalidArgumentError("gzip: unexpected end of input");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return absl::InvalidArgumentError(
          absl::StrCat("gzip: corrupt input (", zs.msg ? zs.msg : "invalid data", ")"));
  }
  if (out.size() > max_bytes)
    return absl::ResourceExhaustedError(
        absl::StrCat("gzip: decompressed body exceeds the limit of ", max_bytes, " bytes"));
  return out;
}

}  // namespace strata::remote
