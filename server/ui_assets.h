// UiAsset: one file of the web UI embedded into the binary at build time
// (web/build.mjs generates the table from web/src; server/ui_assets_none.cc
// is the empty table of a build with -DSTRATA_WEB_UI=OFF). The bytes live in
// static storage for the life of the process; the table is immutable, so any
// thread may read it.
#pragma once

#include <span>
#include <string_view>

namespace strata::server {

struct UiAsset {
  std::string_view path;          // URL path, e.g. "/assets/main-4XK2.js", "/index.html"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view gzip;          // the file, gzip-compressed (RFC 1952)
  std::string_view etag;          // hex digest of the uncompressed file, unquoted
  bool immutable;                 // content-hashed name: cacheable for good
};

// Every embedded file; empty when the UI was not built.
std::span<const UiAsset> ui_assets();

}  // namespace strata::server
