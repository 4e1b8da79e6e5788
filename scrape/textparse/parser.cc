#include "scrape/textparse/parser.h"

#include <cmath>

#include "base/float_format.h"
#include "scrape/textparse/lex.h"
#include "scrape/textparse/parsers.h"

namespace strata::scrape::textparse {

using internal::append_unescaped;

const char* metric_type_name(MetricType t) {
  switch (t) {
    case MetricType::kUnknown: return "unknown";
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
  }
  return "unknown";
}

std::unique_ptr<Parser> Parser::create(Format f, std::string_view body, const ParseOptions& opts) {
  std::unique_ptr<Parser> p =
      f == Format::kOpenMetrics ? internal::new_openmetrics_parser(body) : internal::new_prom_parser(body);
  p->normalize_ = opts.normalize_float_labels;
  return p;
}

void Parser::reset_entry() {
  name_set_ = false;
  name_escaped_ = false;
  spans_.clear();
  has_ts_ = false;
  has_exemplar_ = false;
  exemplar_has_ts_ = false;
  exemplar_spans_.clear();
}

void Parser::set_family(size_t begin, size_t end, bool escaped) {
  std::string_view raw = body_.substr(begin, end - begin);
  if (!escaped) {
    family_ = raw;
    return;
  }
  family_scratch_.clear();
  append_unescaped(&family_scratch_, raw, true);
  family_ = family_scratch_;
}

void Parser::set_help(std::string_view raw, bool quote_escape) {
  if (raw.find('\\') == std::string_view::npos) {
    help_ = raw;
    return;
  }
  help_scratch_.clear();
  append_unescaped(&help_scratch_, raw, quote_escape);
  help_ = help_scratch_;
}

namespace {

// Prometheus 3 stores `le` of histograms and `quantile` of summaries in one
// spelling, whatever the exposition wrote: the float formatted the way
// OpenMetrics writes it (Go's shortest 'g', with ".0" added to integers), so
// `le="1"` and `le="1.0"` are one series. Values that are not floats stay.
bool normalized_float_label(std::string_view v, std::string* out) {
  double f;
  std::string err;
  if (!internal::parse_prom_float(v, &f, &err)) return false;
  size_t at = out->size();
  append_float_go_g(out, f);
  std::string_view s(out->data() + at, out->size() - at);
  if (!std::isnan(f) && !std::isinf(f) && s.find_first_of(".e") == std::string_view::npos) {
    out->append(".0");
  }
  return true;
}

}  // namespace

size_t Parser::scratch_need(const std::vector<LabelSpan>& spans, bool normalize) {
  // Unescaping never lengthens a text; a normalized float takes at most 26
  // bytes ("-1.2345678901234567e-308" and ".0").
  size_t need = 0;
  for (const LabelSpan& s : spans) {
    if (s.name_escaped) need += s.name_end - s.name_begin;
    if (s.value_escaped) need += s.value_end - s.value_begin;
    if (normalize) need += 32;
  }
  return need;
}

void Parser::append_label_views(const std::vector<LabelSpan>& spans, bool normalize,
                                std::string* scratch, std::vector<tsdb::LabelView>* out) {
  auto view = [&](size_t b, size_t e) { return body_.substr(b, e - b); };
  // Appends to *scratch and returns the view of what was appended; the
  // caller reserved scratch_need(), so earlier views stay valid.
  auto unescaped = [&](std::string_view raw) {
    size_t at = scratch->size();
    append_unescaped(scratch, raw, true);
    return std::string_view(scratch->data() + at, scratch->size() - at);
  };
  bool le = normalize && mtype_ == MetricType::kHistogram;
  bool quantile = normalize && mtype_ == MetricType::kSummary;
  for (const LabelSpan& s : spans) {
    std::string_view name = view(s.name_begin, s.name_end);
    if (s.name_escaped) name = unescaped(name);
    std::string_view value = view(s.value_begin, s.value_end);
    if (s.value_escaped) value = unescaped(value);
    if ((le && name == "le") || (quantile && name == "quantile")) {
      size_t at = scratch->size();
      if (normalized_float_label(value, scratch)) {
        std::string_view norm(scratch->data() + at, scratch->size() - at);
        if (norm == value) {
          scratch->resize(at);  // already canonical: keep the view we have
        } else {
          value = norm;
        }
      }
    }
    out->emplace_back(name, value);
  }
}

void Parser::labels(std::vector<tsdb::LabelView>* out) {
  std::string_view name = body_.substr(name_begin_, name_end_ - name_begin_);
  size_t need = (name_escaped_ ? name.size() : 0) + scratch_need(spans_, normalize_);
  scratch_.clear();
  if (scratch_.capacity() < need) scratch_.reserve(need);
  if (name_escaped_) {
    append_unescaped(&scratch_, name, true);
    name = scratch_;
  }
  out->emplace_back("__name__", name);
  append_label_views(spans_, normalize_, &scratch_, out);
}

bool Parser::exemplar(ParsedExemplar* out) {
  if (!has_exemplar_) return false;
  out->labels.clear();
  out->value = exemplar_value_;
  out->t_ms = exemplar_has_ts_ ? std::optional<int64_t>(exemplar_ts_ms_) : std::nullopt;
  size_t need = scratch_need(exemplar_spans_, false);
  exemplar_scratch_.clear();
  if (exemplar_scratch_.capacity() < need) exemplar_scratch_.reserve(need);
  append_label_views(exemplar_spans_, false, &exemplar_scratch_, &out->labels);
  return true;
}

}  // namespace strata::scrape::textparse
