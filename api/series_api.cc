// /api/v1/series, /labels, /label/<name>/values, /metadata.
#include <algorithm>
#include <charconv>
#include <set>

#include "api/handlers.h"
#include "api/value_json.h"
#include "promql/parser/parser.h"

namespace strata::api {
namespace {

constexpr const char* kTruncated = "results truncated due to limit";

// Parses every match[] into matcher sets.
absl::StatusOr<std::vector<tsdb::Matchers>> parse_matches(ApiContext& ctx, const Form& form) {
  std::vector<tsdb::Matchers> sets;
  for (const std::string& m : form.values("match[]")) {
    auto ms = promql::parser::parse_metric_selector(m, promql::parser::options_for(ctx.engine->options()));
    if (!ms.ok()) return ms.status();
    // A set whose every matcher matches "" would select every series.
    if (std::all_of(ms->begin(), ms->end(), [](const tsdb::Matcher& m) { return m.matches_empty(); }))
      return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    sets.push_back(std::move(*ms));
  }
  return sets;
}

struct Range {
  int64_t start, end;
};

absl::StatusOr<Range> parse_range(const Form& form, ApiResult* err) {
  auto start = parse_time_param(form, "start", kMinTimeMs);
  if (!start.ok()) {
    *err = invalid_param("start", start.status());
    return start.status();
  }
  auto end = parse_time_param(form, "end", kMaxTimeMs);
  if (!end.ok()) {
    *err = invalid_param("end", end.status());
    return end.status();
  }
  return Range{*start, *end};
}

ApiResult string_list(std::vector<std::string> items, size_t limit) {
  ApiResult r;
  if (limit > 0 && items.size() > limit) {
    items.resize(limit);
    r.warnings.push_back(kTruncated);
  }
  auto shared = std::make_shared<std::vector<std::string>>(std::move(items));
  r.data = [shared](JsonWriter& w) {
    w.begin_array();
    for (const auto& s : *shared) w.string(s);
    w.end_array();
  };
  return r;
}

// Label names in URLs may use the U__ escaping for UTF-8 names: `_` doubled,
// other characters as `_<hex code point>_`. Invalid escapes keep the input.
std::string unescape_label_name(const std::string& s) {
  if (s.rfind("U__", 0) != 0) return s;
  std::string out;
  std::string_view body(s);
  body.remove_prefix(3);
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '_') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < body.size() && body[i + 1] == '_') {
      out.push_back('_');
      ++i;
      continue;
    }
    size_t end = body.find('_', i + 1);
    if (end == std::string_view::npos) return s;
    uint32_t cp = 0;
    auto r = std::from_chars(body.data() + i + 1, body.data() + end, cp, 16);
    if (r.ec != std::errc() || r.ptr != body.data() + end || cp > 0x10ffff) return s;
    if (cp < 0x80) {
      out.push_back(char(cp));
    } else if (cp < 0x800) {
      out.push_back(char(0xc0 | (cp >> 6)));
      out.push_back(char(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(char(0xe0 | (cp >> 12)));
      out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(char(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(char(0xf0 | (cp >> 18)));
      out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(char(0x80 | (cp & 0x3f)));
    }
    i = end;
  }
  return out;
}

}  // namespace

absl::StatusOr<size_t> parse_limit(const Form& form) {
  std::string s = form.value("limit");
  if (s.empty()) return 0;
  long long v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    return absl::InvalidArgumentError("strconv.Atoi: parsing \"" + s + "\": invalid syntax");
  if (v < 0) return absl::InvalidArgumentError("limit must be non-negative");
  return size_t(v);
}

ApiResult handle_series(ApiContext& ctx, const Form& form) {
  if (form.values("match[]").empty()) return bad_data("no match[] parameter provided");
  ApiResult err;
  auto range = parse_range(form, &err);
  if (!range.ok()) return err;
  auto limit = parse_limit(form);
  if (!limit.ok()) return invalid_param("limit", limit.status());
  auto sets = parse_matches(ctx, form);
  if (!sets.ok()) return invalid_param("match[]", sets.status());
  auto q = ctx.queryable->querier(range->start, range->end);
  if (!q.ok()) return from_status(q.status());
  std::vector<tsdb::Labels> all;
  tsdb::SelectOptions opts{.start_ms = range->start, .end_ms = range->end, .func = "series"};
  for (const auto& ms : *sets) {
    std::unique_ptr<tsdb::SeriesSet> set = (*q)->select(opts, ms);
    while (set->next()) all.push_back(std::move(set->at().mutable_labels()));
    if (!set->status().ok()) return from_status(set->status());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  ApiResult r;
  if (*limit > 0 && all.size() > *limit) {
    all.resize(*limit);
    r.warnings.push_back(kTruncated);
  }
  auto shared = std::make_shared<std::vector<tsdb::Labels>>(std::move(all));
  r.data = [shared](JsonWriter& w) {
    w.begin_array();
    for (const auto& l : *shared) write_labels(w, l);
    w.end_array();
  };
  return r;
}

// /labels and /label/<name>/values: the union over every match[] set (or
// over everything without one) of what `lookup` lists, sorted, cut at limit.
template <typename Lookup>
ApiResult union_of_lookups(ApiContext& ctx, const Form& form, Lookup lookup) {
  ApiResult err;
  auto range = parse_range(form, &err);
  if (!range.ok()) return err;
  auto limit = parse_limit(form);
  if (!limit.ok()) return invalid_param("limit", limit.status());
  auto sets = parse_matches(ctx, form);
  if (!sets.ok()) return bad_data(std::string(sets.status().message()));
  auto q = ctx.queryable->querier(range->start, range->end);
  if (!q.ok()) return from_status(q.status());
  std::set<std::string> found;
  if (sets->empty()) sets->push_back({});
  for (const auto& ms : *sets) {
    auto res = lookup(**q, ms);
    if (!res.ok()) return from_status(res.status());
    found.insert(res->begin(), res->end());
  }
  return string_list({found.begin(), found.end()}, *limit);
}

ApiResult handle_labels(ApiContext& ctx, const Form& form) {
  return union_of_lookups(ctx, form, [](auto& q, const tsdb::Matchers& ms) { return q.label_names(ms); });
}

ApiResult handle_label_values(ApiContext& ctx, const std::string& escaped_name, const Form& form) {
  std::string name = unescape_label_name(escaped_name);
  bool v2 = ctx.engine->options().compat == promql::Compat::kV2;
  if (v2 ? !tsdb::is_valid_label_name(name) : (name.empty() || !tsdb::is_valid_utf8(name)))
    return bad_data("invalid label name: " + tsdb::go_quote(name));
  return union_of_lookups(ctx, form, [&name](auto& q, const tsdb::Matchers& ms) {
    return q.label_values(name, ms);
  });
}

ApiResult handle_metadata(ApiContext& ctx, const Form& form) {
  // Prometheus: limit < 0 (default) = all, limit 0 = nothing.
  auto parse = [&](const char* key, long long* out) {
    std::string s = form.value(key);
    if (s.empty()) return true;
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  long long limit = -1, per_metric = -1;
  if (!parse("limit", &limit)) return bad_data("limit must be a number");
  if (!parse("limit_per_metric", &per_metric)) return bad_data("limit_per_metric must be a number");
  auto md = std::make_shared<std::vector<std::pair<std::string, std::vector<tsdb::MetricMetadata>>>>();
  if (limit != 0 && per_metric != 0) {
    *md = ctx.metadata->metadata(form.value("metric"), limit > 0 ? size_t(limit) : 0,
                           per_metric > 0 ? size_t(per_metric) : 0);
  }
  ApiResult r;
  r.data = [md](JsonWriter& w) {
    w.begin_object();
    for (const auto& [name, entries] : *md) {
      w.key(name);
      w.begin_array();
      for (const auto& e : entries) {
        w.begin_object();
        w.key("type");
        w.string(e.type);
        w.key("help");
        w.string(e.help);
        w.key("unit");
        w.string(e.unit);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  };
  return r;
}

}  // namespace strata::api
