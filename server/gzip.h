// Response compression for the HTTP listener: gzip (RFC 1952) with zlib, and
// the Accept-Encoding check that decides whether a client takes it.
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace strata::server {

// Bodies smaller than this are sent as they are: below ~1 KiB the gzip header
// and the CPU cost outweigh the bytes saved.
inline constexpr size_t kGzipMinBytes = 1024;

// Whether an Accept-Encoding header value admits gzip: a "gzip" or "*" token
// whose q-value is not 0 (RFC 9110 §12.5.3). "gzip;q=0" refuses it.
bool accepts_gzip(std::string_view accept_encoding);

// gzip-compresses `in` at level 1: CPU is scarcer than bandwidth here, and
// level 1 already shrinks JSON and text exposition 5-10x. Returns "" only if
// zlib fails (out of memory), in which case callers send the body unchanged.
std::string gzip_compress(std::string_view in);

// Inverse of gzip_compress (any gzip stream); "" on corrupt input. For tests
// and for clients of compressed endpoints.
std::string gzip_decompress(std::string_view in);

}  // namespace strata::server
