// /api/v1/query, /query_range, /query_exemplars, /format_query.
#include <cmath>

#include "api/handlers.h"
#include "api/value_json.h"
#include "base/clock.h"
#include "base/float_format.h"
#include "promql/parser/ast.h"
#include "promql/parser/parser.h"
#include "promql/parser/printer.h"

namespace strata::api {
namespace {

// Prometheus' exemplar JSON: [{"seriesLabels":{...},"exemplars":[{"labels":
// {...},"value":"<float>","timestamp":<seconds>}]}].
void write_exemplars(JsonWriter& w, const std::vector<tsdb::ExemplarSeries>& res) {
  std::string value;
  w.begin_array();
  for (const tsdb::ExemplarSeries& s : res) {
    w.begin_object();
    w.key("seriesLabels");
    write_labels(w, s.series_labels);
    w.key("exemplars");
    w.begin_array();
    for (const tsdb::Exemplar& e : s.exemplars) {
      w.begin_object();
      w.key("labels");
      write_labels(w, e.labels);
      w.key("value");
      value.assign(1, '"');
      append_float_json(&value, e.value);
      value.push_back('"');
      w.raw(value);
      w.key("timestamp");
      w.timestamp(e.t_ms);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

// Reads `timeout` and `lookback_delta` into engine query parameters.
absl::Status read_query_params(const HttpRequest& req, const Form& form, promql::QueryParams* p,
                               ApiResult* err) {
  if (std::string to = form.value("timeout"); !to.empty()) {
    auto d = parse_duration_ms(to);
    if (!d.ok()) {
      *err = invalid_param("timeout", d.status());
      return d.status();
    }
    p->timeout_s = double(*d) / 1000;
  }
  if (std::string lb = form.value("lookback_delta"); !lb.empty()) {
    auto d = parse_duration_ms(lb);
    if (!d.ok()) {
      *err = invalid_param("lookback_delta", d.status());
      return d.status();
    }
    p->lookback_delta_ms = *d;
  }
  p->cancelled = req.cancelled;
  return absl::OkStatus();
}

// `query_prefix`: parse and type errors are the caller's bad "query"
// parameter. Prometheus 2.x reported them without that prefix for range queries.
ApiResult result_of(absl::StatusOr<promql::QueryResult> r, bool query_prefix = true) {
  if (!r.ok()) {
    if (r.status().code() == absl::StatusCode::kInvalidArgument)
      return query_prefix ? invalid_param("query", r.status()) : from_status(r.status());
    return from_status(r.status());
  }
  ApiResult out;
  auto value = std::make_shared<promql::Value>(std::move(r->value));
  // The query's slot is kept until the answer is rendered: rendering
  // doubles the memory of a big result, and must stay within
  // --query.max-concurrency too.
  out.data = [value, slot = std::move(r->slot)](JsonWriter& w) { write_query_data(w, *value); };
  out.warnings = std::move(r->warnings);
  out.infos = std::move(r->infos);
  return out;
}

}  // namespace

absl::StatusOr<int64_t> parse_time_param(const Form& form, const char* name, int64_t def) {
  if (!form.has(name)) return def;
  std::string v = form.value(name);
  if (v.empty()) return def;
  auto t = parse_time_ms(v);
  if (!t.ok())
    return absl::InvalidArgumentError(std::string("Invalid time value for '") + name +
                                      "': " + std::string(t.status().message()));
  return t;
}

ApiResult handle_query(ApiContext& ctx, const HttpRequest& req, const Form& form) {
  auto t = parse_time_param(form, "time", now_ms());
  if (!t.ok()) return invalid_param("time", t.status());
  promql::QueryParams params;
  ApiResult err;
  if (!read_query_params(req, form, &params, &err).ok()) return err;
  return result_of(ctx.engine->instant(*ctx.queryable, form.value("query"), *t, params));
}

ApiResult handle_query_range(ApiContext& ctx, const HttpRequest& req, const Form& form) {
  auto start = parse_time_ms(form.value("start"));
  if (!start.ok()) return invalid_param("start", start.status());
  auto end = parse_time_ms(form.value("end"));
  if (!end.ok()) return invalid_param("end", end.status());
  if (*end < *start)
    return invalid_param("end", absl::InvalidArgumentError("end timestamp must not be before start time"));
  auto step = parse_duration_ms(form.value("step"));
  if (!step.ok()) return invalid_param("step", step.status());
  if (*step <= 0)
    return invalid_param("step", absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive integer"));
  // For safety, limit the number of returned points per timeseries.
  if ((*end - *start) / *step > 11000)
    return bad_data(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution (?step=XX)");
  promql::QueryParams params;
  ApiResult err;
  if (!read_query_params(req, form, &params, &err).ok()) return err;
  bool v2 = ctx.engine->options().compat == promql::Compat::kV2;
  return result_of(ctx.engine->range(*ctx.queryable, form.value("query"), *start, *end, *step, params), !v2);
}

ApiResult handle_query_exemplars(ApiContext& ctx, const Form& form) {
  auto start = parse_time_param(form, "start", kMinTimeMs);
  if (!start.ok()) return invalid_param("start", start.status());
  auto end = parse_time_param(form, "end", kMaxTimeMs);
  if (!end.ok()) return invalid_param("end", end.status());
  if (*end < *start) return bad_data("end timestamp must not be before start timestamp");
  auto expr = promql::parser::parse_expr(form.value("query"), promql::parser::options_for(ctx.engine->options()));
  // Prometheus answers this one parse error without the parameter's name.
  if (!expr.ok()) return bad_data(std::string(expr.status().message()));
  // As Prometheus' parser.ExtractSelectors: the matchers of every vector
  // selector (range selectors included); a series matching any set counts.
  std::vector<tsdb::Matchers> selectors;
  promql::parser::walk(**expr, [&](const promql::parser::Expr& e) {
    if (const auto* vs = e.dyn<promql::parser::VectorSelector>()) selectors.push_back(vs->matchers);
  });
  ApiResult r;
  // No selector (e.g. `1`): Prometheus answers without a data field.
  if (selectors.empty()) return r;
  auto res = std::make_shared<std::vector<tsdb::ExemplarSeries>>(
      ctx.exemplars->select_exemplars(*start, *end, selectors));
  r.data = [res](JsonWriter& w) { write_exemplars(w, *res); };
  return r;
}

ApiResult handle_format_query(ApiContext& ctx, const Form& form) {
  auto expr = promql::parser::parse_expr(form.value("query"), promql::parser::options_for(ctx.engine->options()));
  if (!expr.ok()) return invalid_param("query", expr.status());
  auto text = std::make_shared<std::string>(promql::parser::pretty(**expr, ctx.engine->options().compat));
  ApiResult r;
  r.data = [text](JsonWriter& w) { w.string(*text); };
  return r;
}

}  // namespace strata::api
