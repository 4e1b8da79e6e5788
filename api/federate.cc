// GET /federate: the newest sample of every series matching one of the
// match[] selectors, in the text format 0.0.4, as Prometheus' web/federate.go
// answers (checked against Prometheus 2.42 by tests/integration/federate_test):
//   - the window is [now - lookback delta, now]; a series whose newest sample
//     there is a staleness marker is left out (the format cannot carry one);
//   - series matched by several selectors appear once;
//   - families by metric name, each headed "# TYPE <name> untyped", no HELP;
//   - after the series' own labels (sorted, empty values dropped) come the
//     external labels the series lacks, sorted by name; `instance` is always
//     among them, as "" when not configured, so federated series never take
//     the federating server's instance;
//   - every sample carries its timestamp in milliseconds;
//   - no match[] at all: an empty 200; a selector that does not parse: 400
//     with the parser's message as plain text.
//   - Strata's own bound (Prometheus has none): more series than
//     --query.max-samples (one sample each, counted before each is held,
//     duplicates included) is a 422 `federation would load too many samples
//     into memory (--query.max-samples=N); narrow the match[] selectors`,
//     so one request cannot hold every series of the head at once.
// Names that are not legacy names (possible with UTF-8 names in Prometheus 3
// mode) are written with underscore escaping, the exposition default.
#include <algorithm>
#include <cstring>

#include "api/handlers.h"
#include "base/clock.h"
#include "base/float_format.h"
#include "base/log.h"
#include "promql/parser/parser.h"

namespace strata::api {
namespace {

struct Latest {
  tsdb::Labels labels;
  int64_t t;
  double v;
};

bool legacy_char(unsigned char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (c >= '0' && c <= '9' && !first);
}

// Underscore escaping: a name that is not a legacy name gets '_' for each
// character (UTF-8 sequence) that may not appear there.
void append_name(std::string* out, std::string_view name) {
  bool legacy = !name.empty();
  for (size_t i = 0; i < name.size() && legacy; ++i) legacy = legacy_char(name[i], i == 0);
  if (legacy) {
    out->append(name);
    return;
  }
  size_t runes = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    if ((c & 0xC0) == 0x80) continue;  // continuation byte of the rune before
    out->push_back(legacy_char(c, runes == 0) ? char(c) : '_');
    ++runes;
  }
}

void append_label(std::string* out, bool* first, std::string_view name, std::string_view value) {
  out->push_back(*first ? '{' : ',');
  *first = false;
  append_name(out, name);
  out->append("=\"");
  metrics::append_exposition_escaped(out, value, false);
  out->push_back('"');
}

// The newest sample of `s` (t <= maxt_ms), unless it is a staleness marker.
bool newest_sample(const tsdb::Series& s, int64_t* t, double* v, absl::Status* err) {
  tsdb::SampleIterator it = s.iterator();
  bool any = false;
  while (it.next()) {
    any = true;
    *t = it.t();
    *v = it.v();
  }
  *err = it.status();
  if (!any || !err->ok()) return false;
  uint64_t bits;
  std::memcpy(&bits, v, sizeof bits);
  return bits != tsdb::kStaleNaNBits;
}

}  // namespace

void handle_federate(ApiContext& ctx, metrics::Counter& errors, const HttpRequest& req,
                     HttpResponse& resp) {
  Form form = Form::parse(req);
  std::vector<tsdb::Matchers> sets;
  for (const std::string& m : form.values("match[]")) {
    auto ms = promql::parser::parse_metric_selector(m, promql::parser::options_for(ctx.engine->options()));
    if (!ms.ok()) return resp.set_text_error(400, std::string(ms.status().message()));
    tsdb::require_non_empty(&*ms);
    sets.push_back(std::move(*ms));
  }
  const int64_t maxt = now_ms();
  const int64_t mint = maxt - ctx.engine->options().lookback_delta_ms;

  std::vector<Latest> vec;
  const int64_t max_samples = ctx.engine->options().max_samples;
  if (!sets.empty()) {
    auto q = ctx.queryable->querier(mint, maxt);
    absl::Status err = q.status();
    for (size_t i = 0; err.ok() && i < sets.size(); ++i) {
      tsdb::SelectOptions opts;
      opts.start_ms = mint;
      opts.end_ms = maxt;
      std::unique_ptr<tsdb::SeriesSet> set = (*q)->select(opts, sets[i]);
      while (set->next()) {
        if (req.cancelled && req.cancelled()) return resp.set_text_error(503, "client went away");
        tsdb::Series& s = set->at();
        Latest l;
        if (!newest_sample(s, &l.t, &l.v, &err)) {
          if (!err.ok()) break;
          continue;
        }
        if (s.labels().metric_name().empty()) continue;
        if (max_samples > 0 && int64_t(vec.size()) >= max_samples) {
          return resp.set_text_error(
              422, "federation would load too many samples into memory (--query.max-samples=" +
                       std::to_string(max_samples) + "); narrow the match[] selectors");
        }
        l.labels = std::move(s.mutable_labels());
        vec.push_back(std::move(l));
      }
      if (err.ok()) err = set->status();
    }
    if (!err.ok()) {
      errors.inc();
      log::error("web", "federation failed", {{"err", std::string(err.message())}});
      return resp.set_text_error(500, std::string(err.message()));
    }
  }
  std::sort(vec.begin(), vec.end(), [](const Latest& a, const Latest& b) {
    int c = a.labels.metric_name().compare(b.labels.metric_name());
    return c != 0 ? c < 0 : a.labels < b.labels;
  });
  vec.erase(std::unique(vec.begin(), vec.end(),
                        [](const Latest& a, const Latest& b) { return a.labels == b.labels; }),
            vec.end());

  // External labels sorted by name, with instance="" unless configured.
  std::vector<tsdb::Label> ext;
  if (ctx.external_labels) ext = ctx.external_labels->get()->items();
  if (std::none_of(ext.begin(), ext.end(), [](const tsdb::Label& l) { return l.name == "instance"; }))
    ext.push_back({"instance", ""});
  std::sort(ext.begin(), ext.end(), [](const tsdb::Label& a, const tsdb::Label& b) { return a.name < b.name; });

  resp.status = 200;
  resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
  std::string& out = resp.body;
  std::string_view family;
  for (const Latest& s : vec) {
    std::string_view name = s.labels.metric_name();
    if (name != family) {
      out.append("# TYPE ");
      append_name(&out, name);
      out.append(" untyped\n");
      family = name;
    }
    append_name(&out, name);
    bool first = true;
    for (const tsdb::Label& l : s.labels) {
      if (l.name == tsdb::kMetricName || l.value.empty()) continue;
      append_label(&out, &first, l.name, l.value);
    }
    for (const tsdb::Label& e : ext) {
      if (!s.labels.get(e.name).empty()) continue;
      append_label(&out, &first, e.name, e.value);
    }
    if (!first) out.push_back('}');
    out.push_back(' ');
    append_float_go_g(&out, s.v);
    out.push_back(' ');
    out.append(std::to_string(s.t));
    out.push_back('\n');
  }
}

}  // namespace strata::api
