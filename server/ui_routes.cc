#include "server/ui_routes.h"

#include <string_view>
#include <vector>

#include "server/gzip.h"
#include "server/ui_assets.h"

namespace strata::server {
namespace {

// The pages of the single-page UI: the client-side router picks the page.
// Prometheus 3's routes, so bookmarks made on Prometheus open here.
const std::vector<std::string>& ui_pages() {
  static const std::vector<std::string> pages = {
      "/query",  "/alerts",      "/targets", "/rules",  "/service-discovery",
      "/status", "/tsdb-status", "/flags",   "/config", "/alertmanager-discovery",
      "/dashboards"};
  return pages;
}

const UiAsset* find_asset(std::string_view path) {
  for (const UiAsset& a : ui_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

// If-None-Match matches: "*" or any listed tag equal to ours (the weak
// comparison RFC 9110 §13.1.2 prescribes for this header, so W/ is ignored).
bool none_match(std::string_view header, std::string_view quoted_etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == quoted_etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void serve_asset(const UiAsset& a, const api::HttpRequest& req, api::HttpResponse& r) {
  bool gz = accepts_gzip(req.header("accept-encoding"));
  // The two encodings are different representations, so their strong tags differ.
  std::string etag = "\"";
  etag.append(a.etag);
  etag.append(gz ? "-gz\"" : "\"");
  r.set_header("ETag", etag);
  r.set_header("Cache-Control", a.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.set_header("X-Content-Type-Options", "nosniff");
  if (none_match(req.header("if-none-match"), etag)) {
    r.status = 304;
    r.content_type.clear();
    return;
  }
  r.status = 200;
  r.content_type = std::string(a.content_type);
  if (gz) {
    r.set_header("Vary", "Accept-Encoding");
    r.body.assign(a.gzip);
    // Marks the body as encoded, so the listener does not compress it again.
    r.set_header("Content-Encoding", "gzip");
  } else {
    r.body = gzip_decompress(a.gzip);
    // The listener adds Vary itself to bodies it could have compressed.
    if (r.body.size() < kGzipMinBytes) r.set_header("Vary", "Accept-Encoding");
  }
}

void not_found(api::HttpResponse& r) {
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "404 page not found\n";
}

}  // namespace

void add_ui_routes(api::Router& router, std::set<std::string>* paths, const std::string& version) {
  const std::vector<std::string> get_head = {"GET", "HEAD"};
  const UiAsset* index = find_asset("/index.html");
  if (!index) {
    std::string page =
        "Strata " + version +
        ", a Prometheus-compatible metrics server.\n\n"
        "The web UI was not built into this binary (-DSTRATA_WEB_UI=OFF or no npm "
        "at build time).\n\n"
        "Prometheus HTTP API:  /api/v1/query, /api/v1/query_range, /api/v1/series, ...\n"
        "Remote write:         POST /api/v1/write\n"
        "Own metrics:          /metrics\n"
        "Health and readiness: /-/healthy, /-/ready\n";
    auto plain = [page](const api::HttpRequest&, api::HttpResponse& r) {
      r.content_type = "text/plain; charset=utf-8";
      r.body = page;
    };
    router.add(get_head, "/", plain, "/");
    paths->insert("/");
    for (const std::string& p : ui_pages()) {
      router.add(get_head, p, plain, "/ui");
      paths->insert(p);
    }
    router.add_prefix(get_head, std::string(kUiDashboardsPrefix), plain, "/ui");
    return;
  }
  router.add(
      get_head, "/",
      [](const api::HttpRequest&, api::HttpResponse& r) {
        r.status = 302;
        r.content_type.clear();
        r.set_header("Location", "/query");
      },
      "/");
  router.add(
      get_head, "/graph",
      [](const api::HttpRequest& req, api::HttpResponse& r) {
        r.status = 302;
        r.content_type.clear();
        r.set_header("Location", req.query.empty() ? "/query" : "/query?" + req.query);
      },
      "/graph");
  paths->insert("/");
  paths->insert("/graph");
  for (const std::string& p : ui_pages()) {
    router.add(
        get_head, p,
        [index](const api::HttpRequest& req, api::HttpResponse& r) { serve_asset(*index, req, r); },
        "/ui");
    paths->insert(p);
  }
  // /dashboards/<uid>: one dashboard; the page reads the uid from the path.
  router.add_prefix(
      get_head, std::string(kUiDashboardsPrefix),
      [index](const api::HttpRequest& req, api::HttpResponse& r) { serve_asset(*index, req, r); },
      "/ui");
  router.add(
      get_head, "/favicon.svg",
      [](const api::HttpRequest& req, api::HttpResponse& r) {
        if (const UiAsset* a = find_asset("/favicon.svg"))
          serve_asset(*a, req, r);
        else
          not_found(r);
      },
      "/ui");
  paths->insert("/favicon.svg");
  router.add_prefix(
      get_head, std::string(kUiAssetPrefix),
      [](const api::HttpRequest& req, api::HttpResponse& r) {
        const UiAsset* a = find_asset(req.path);
        if (a && a->immutable)
          serve_asset(*a, req, r);
        else
          not_found(r);
      },
      "/assets");
}

}  // namespace strata::server
