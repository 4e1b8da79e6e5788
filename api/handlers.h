// Handlers of the Prometheus HTTP API, one free function per endpoint, each
// returning an ApiResult that api.cc writes with the common envelope.
// Internal to api/: the server only sees register_api_routes().
#pragma once

#include "api/api.h"
#include "api/params.h"
#include "api/response.h"

namespace strata::api {

// query_api.cc
ApiResult handle_query(ApiContext& ctx, const HttpRequest& req, const Form& form);
ApiResult handle_query_range(ApiContext& ctx, const HttpRequest& req, const Form& form);
ApiResult handle_query_exemplars(ApiContext& ctx, const Form& form);
ApiResult handle_format_query(ApiContext& ctx, const Form& form);

// series_api.cc
ApiResult handle_series(ApiContext& ctx, const Form& form);
ApiResult handle_labels(ApiContext& ctx, const Form& form);
ApiResult handle_label_values(ApiContext& ctx, const std::string& escaped_name, const Form& form);
ApiResult handle_metadata(ApiContext& ctx, const Form& form);

// status_api.cc
ApiResult handle_buildinfo(ApiContext& ctx);
ApiResult handle_runtimeinfo(ApiContext& ctx);
ApiResult handle_flags(ApiContext& ctx);
ApiResult handle_config(ApiContext& ctx);
ApiResult handle_tsdb_status(ApiContext& ctx, const Form& form);

// targets_api.cc
ApiResult handle_targets(ApiContext& ctx, const Form& form);
ApiResult handle_targets_metadata(ApiContext& ctx, const Form& form);
ApiResult handle_scrape_pools(ApiContext& ctx);

// rules_api.cc
ApiResult handle_rules(ApiContext& ctx, const Form& form);
ApiResult handle_alerts(ApiContext& ctx);
ApiResult handle_alertmanagers(ApiContext& ctx);

// admin_api.cc (answer 204 No Content on success, except snapshot)
ApiResult handle_snapshot(ApiContext& ctx, const Form& form);
ApiResult handle_delete_series(ApiContext& ctx, const Form& form);
ApiResult handle_clean_tombstones(ApiContext& ctx);

// Parses `limit` (absent = 0 = unlimited); Prometheus' error text.
absl::StatusOr<size_t> parse_limit(const Form& form);
// Parses an optional time parameter, `def` when absent.
absl::StatusOr<int64_t> parse_time_param(const Form& form, const char* name, int64_t def);

// federate.cc: /federate in the text format (not the JSON envelope);
// `errors` counts answers that failed in storage.
void handle_federate(ApiContext& ctx, metrics::Counter& errors, const HttpRequest& req,
                     HttpResponse& resp);

// dashboards_api.cc
// Bounds the lint endpoint's body: a large dashboard is a few hundred KiB.
inline constexpr int64_t kMaxLintBodyBytes = 4 << 20;
ApiResult handle_dashboards(ApiContext& ctx);
ApiResult handle_dashboard(ApiContext& ctx, const std::string& uid);
ApiResult handle_lint_dashboard(ApiContext& ctx, const HttpRequest& req, const Form& form);

}  // namespace strata::api
