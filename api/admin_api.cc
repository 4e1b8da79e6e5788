// /api/v1/admin/tsdb/{snapshot,delete_series,clean_tombstones}: only with
// --web.enable-admin-api, like Prometheus.
#include "api/handlers.h"
#include "promql/parser/parser.h"

namespace strata::api {
namespace {

ApiResult disabled() {
  ApiResult r;
  r.error = {ErrorType::kUnavailable, "admin APIs disabled"};
  return r;
}

}  // namespace

ApiResult handle_snapshot(ApiContext& ctx, const Form& form) {
  if (!ctx.enable_admin_api) return disabled();
  std::string skip = form.value("skip_head");
  bool skip_head = false;
  if (!skip.empty()) {
    if (skip == "true" || skip == "1" || skip == "t" || skip == "T" || skip == "TRUE" || skip == "True")
      skip_head = true;
    else if (!(skip == "false" || skip == "0" || skip == "f" || skip == "F" || skip == "FALSE" || skip == "False"))
      return bad_data("unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \"" +
                      skip + "\": invalid syntax");
  }
  auto name = ctx.admin->snapshot(skip_head);
  if (!name.ok()) {
    ApiResult r;
    r.error = {ErrorType::kInternal, "create snapshot: " + std::string(name.status().message())};
    return r;
  }
  auto shared = std::make_shared<std::string>(*name);
  ApiResult r;
  r.data = [shared](JsonWriter& w) {
    w.begin_object();
    w.key("name");
    w.string(*shared);
    w.end_object();
  };
  return r;
}

ApiResult handle_delete_series(ApiContext& ctx, const Form& form) {
  if (!ctx.enable_admin_api) return disabled();
  auto matches = form.values("match[]");
  if (matches.empty()) return bad_data("no match[] parameter provided");
  auto start = parse_time_param(form, "start", kMinTimeMs);
  if (!start.ok()) return invalid_param("start", start.status());
  auto end = parse_time_param(form, "end", kMaxTimeMs);
  if (!end.ok()) return invalid_param("end", end.status());
  std::vector<tsdb::Matchers> sets;
  for (const std::string& m : matches) {
    auto ms = promql::parser::parse_metric_selector(m, promql::parser::options_for(ctx.engine->options()));
    if (!ms.ok()) return invalid_param("match[]", ms.status());
    sets.push_back(std::move(*ms));
  }
  for (const auto& ms : sets) {
    if (auto s = ctx.admin->delete_series(ms, *start, *end); !s.ok()) {
      ApiResult r;
      r.error = {ErrorType::kInternal, std::string(s.message())};
      return r;
    }
  }
  return ApiResult{};
}

ApiResult handle_clean_tombstones(ApiContext& ctx) {
  if (!ctx.enable_admin_api) return disabled();
  if (auto s = ctx.admin->clean_tombstones(); !s.ok()) {
    ApiResult r;
    r.error = {ErrorType::kInternal, std::string(s.message())};
    return r;
  }
  return ApiResult{};
}

}  // namespace strata::api
