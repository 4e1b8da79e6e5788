// The scrape exposition-format parsers: Prometheus text 0.0.4 and
// OpenMetrics 1.0, read entry by entry straight out of a scrape body.
//
// Contract: a Parser walks one body once. next() returns the next entry
// (series sample, TYPE/HELP/UNIT metadata, comment) and kEof at the end; the
// accessors describe the entry next() returned last. What is accepted follows
// Prometheus 3: quoted UTF-8 metric and label names in braces, `le` and
// `quantile` values normalized on histograms and summaries, `_created` series
// returned as ordinary series, exemplars on any OpenMetrics sample, trailing
// commas in OpenMetrics label sets. Errors are InvalidArgument with
// Prometheus 2.42's text, what a target's lastError shows
// (tests/scrape/textparse/check_with_prometheus.py checks every case of the
// table against the real 2.42); errors only Prometheus 3 has keep its text
// (`metric name not set while parsing: "..."`). The first error ends the
// parse: next() keeps returning it.
//
// Like Prometheus, the parsers check syntax only: the order of families, a
// TYPE after its samples, duplicate series, histogram bucket order and the
// OpenMetrics suffix rules (`_total`, `_info`, ...) are not checked, and label
// names are not validated beyond what the grammar says (ingest does that).
// Exemplar label sets over 128 code points are returned as parsed; storage
// refuses them without failing the scrape, as Prometheus does.
//
// Cost: lexed by hand in one pass, no allocation per sample on the common
// path. Views returned point into the body; only label values or names with
// escapes, normalized `le`/`quantile` values and HELP texts with escapes are
// copied, into scratch the parser owns and reuses.
//
// Threads and lifetimes: not thread-safe, one parser per scrape body. `body`
// must outlive the parser; views from labels(), exemplar(), help() and
// metric_family() are valid until the next call of next().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/ingest.h"

namespace strata::scrape::textparse {

enum class Format : uint8_t { kPrometheusText, kOpenMetrics };

// The format a scrape response's Content-Type selects, as Prometheus 3 picks
// it: the media type (case-insensitive, parameters checked like Go's
// mime.ParseMediaType) `application/openmetrics-text` is OpenMetrics,
// `text/plain` is the text format, whatever their version, charset or
// escaping parameters. nullopt when the header is empty, unparsable or names
// another type (protobuf included: Strata does not ask for it); the caller
// then fails the scrape or uses fallback_scrape_protocol.
std::optional<Format> format_for_content_type(std::string_view content_type);

enum class Entry : uint8_t { kSeries, kType, kHelp, kUnit, kComment, kEof };

enum class MetricType : uint8_t {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset
};
// "unknown", "counter", ..., "stateset": the /api/v1/metadata spelling (the
// text format's `untyped` is kUnknown).
const char* metric_type_name(MetricType t);

// The exemplar of an OpenMetrics sample line: ` # {labels} value [timestamp]`.
struct ParsedExemplar {
  std::vector<tsdb::LabelView> labels;  // in written order; views as labels()
  double value = 0;
  std::optional<int64_t> t_ms;  // written in seconds, converted like the sample's
};

struct ParseOptions {
  // Prometheus 3 writes `le` (histograms) and `quantile` (summaries) label
  // values in one canonical float form (`le="1"` becomes "1.0"); 2.x keeps
  // them as the target wrote them (--query.compat=v2).
  bool normalize_float_labels = true;
};

class Parser {
 public:
  // Never null. `body` must outlive the parser.
  static std::unique_ptr<Parser> create(Format f, std::string_view body, const ParseOptions& opts = {});
  virtual ~Parser() = default;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // The next entry; kEof at the end. For OpenMetrics the body must end with
  // `# EOF` (an optional newline after it, nothing else). Blank lines are
  // skipped in the text format and errors in OpenMetrics.
  virtual absl::StatusOr<Entry> next() = 0;

