// The web UI's routes, served from the embedded assets (server/ui_assets.h):
//   /                 302 to /query (Prometheus 3's start page)
//   /graph            302 to /query, keeping the query string (old links)
//   /query, /targets, /rules, /alerts, /dashboards, ... (the UI's pages)  index.html
//   /dashboards/<uid> index.html (the page reads the uid from the path)
//   /assets/<name>    bundled scripts and styles, content-hashed names
// Bodies are sent gzip-compressed to clients that accept it (decompressed
// otherwise), with a strong ETag, 304 on a matching If-None-Match, a year's
// Cache-Control for hashed names and no-cache for the HTML. Built without the
// UI, / and the pages answer a short plain-text page saying so.
//
// Lookups are exact matches in an immutable table, so no path (`..`, encoded
// bytes, NULs) can reach anything but an embedded file. Thread-safe.
#pragma once

#include <set>
#include <string>

#include "api/http.h"

namespace strata::server {

// Adds the routes to `router` and their exact paths to `paths` (the paths
// ServerRoutes answers itself). `version` goes into the no-UI page.
void add_ui_routes(api::Router& router, std::set<std::string>* paths, const std::string& version);

// Prefix every asset lives under ("/assets/").
inline constexpr std::string_view kUiAssetPrefix = "/assets/";
// One dashboard's page: /dashboards/<uid>, answered with index.html.
inline constexpr std::string_view kUiDashboardsPrefix = "/dashboards/";

}  // namespace strata::server
