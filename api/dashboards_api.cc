// Strata's own endpoints for the UI's dashboards page, under /api/v1/strata/
// (Prometheus has no such API; the prefix keeps them apart from its names):
//   GET  /api/v1/strata/dashboards         [{uid, title, file, tags}]; files
//        that could not be read come as warnings
//   GET  /api/v1/strata/dashboards/<uid>   the dashboard's JSON model
//   POST /api/v1/strata/lint/dashboard     body: a dashboard's JSON; the
//        findings of `stratatool lint dashboard --format=json`
// Answers use Prometheus' envelope and error shape.
#include <algorithm>

#include "api/dashboards/dashboard_store.h"
#include "api/dashlint/lint.h"
#include "api/handlers.h"
#include "base/duration.h"

namespace strata::api {

ApiResult handle_dashboards(ApiContext& ctx) {
  ApiResult r;
  auto set = ctx.dashboards ? ctx.dashboards->snapshot() : std::make_shared<const DashboardSet>();
  for (const DashboardProblem& p : set->problems)
    r.warnings.push_back("dashboard file " + p.file + ": " + p.message);
  r.data = [set](JsonWriter& w) {
    w.begin_array();
    for (const StoredDashboard& d : set->dashboards) {
      w.begin_object();
      w.key("uid");
      w.string(d.uid);
      w.key("title");
      w.string(d.title);
      w.key("file");
      w.string(d.file);
      w.key("tags");
      w.begin_array();
      for (const std::string& t : d.tags) w.string(t);
      w.end_array();
      w.end_object();
    }
    w.end_array();
  };
  return r;
}

ApiResult handle_dashboard(ApiContext& ctx, const std::string& uid) {
  auto set = ctx.dashboards ? ctx.dashboards->snapshot() : nullptr;
  if (set) {
    for (const StoredDashboard& d : set->dashboards) {
      if (d.uid != uid) continue;
      ApiResult r;
      r.data = [set, json = &d.json](JsonWriter& w) { w.raw(*json); };
      return r;
    }
  }
  ApiResult r;
  r.error = {ErrorType::kNotFound, "dashboard not found: uid \"" + uid + "\""};
  return r;
}

ApiResult handle_lint_dashboard(ApiContext&, const HttpRequest& req, const Form& form) {
  if (req.body.size() > size_t(kMaxLintBodyBytes))
    return bad_data("dashboard too large: " + std::to_string(req.body.size()) +
                    " bytes, the limit is " + std::to_string(kMaxLintBodyBytes));
  if (req.body.empty()) return bad_data("missing dashboard JSON in the request body");
  dashlint::LintOptions opts;
  if (form.has("scrape_interval")) {
    auto d = parse_duration(form.value("scrape_interval"));
    if (!d.ok() || *d <= 0)
      return invalid_param("scrape_interval",
                           absl::InvalidArgumentError("not a positive duration"));
    opts.scrape_interval_ms = *d;
  }
  auto dash = dashlint::parse_dashboard(req.body);
  if (!dash.ok()) return bad_data(std::string(dash.status().message()));
  std::string name = dash->uid.empty() ? "dashboard" : dash->uid;
  auto findings = dashlint::lint_dashboard(*dash, name, opts);
  ApiResult r;
  r.data = [json = dashlint::format_json(findings, {})](JsonWriter& w) { w.raw(json); };
  return r;
}

}  // namespace strata::api