  // kSeries: the series as written, metric name through the closing brace:
  // a stable key for a per-target cache (the same series is written the same
  // way scrape after scrape).
  std::string_view series() const { return body_.substr(series_begin_, series_end_ - series_begin_); }
  // kSeries: appends {"__name__", name} and then the labels in written order
  // (not sorted, not deduplicated; empty values kept) to *out.
  void labels(std::vector<tsdb::LabelView>* out);
  // kSeries: the value. Every NaN is Prometheus' normal NaN
  // (0x7ff8000000000001), so a body can never write the stale marker.
  double value() const { return value_; }
  // kSeries: the sample's own timestamp; the text format writes milliseconds,
  // OpenMetrics seconds (converted with Go's float-to-int truncation).
  std::optional<int64_t> timestamp_ms() const {
    return has_ts_ ? std::optional<int64_t>(ts_ms_) : std::nullopt;
  }
  // kSeries: the OpenMetrics exemplar on this line, if any (false otherwise,
  // and always for the text format).
  bool exemplar(ParsedExemplar* out);

  // kType, kHelp, kUnit: the metric family named (quotes removed).
  std::string_view metric_family() const { return family_; }
  // kType: the type written. Stays the last TYPE seen for later entries, as in
  // Prometheus (it decides the `le`/`quantile` normalization).
  MetricType type() const { return mtype_; }
  // kHelp: the docstring, unescaped (`\\`, `\n`; OpenMetrics also `\"`).
  std::string_view help() const { return help_; }
  // kUnit: the unit as written.
  std::string_view unit() const { return unit_; }
  // kComment: the whole comment line (text format only).
  std::string_view comment() const { return comment_; }

 protected:
  bool normalize_ = true;  // ParseOptions::normalize_float_labels
  explicit Parser(std::string_view body) : body_(body) {}

  // One `name="value"` of a series or exemplar label set: byte ranges in the
  // body (inside the quotes for quoted names), and whether they hold escapes.
  struct LabelSpan {
    size_t name_begin, name_end, value_begin, value_end;
    bool name_escaped, value_escaped;
  };

  // Appends the views of `spans` to *out, unescaping into *scratch where
  // needed (which must have scratch_need() bytes of spare capacity).
  // `normalize` applies Prometheus 3's le/quantile normalization.
  void append_label_views(const std::vector<LabelSpan>& spans, bool normalize, std::string* scratch,
                          std::vector<tsdb::LabelView>* out);
  static size_t scratch_need(const std::vector<LabelSpan>& spans, bool normalize);
  // Resets what describes one entry; called at the start of every next().
  void reset_entry();
  // The family name of a metadata line (quoted names unescaped).
  void set_family(size_t begin, size_t end, bool escaped);
  // Sets help_ from the raw text; `quote_escape`: `\"` is an escape too.
  void set_help(std::string_view raw, bool quote_escape);

  std::string_view body_;

  // The entry.
  size_t series_begin_ = 0, series_end_ = 0;
  size_t name_begin_ = 0, name_end_ = 0;
  bool name_escaped_ = false;
  bool name_set_ = false;
  std::vector<LabelSpan> spans_;
  double value_ = 0;
  bool has_ts_ = false;
  int64_t ts_ms_ = 0;
  bool has_exemplar_ = false;
  std::vector<LabelSpan> exemplar_spans_;
  double exemplar_value_ = 0;
  bool exemplar_has_ts_ = false;
  int64_t exemplar_ts_ms_ = 0;
  std::string_view family_, help_, unit_, comment_;
  MetricType mtype_ = MetricType::kUnknown;

  // Unescaped label texts of labels() and exemplar(); reserved before views
  // are taken so they never move while the views are alive.
  std::string scratch_, exemplar_scratch_;
  // Unescaped family name and HELP text.
  std::string family_scratch_, help_scratch_;
};

}  // namespace strata::scrape::textparse
