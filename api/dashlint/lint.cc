#include "api/dashlint/lint.h"

#include <algorithm>
#include <set>

#include "base/duration.h"
#include "api/dashlint/datasource.h"
#include "api/dashlint/expr_checks.h"
#include "api/dashlint/interpolate.h"
#include "api/dashlint/variable_query.h"
#include "tsdb/labels/matcher.h"

namespace strata::dashlint {
namespace {

namespace parser = promql::parser;

// Grafana's relative time range start ("now-6h") as a duration; 6h (the
// default) for anything else.
int64_t range_of(const std::string& from) {
  constexpr int64_t kDefault = 6 * 3'600'000;
  if (!from.starts_with("now-")) return kDefault;
  std::string_view d = std::string_view(from).substr(4);
  d = d.substr(0, d.find('/'));  // "now-1d/d": rounding does not matter here
  auto ms = parse_duration(d);
  return ms.ok() && *ms > 0 ? *ms : kDefault;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
}

class DashboardLinter {
 public:
  DashboardLinter(const Dashboard& d, const std::string& file, const LintOptions& o)
      : d_(d), file_(file), o_(o), scope_(d), resolver_(d, o.datasource_uids),
        range_ms_(range_of(d.time_from)) {}

  std::vector<Finding> run() {
    for (const LoadProblem& p : d_.problems) {
      Finding f = base(Place::kDashboard);
      f.severity = Severity::kError;
      f.check = Check::kInvalidField;
      f.message = p.where + ": " + p.message;
      out_.push_back(std::move(f));
    }
    for (const Variable& v : d_.variables) variable(v);
    for (const Annotation& a : d_.annotations) annotation(a);
    for (const Panel& p : d_.panels) panel(p);
    return std::move(out_);
  }

 private:
  Finding base(Place place) const {
    Finding f;
    f.file = file_;
    f.place = place;
    return f;
  }

  Finding at_target(const Panel& p, const Target& t, int index) const {
    Finding f = base(Place::kTarget);
    f.panel_title = p.title;
    f.panel_id = p.id;
    f.has_panel_id = p.has_id;
    f.ref_id = t.ref_id;
    f.target_index = index;
    return f;
  }

  Finding named(Place place, const std::string& name) const {
    Finding f = base(place);
    f.name = name;
    return f;
  }

  void add(Finding f, Severity s, Check c, std::string msg, const std::string& expr = "",
           const std::string& expanded = "") {
    f.severity = s;
    f.check = c;
    f.message = std::move(msg);
    f.expr = expr;
    if (expanded != expr) f.expanded = expanded;
    out_.push_back(std::move(f));
  }

  // The datasource `ref` resolves to; an unresolved one is reported at
  // `where` (a literal uid, a warning, once per dashboard).
  DatasourceKind datasource(const DatasourceRef& ref, const Finding& where) {
    ResolvedDatasource r = resolver_.resolve(ref);
    if (r.unresolved &&
        (r.severity == Severity::kError || reported_datasources_.insert(ref.uid).second))
      add(where, r.severity, Check::kDatasource, r.problem);
    return r.kind;
  }

  // Warnings about the substitution itself.
  void substitution_issues(const Interpolated& in, const std::string& src, const Finding& where) {
    for (const auto& [pos, name] : in.unknown) {
      // $1 is label_replace's replacement syntax, not a variable.
      if (all_digits(name)) continue;
      add(where, Severity::kWarning, Check::kUnknownVariable,
          "$" + name + " is neither a dashboard variable nor a Grafana built-in; Grafana leaves it "
          "as written",
          src, in.text);
    }
    for (const Reference& r : in.refs)
      if (r.unknown_format)
        add(where, Severity::kWarning, Check::kUnknownFormat,
            src.substr(r.in_start, r.in_end - r.in_start) +
                ": unknown variable format; Grafana falls back to glob",
            src, in.text);
    for (const ExprIssue& i : check_multi_value_equality(in))
      add(where, i.severity, i.check, i.message, src, in.text);
  }

  void server_checks(const std::vector<std::string>& names, const std::vector<CounterUse>& uses,
                     const std::string& src, const Interpolated& in, const Finding& where) {
    if (!o_.server) return;
    for (const std::string& n : names)
      if (!o_.server->metric_names.count(n))
        add(where, Severity::kWarning, Check::kMissingMetric,
            "no series of metric \"" + n + "\" on " + o_.server->url, src, in.text);
    for (const CounterUse& u : uses) {
      auto t = o_.server->metric_types.find(u.metric);
      if (t != o_.server->metric_types.end() && t->second == "gauge")
        add(where, Severity::kWarning, Check::kRateOnGauge,
            u.function + "(" + u.metric + "[...]): the metadata of \"" + u.metric +
                "\" says gauge, and " + u.function +
                " is for counters (use deriv() or delta(), or the *_over_time functions)",
            src, in.text);
    }
  }

  // Parses in.text[start, end) as PromQL and runs every check on it.
  void promql(const std::string& src, const Interpolated& in, int start, int end,
              const Finding& where, int64_t scrape_ms) {
    std::string_view text = std::string_view(in.text).substr(start, end - start);
    auto r = parser::parse_expr_detailed(text, o_.parse);
    if (auto* err = std::get_if<parser::ParseError>(&r)) {
      syntax_error(*err, start, src, in, where);
      return;
    }
    const parser::Expr& e = *std::get<parser::ExprPtr>(r);
    for (const ExprIssue& i : check_expr(e, in, start, scrape_ms))
      add(where, i.severity, i.check, i.message, src, in.text);
    server_checks(metric_names(e), counter_uses(e), src, in, where);
  }

