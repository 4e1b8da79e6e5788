// Bounded gzip decoding with zlib's inflate.
#include "net/gzip.h"

#include <algorithm>

#include <zlib.h>

namespace strata::net {

absl::StatusOr<std::string> gunzip(std::string_view in, int64_t limit_bytes,
                                   const std::function<absl::Status(uint64_t)>& reserve) {
  z_stream z{};
  // 16 + MAX_WBITS: gzip wrapper only (not raw deflate or zlib).
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return absl::InternalError("gzip: inflateInit failed");
  std::string out;
  uint64_t reserved = 0;  // granted by `reserve`; the output's capacity
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  char chunk[64 * 1024];
  absl::Status status;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    const size_t n = sizeof(chunk) - z.avail_out;
    if (reserve && out.size() + n > reserved) {
      uint64_t want = std::max<uint64_t>(2 * reserved, out.size() + n);
      if (limit_bytes > 0) want = std::min<uint64_t>(want, uint64_t(limit_bytes) + sizeof(chunk));
      status = reserve(want - reserved);
      if (!status.ok()) break;
      reserved = want;
      out.reserve(want);
    }
    out.append(chunk, n);
    if (limit_bytes > 0 && int64_t(out.size()) > limit_bytes) {
      status = absl::ResourceExhaustedError("body size limit exceeded");
      break;
    }
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // another gzip member follows, as Go's reader accepts
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      status = absl::DataLossError("gzip: unexpected EOF");
    } else {
      status = absl::DataLossError(std::string("gzip: ") + (z.msg ? z.msg : "invalid data"));
    }
    break;
  }
  inflateEnd(&z);
  if (!status.ok()) return status;
  return out;
}

}  // namespace strata::net
