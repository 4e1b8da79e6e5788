#include "api/api.h"

#include "api/handlers.h"
#include "api/remote/write_handler.h"

namespace strata::api {
namespace {

using FormHandler = std::function<ApiResult(const HttpRequest&, const Form&)>;

Handler wrap(FormHandler h) {
  return [h = std::move(h)](const HttpRequest& req, HttpResponse& resp) {
    Form form = Form::parse(req);
    write_result(h(req, form), resp);
  };
}

ApiResult empty_object_with_list(const char* key) {
  ApiResult r;
  r.data = [key](JsonWriter& w) {
    w.begin_object();
    w.key(key);
    w.begin_array();
    w.end_array();
    w.end_object();
  };
  return r;
}

}  // namespace

void register_api_routes(Router& router, ApiContext& ctx) {
  const std::vector<std::string> get_post = {"GET", "POST"};
  const std::vector<std::string> get = {"GET"};
  ApiContext* c = &ctx;
  router.add(get_post, "/api/v1/query",
             wrap([c](const HttpRequest& req, const Form& f) { return handle_query(*c, req, f); }));
  router.add(get_post, "/api/v1/query_range", wrap([c](const HttpRequest& req, const Form& f) {
               return handle_query_range(*c, req, f);
             }));
  router.add(get_post, "/api/v1/query_exemplars",
             wrap([c](const HttpRequest&, const Form& f) { return handle_query_exemplars(*c, f); }));
  router.add(get_post, "/api/v1/format_query",
             wrap([c](const HttpRequest&, const Form& f) { return handle_format_query(*c, f); }));
  router.add(get_post, "/api/v1/series",
             wrap([c](const HttpRequest&, const Form& f) { return handle_series(*c, f); }));
  router.add(get_post, "/api/v1/labels",
             wrap([c](const HttpRequest&, const Form& f) { return handle_labels(*c, f); }));
  router.add_prefix(
      get, "/api/v1/label/",
      wrap([c](const HttpRequest& req, const Form& f) {
        // /api/v1/label/<name>/values
        std::string_view rest = std::string_view(req.path).substr(std::string_view("/api/v1/label/").size());
        size_t slash = rest.find('/');
        if (slash == std::string_view::npos || rest.substr(slash) != "/values") {
          ApiResult r;
          r.error = {ErrorType::kNotFound, "unknown path " + req.path};
          return r;
        }
        return handle_label_values(*c, std::string(rest.substr(0, slash)), f);
      }),
      "/api/v1/label/:name/values");
  router.add(get, "/api/v1/metadata",
             wrap([c](const HttpRequest&, const Form& f) { return handle_metadata(*c, f); }));
  router.add(get, "/api/v1/status/buildinfo",
             wrap([c](const HttpRequest&, const Form&) { return handle_buildinfo(*c); }));
  router.add(get, "/api/v1/status/runtimeinfo",
             wrap([c](const HttpRequest&, const Form&) { return handle_runtimeinfo(*c); }));
  router.add(get, "/api/v1/status/flags",
             wrap([c](const HttpRequest&, const Form&) { return handle_flags(*c); }));
  router.add(get, "/api/v1/status/config",
             wrap([c](const HttpRequest&, const Form&) { return handle_config(*c); }));
  router.add(get, "/api/v1/status/tsdb",
             wrap([c](const HttpRequest&, const Form& f) { return handle_tsdb_status(*c, f); }));
  // Admin: deletions answer 204 like Prometheus.
  auto no_content = [](FormHandler h) -> Handler {
    return [h = std::move(h)](const HttpRequest& req, HttpResponse& resp) {
      ApiResult r = h(req, Form::parse(req));
      if (r.error.type == ErrorType::kNone) {
        resp.status = 204;
        resp.content_type.clear();
        resp.body.clear();
        return;
      }
      write_result(r, resp);
    };
  };
  router.add({"POST", "PUT"}, "/api/v1/admin/tsdb/snapshot",
             wrap([c](const HttpRequest&, const Form& f) { return handle_snapshot(*c, f); }));
  router.add({"POST", "PUT"}, "/api/v1/admin/tsdb/delete_series",
             no_content([c](const HttpRequest&, const Form& f) { return handle_delete_series(*c, f); }));
  router.add({"POST", "PUT"}, "/api/v1/admin/tsdb/clean_tombstones",
             no_content([c](const HttpRequest&, const Form&) { return handle_clean_tombstones(*c); }));
  // Remote write 1.0 receiver; always on (Prometheus needs
  // --web.enable-remote-write-receiver, which Strata accepts and ignores).
  remote::WriteHandlerOptions wo;
  wo.ingest.utf8_names = ctx.engine->options().compat == promql::Compat::kV3;
  auto writer = std::make_shared<remote::WriteHandler>(*ctx.db, *ctx.registry, wo);
  router.add({"POST"}, "/api/v1/write",
             [writer](const HttpRequest& req, HttpResponse& resp) { writer->handle(req, resp); });
  // No rule files or scrape targets are evaluated yet: the true answer is
  // "none", which is also what Grafana needs to enable its alerting views.
  router.add(get, "/api/v1/rules",
             wrap([](const HttpRequest&, const Form&) { return empty_object_with_list("groups"); }));
  router.add(get, "/api/v1/alerts",
             wrap([](const HttpRequest&, const Form&) { return empty_object_with_list("alerts"); }));
}

}  // namespace strata::api
