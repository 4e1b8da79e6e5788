#include "api/api.h"

#include <cctype>
#include <memory>

#include "api/handlers.h"
#include "api/remote/otlp_handler.h"
#include "api/remote/read_handler.h"
#include "api/remote/write_handler.h"
#include "remote/codec.h"
#include "remote/read_codec.h"
#include "re2/re2.h"

namespace strata::api {
namespace {

using FormHandler = std::function<ApiResult(const HttpRequest&, const Form&)>;

// Prometheus' CORS answer: only for requests that carry an Origin header;
// the default origin regex ".*" allows every origin as "*".
class Cors {
 public:
  explicit Cors(const std::string& origin)
      : any_(origin == ".*"), re_(std::make_shared<RE2>("^(?:" + origin + ")$", RE2::Quiet)) {}

  void apply(const HttpRequest& req, HttpResponse& resp) const {
    std::string_view origin = req.header("origin");
    if (origin.empty()) return;
    resp.set_header("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
    resp.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    resp.set_header("Access-Control-Expose-Headers", "Date");
    resp.set_header("Vary", "Origin");
    if (any_) {
      resp.set_header("Access-Control-Allow-Origin", "*");
    } else if (re_->ok() && RE2::FullMatch(origin, *re_)) {
      resp.set_header("Access-Control-Allow-Origin", std::string(origin));
    }
  }

 private:
  bool any_;
  std::shared_ptr<const RE2> re_;
};

}  // namespace

void register_api_routes(Router& router, ApiContext& ctx) {
  Cors cors(ctx.cors_origin);
  // Preflight requests to any API path: 204 with the CORS headers.
  router.add_options("/api/v1/", [cors](const HttpRequest& req, HttpResponse& resp) {
    cors.apply(req, resp);
    resp.status = 204;
    resp.content_type.clear();
    resp.body.clear();
  });
  // Every API answer but remote write's carries them too.
  auto wrap = [cors](FormHandler h) -> Handler {
    return [cors, h = std::move(h)](const HttpRequest& req, HttpResponse& resp) {
      cors.apply(req, resp);
      write_result(h(req, Form::parse(req)), resp);
    };
  };
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
  router.add(get, "/api/v1/targets",
             wrap([c](const HttpRequest&, const Form& f) { return handle_targets(*c, f); }));
  router.add(get, "/api/v1/targets/metadata",
             wrap([c](const HttpRequest&, const Form& f) { return handle_targets_metadata(*c, f); }));
  router.add(get, "/api/v1/scrape_pools",
             wrap([c](const HttpRequest&, const Form&) { return handle_scrape_pools(*c); }));
  router.add(get, "/api/v1/status/tsdb",
             wrap([c](const HttpRequest&, const Form& f) { return handle_tsdb_status(*c, f); }));
  // Admin: deletions answer 204 like Prometheus.
  auto no_content = [cors](FormHandler h) -> Handler {
    return [cors, h = std::move(h)](const HttpRequest& req, HttpResponse& resp) {
      cors.apply(req, resp);
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
  auto writer = std::make_shared<remote::WriteHandler>(*ctx.appendable, *ctx.registry, wo);
  router.add({"POST"}, "/api/v1/write",
             [writer](const HttpRequest& req, HttpResponse& resp) { writer->handle(req, resp); });
  // A snappy body is never much larger than what it decodes to, so the
  // decoder's caps bound the compressed bodies too.
  router.set_body_limit("/api/v1/write", strata::remote::kDefaultMaxDecodedBytes);
  remote::ReadHandlerOptions ro;
  ro.sample_limit = ctx.remote_read_sample_limit;
  ro.concurrent_limit = ctx.remote_read_concurrent_limit;
  ro.max_bytes_in_frame = size_t(ctx.remote_read_max_bytes_in_frame);
  ro.regex.dot_matches_newline = ctx.engine->options().compat == promql::Compat::kV3;
  if (ctx.external_labels) ro.external_labels = [e = ctx.external_labels] { return e->get(); };
  auto reader = std::make_shared<remote::ReadHandler>(*ctx.queryable, *ctx.registry, ro);
  router.add({"POST"}, "/api/v1/read",
             [reader](const HttpRequest& req, HttpResponse& resp) { reader->handle(req, resp); });
  router.set_body_limit("/api/v1/read", strata::remote::kMaxReadRequestBytes);
  // OTLP/HTTP metrics: absent unless enabled, as in Prometheus 3.
  if (ctx.enable_otlp_receiver) {
    remote::OtlpHandlerOptions oo;
    oo.ingest.ingest.utf8_names = wo.ingest.utf8_names;
    if (ctx.otlp_config) oo.config = [s = ctx.otlp_config] { return s->get(); };
    auto otlp = std::make_shared<remote::OtlpHandler>(*ctx.appendable, *ctx.registry, oo);
    // With CORS headers: browser apps export OTLP too (after a preflight).
    router.add({"POST"}, "/api/v1/otlp/v1/metrics",
               [otlp, cors](const HttpRequest& req, HttpResponse& resp) {
                 otlp->handle(req, resp);
                 cors.apply(req, resp);
               });
    router.set_body_limit("/api/v1/otlp/v1/metrics", oo.max_decoded_bytes);
  }
  metrics::Counter* fed_errors = &ctx.registry->counter(
      "strata_web_federation_errors_total", "Total number of errors that occurred while sending federation responses.");
  router.add(get, "/federate", [c, fed_errors](const HttpRequest& req, HttpResponse& resp) {
    handle_federate(*c, *fed_errors, req, resp);
  });
  router.add(get, "/api/v1/rules",
             wrap([c](const HttpRequest&, const Form& f) { return handle_rules(*c, f); }));
  router.add(get, "/api/v1/alerts",
             wrap([c](const HttpRequest&, const Form&) { return handle_alerts(*c); }));
  router.add(get, "/api/v1/alertmanagers",
             wrap([c](const HttpRequest&, const Form&) { return handle_alertmanagers(*c); }));
  router.add(get, "/api/v1/strata/dashboards",
             wrap([c](const HttpRequest&, const Form&) { return handle_dashboards(*c); }));
  router.add_prefix(get, "/api/v1/strata/dashboards/",
                    wrap([c](const HttpRequest& req, const Form&) {
                      return handle_dashboard(
                          *c, req.path.substr(std::string_view("/api/v1/strata/dashboards/").size()));
                    }));
  router.add({"POST"}, "/api/v1/strata/lint/dashboard",
             wrap([c](const HttpRequest& req, const Form& f) {
               return handle_lint_dashboard(*c, req, f);
             }));
}

}  // namespace strata::api