  // Prometheus' message, placed in the text as written.
  void syntax_error(const parser::ParseError& err, int start, const std::string& src,
                    const Interpolated& in, const Finding& where) {
    int pos = in.source_pos(start + err.pos);
    add(where, Severity::kError, Check::kPromqlSyntax,
        parser::format_parse_error(src, pos, err.message), src, in.text);
  }

  void target(const Panel& p, const Target& t, int index, DatasourceKind panel_kind) {
    Finding where = at_target(p, t, index);
    DatasourceKind kind = panel_kind;
    // A target's own datasource wins (Mixed panels need one per target).
    if (t.datasource.present) kind = datasource(t.datasource, where);
    else if (panel_kind == DatasourceKind::kMixed) kind = DatasourceKind::kPrometheus;
    if (kind != DatasourceKind::kPrometheus) return;
    if (!t.has_expr || blank(t.expr)) {
      if (!t.hide)
        add(where, Severity::kWarning, Check::kEmptyExpr, "the target has no expression", t.expr);
      return;
    }
    int64_t min_interval = 0;
    if (!p.min_interval.empty()) {
      Interpolated mi = interpolate(p.min_interval, scope_, sample_times(o_.scrape_interval_ms, range_ms_, 0));
      std::string_view s = mi.text;
      if (s.starts_with(">")) s.remove_prefix(1);
      if (auto ms = parse_duration(s); ms.ok()) min_interval = *ms;
    }
    SampleTimes times = sample_times(o_.scrape_interval_ms, range_ms_, min_interval);
    Interpolated in = interpolate(t.expr, scope_, times);
    substitution_issues(in, t.expr, where);
    promql(t.expr, in, 0, int(in.text.size()), where, o_.scrape_interval_ms);
  }

  void panel(const Panel& p) {
    Finding where = base(Place::kPanel);
    where.panel_title = p.title;
    where.panel_id = p.id;
    where.has_panel_id = p.has_id;
    DatasourceKind kind = datasource(p.datasource, where);
    std::set<std::string> ref_ids;
    for (size_t i = 0; i < p.targets.size(); ++i) {
      const Target& t = p.targets[i];
      if (!t.ref_id.empty() && !ref_ids.insert(t.ref_id).second)
        add(at_target(p, t, int(i)), Severity::kWarning, Check::kDuplicateRefId,
            "refId " + t.ref_id + " is used by another target of the panel; Grafana keeps one "
            "result per refId",
            t.expr);
      target(p, t, int(i), kind);
    }
  }

  void annotation(const Annotation& a) {
    Finding where = named(Place::kAnnotation, a.name);
    if (datasource(a.datasource, where) != DatasourceKind::kPrometheus) return;
    if (!a.has_expr || blank(a.expr)) return;  // built-in and non-query annotations
    SampleTimes times = sample_times(o_.scrape_interval_ms, range_ms_, 0);
    Interpolated in = interpolate(a.expr, scope_, times);
    substitution_issues(in, a.expr, where);
    promql(a.expr, in, 0, int(in.text.size()), where, o_.scrape_interval_ms);
  }

  void variable(const Variable& v) {
    if (v.type != VariableType::kQuery) return;
    Finding where = named(Place::kVariable, v.name);
    if (datasource(v.datasource, where) != DatasourceKind::kPrometheus) return;
    if (blank(v.query)) return;
    SampleTimes times = sample_times(o_.scrape_interval_ms, range_ms_, 0);
    Interpolated in = interpolate(v.query, scope_, times);
    substitution_issues(in, v.query, where);
    VariableQuery q = parse_variable_query(in.text);
    if (q.arg_start >= q.arg_end) return;
    std::string_view arg = std::string_view(in.text).substr(q.arg_start, q.arg_end - q.arg_start);
    switch (q.kind) {
      case VariableQueryKind::kQueryResult:
        promql(v.query, in, q.arg_start, q.arg_end, where, o_.scrape_interval_ms);
        return;
      case VariableQueryKind::kMetrics: {
        auto m = tsdb::Matcher::make(tsdb::MatchType::kRegexMatch, "__name__", std::string(arg));
        if (!m.ok())
          add(where, Severity::kWarning, Check::kInvalidRegex,
              "metrics(): " + std::string(m.status().message()), v.query, in.text);
        return;
      }
      case VariableQueryKind::kLabelNames:
      case VariableQueryKind::kLabelValues:
      case VariableQueryKind::kSeries: {
        auto r = parser::parse_metric_selector_detailed(arg, o_.parse);
        if (auto* err = std::get_if<parser::ParseError>(&r)) {
          syntax_error(*err, q.arg_start, v.query, in, where);
          return;
        }
        std::vector<std::string> names;
        for (const auto& m : std::get<tsdb::Matchers>(r))
          if (m.name() == "__name__" && m.type() == tsdb::MatchType::kEqual) names.push_back(m.value());
        server_checks(names, {}, v.query, in, where);
        return;
      }
    }
  }

  const Dashboard& d_;
  const std::string& file_;
  const LintOptions& o_;
  VariableScope scope_;
  DatasourceResolver resolver_;
  int64_t range_ms_;
  std::set<std::string> reported_datasources_;
  std::vector<Finding> out_;
};

}  // namespace

std::vector<Finding> lint_dashboard(const Dashboard& d, const std::string& file,
                                    const LintOptions& opts) {
  return DashboardLinter(d, file, opts).run();
}

}  // namespace strata::dashlint
