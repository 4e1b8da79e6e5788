#include "remote/otlp_ingest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "remote/otlp_names.h"
#include "remote/otlp_values.h"
#include "tsdb/series.h"

namespace strata::remote {
namespace {

namespace pb = strata::otlp;
using tsdb::IngestBatch;
using tsdb::LabelView;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

constexpr uint32_t kNoRecordedValue = 1;  // DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK

double stale_nan() {
  double v;
  std::memcpy(&v, &tsdb::kStaleNaNBits, sizeof v);
  return v;
}

int64_t to_ms(uint64_t unix_nano) { return int64_t(unix_nano / 1'000'000); }

const pb::AnyValue* find_attr(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs,
                              std::string_view key) {
  for (const auto& kv : attrs)
    if (kv.key() == key) return &kv.value();
  return nullptr;
}

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNamespace = "service.namespace";
constexpr std::string_view kServiceInstanceId = "service.instance.id";

bool identifying(std::string_view key) {
  return key == kServiceName || key == kServiceNamespace || key == kServiceInstanceId;
}

// Whether otlp_label_name() would return `key` unchanged (the common case,
// which then needs no copy).
bool label_name_unchanged(std::string_view key, OtlpTranslationStrategy strategy) {
  if (strategy == OtlpTranslationStrategy::kNoUTF8EscapingWithSuffixes ||
      strategy == OtlpTranslationStrategy::kNoTranslation)
    return true;
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  if (key[0] == '_' && !key.starts_with("__")) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

// For label lists of owned strings (LabelPairs) and of views (LabelView).
template <typename Pairs, typename S>
void set_label(Pairs* ls, std::string_view name, S value) {
  for (auto& [n, v] : *ls) {
    if (n == name) {
      v = value;
      return;
    }
  }
  ls->emplace_back(name, value);
}

template <typename Pairs>
bool has_label(const Pairs& ls, std::string_view name) {
  for (const auto& [n, v] : ls)
    if (n == name) return true;
  return false;
}

class Translator {
 public:
  Translator(IngestBatch& batch, const OtlpConfig& config, const OtlpIngestOptions& opts,
             OtlpIngestResult& r)
      : b_(batch), config_(config), strategy_(config.translation_strategy),
        budget_(opts.max_label_bytes), r_(r) {}

  // False once storage failed or the label budget ran out.
  bool resource(const pb::ResourceMetrics& rm);

 private:
  bool metric(const pb::Metric& m);
  bool number_point(const std::string& name, const pb::NumberDataPoint& p);
  bool histogram_point(const std::string& name, const pb::HistogramDataPoint& p);
  bool summary_point(const std::string& name, const pb::SummaryDataPoint& p);
  bool target_info(const pb::Resource& res);

  void reject_points(uint64_t n, std::string message) {
    r_.points_rejected += n;
    if (r_.first_point_error.ok()) r_.first_point_error = absl::InvalidArgumentError(std::move(message));
  }
  // Attributes as labels, appended to `out`: escaped names, values of names
  // that collide joined with `;` in key order, empty names skipped. Views
  // into the request, or into pool_ for strings made here.
  void attributes_to_views(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs,
                           bool skip_identifying, std::vector<LabelView>* out);
  std::string_view own(std::string s);
  // The point's labels (attributes, promoted resource attributes, job and
  // instance) into point_views_; starts a new point (pool_ is reused).
  void point_labels(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs);
  tsdb::Exemplar exemplar(const pb::Exemplar& e);
  // One series of point_views_ + __name__ (+ `extra`), one sample.
  bool emit(const std::string& name, std::string_view extra_name, std::string_view extra_value,
            int64_t t_ms, double v, const std::vector<tsdb::Exemplar>& exemplars = {});
  void seen(int64_t t_ms) { max_t_ms_ = std::max(max_t_ms_, t_ms); }
  // The spec: points without time_unix_nano SHOULD be rejected (storage
  // would take them as samples at 1970-01-01).
  bool untimed(const std::string& name, uint64_t time_unix_nano) {
    if (time_unix_nano != 0) return false;
    reject_points(1, absl::StrCat("data point of metric \"", name, "\" has no time_unix_nano"));
    return true;
  }

  IngestBatch& b_;
  const OtlpConfig& config_;
  const OtlpTranslationStrategy strategy_;
  size_t budget_;
  OtlpIngestResult& r_;
  LabelPairs resource_labels_;  // promoted attributes, then job and instance
  std::vector<LabelView> point_views_;
  struct Attr {
    std::string_view name, key, value;
  };
  std::vector<Attr> attrs_;  // attributes_to_views scratch
  // Strings made for the current point (escaped names, non-string values,
  // joined collisions): a deque, so views into it survive its growth.
  std::deque<std::string> pool_;
  size_t pool_used_ = 0;
  std::vector<LabelView> views_;
  int index_ = 0;
  int64_t max_t_ms_ = std::numeric_limits<int64_t>::min();
};

bool Translator::resource(const pb::ResourceMetrics& rm) {
  const auto& attrs = rm.resource().attributes();
  resource_labels_.clear();
  for (const auto& key : config_.promote_resource_attributes) {
    if (const pb::AnyValue* v = find_attr(attrs, key))
      set_label(&resource_labels_, otlp_label_name(key, strategy_), otlp_value_string(*v));
  }
  const pb::AnyValue* name = find_attr(attrs, kServiceName);
  const pb::AnyValue* ns = find_attr(attrs, kServiceNamespace);
  const pb::AnyValue* instance = find_attr(attrs, kServiceInstanceId);
  if (name != nullptr) {
    std::string job = otlp_value_string(*name);
    if (ns != nullptr) job = otlp_value_string(*ns) + "/" + job;
    set_label(&resource_labels_, "job", std::move(job));
  }
  if (instance != nullptr) set_label(&resource_labels_, "instance", otlp_value_string(*instance));
  max_t_ms_ = std::numeric_limits<int64_t>::min();
  for (const auto& sm : rm.scope_metrics()) {
    for (const auto& m : sm.metrics()) {
      if (!metric(m)) return false;
    }
  }
  return target_info(rm.resource());
}

bool Translator::target_info(const pb::Resource& res) {
  if (max_t_ms_ == std::numeric_limits<int64_t>::min()) return true;  // no points
  // As in Prometheus: target_info needs a job or an instance to be joined on.
  if (!has_label(resource_labels_, "job") && !has_label(resource_labels_, "instance")) return true;
  bool keep = config_.keep_identifying_resource_attributes;
  bool any = false;
  for (const auto& kv : res.attributes()) any = any || keep || !identifying(kv.key());
  if (!any) return true;
  pool_used_ = 0;
  point_views_.clear();
  attributes_to_views(res.attributes(), !keep, &point_views_);
  for (const auto& [n, v] : resource_labels_) {
    if (n == "job" || n == "instance") set_label(&point_views_, n, std::string_view(v));
  }
  return emit("target_info", {}, {}, max_t_ms_, 1.0);
}

std::string_view Translator::own(std::string s) {
  if (pool_used_ == pool_.size()) pool_.emplace_back();
  pool_[pool_used_] = std::move(s);
  return pool_[pool_used_++];
}

void Translator::attributes_to_views(
    const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs, bool skip_identifying,
    std::vector<LabelView>* out) {
  attrs_.clear();
  for (const auto& kv : attrs) {
    if (skip_identifying && identifying(kv.key())) continue;
    std::string_view name = label_name_unchanged(kv.key(), strategy_)
                                ? std::string_view(kv.key())
                                : own(otlp_label_name(kv.key(), strategy_));
    if (name.empty()) continue;
    std::string_view value = kv.value().value_case() == pb::AnyValue::kStringValue
                                 ? std::string_view(kv.value().string_value())
                                 : own(otlp_value_string(kv.value()));
    attrs_.push_back({name, kv.key(), value});
  }
  std::sort(attrs_.begin(), attrs_.end(), [](const Attr& a, const Attr& b) {
    return a.name != b.name ? a.name < b.name : a.key < b.key;
  });
  size_t first = out->size();
  for (const Attr& a : attrs_) {
    if (out->size() > first && out->back().first == a.name) {
      std::string joined(out->back().second);
      joined.append(";").append(a.value);
      out->back().second = own(std::move(joined));
    } else {
      out->emplace_back(a.name, a.value);
    }
  }
}

void Translator::point_labels(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs) {
  pool_used_ = 0;
  point_views_.clear();
  attributes_to_views(attrs, false, &point_views_);
  for (const auto& [n, v] : resource_labels_) {
    if (n == "job" || n == "instance") {
      set_label(&point_views_, n, std::string_view(v));
    } else if (!has_label(point_views_, n)) {
      point_views_.emplace_back(n, v);
    }
  }
}

// Called after point_labels() of its point (it adds to the same pool).
tsdb::Exemplar Translator::exemplar(const pb::Exemplar& e) {
  std::vector<LabelView> ls;
  attributes_to_views(e.filtered_attributes(), false, &ls);
  std::string trace = otlp_hex(e.trace_id()), span = otlp_hex(e.span_id());
  if (!trace.empty()) set_label(&ls, "trace_id", std::string_view(trace));
  if (!span.empty()) set_label(&ls, "span_id", std::string_view(span));
  std::vector<tsdb::Label> items;
  items.reserve(ls.size());
  for (const auto& [n, v] : ls) items.push_back({std::string(n), std::string(v)});
  tsdb::Exemplar out;
  out.labels = tsdb::Labels::from_unsorted(std::move(items));
  out.value = e.value_case() == pb::Exemplar::kAsInt ? double(e.as_int()) : e.as_double();
  out.t_ms = to_ms(e.time_unix_nano());
  return out;
}

bool Translator::emit(const std::string& name, std::string_view extra_name,
                      std::string_view extra_value, int64_t t_ms, double v,
                      const std::vector<tsdb::Exemplar>& exemplars) {
  views_.clear();
  size_t bytes = name.size() + extra_name.size() + extra_value.size();
  views_.emplace_back(tsdb::kMetricName, name);
  for (const auto& [n, val] : point_views_) {
    if (n == tsdb::kMetricName || (!extra_name.empty() && n == extra_name)) continue;
    views_.emplace_back(n, val);
    bytes += n.size() + val.size();
  }
  if (!extra_name.empty()) views_.emplace_back(extra_name, extra_value);
  if (bytes > budget_) {
    r_.too_large = absl::ResourceExhaustedError(
        "the request expands to more series labels than the receiver accepts at once; "
        "send fewer data points per request");
    return false;
  }
  budget_ -= bytes;
  auto take = [this] { return tsdb::labels_from_views(views_); };
  IngestBatch::Series s = b_.begin_series(index_++, views_, take, 1, 0, exemplars.size());
  if (!s.valid()) return true;  // counted as invalid_labels
  if (!s.append(t_ms, v)) return false;  // storage failed: the caller aborts
  for (const auto& e : exemplars) s.exemplar(e);
  return true;
}

bool Translator::number_point(const std::string& name, const pb::NumberDataPoint& p) {
  if (untimed(name, p.time_unix_nano())) return true;
  point_labels(p.attributes());
  int64_t t = to_ms(p.time_unix_nano());
  seen(t);
  double v = p.value_case() == pb::NumberDataPoint::kAsInt ? double(p.as_int()) : p.as_double();
  if (p.flags() & kNoRecordedValue) v = stale_nan();
  std::vector<tsdb::Exemplar> exemplars;
  for (const auto& e : p.exemplars()) exemplars.push_back(exemplar(e));
  return emit(name, {}, {}, t, v, exemplars);
}

bool Translator::histogram_point(const std::string& name, const pb::HistogramDataPoint& p) {
  if (untimed(name, p.time_unix_nano())) return true;
  size_t n_bounds = size_t(p.explicit_bounds_size());
  if (p.bucket_counts_size() != 0 && size_t(p.bucket_counts_size()) != n_bounds + 1) {
    reject_points(1, absl::StrCat("histogram data point of metric \"", name, "\" has ",
                                  p.bucket_counts_size(), " bucket counts for ", n_bounds,
                                  " explicit bounds (want bounds + 1)"));
    return true;
  }
  point_labels(p.attributes());
  int64_t t = to_ms(p.time_unix_nano());
  seen(t);
  bool stale = p.flags() & kNoRecordedValue;
  auto val = [stale](double v) { return stale ? stale_nan() : v; };
  // Each exemplar goes to the first bucket whose bound holds its value
  // (sized only when there are exemplars: bounds can be many).
  std::vector<std::vector<tsdb::Exemplar>> bucket_exemplars(p.exemplars_size() > 0 ? n_bounds + 1
                                                                                   : 0);
  static const std::vector<tsdb::Exemplar> kNone;
  auto exemplars_of = [&](size_t i) -> const std::vector<tsdb::Exemplar>& {
    return bucket_exemplars.empty() ? kNone : bucket_exemplars[i];
  };
  for (const auto& e : p.exemplars()) {
    tsdb::Exemplar x = exemplar(e);
    size_t i = 0;
    while (i < n_bounds && !(x.value <= p.explicit_bounds(int(i)))) ++i;
    bucket_exemplars[i].push_back(std::move(x));
  }
  const std::string bucket = name + "_bucket";
  if (p.bucket_counts_size() != 0) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < n_bounds; ++i) {
      cumulative += p.bucket_counts(int(i));
      if (!emit(bucket, "le", otlp_format_float(p.explicit_bounds(int(i))), t, val(double(cumulative)),
                exemplars_of(i)))
        return false;
    }
  }
  if (!emit(bucket, "le", "+Inf", t, val(double(p.count())), exemplars_of(n_bounds)))
    return false;
  if (p.has_sum() && !emit(name + "_sum", {}, {}, t, val(p.sum()))) return false;
  return emit(name + "_count", {}, {}, t, val(double(p.count())));
}

bool Translator::summary_point(const std::string& name, const pb::SummaryDataPoint& p) {
  if (untimed(name, p.time_unix_nano())) return true;
  point_labels(p.attributes());
  int64_t t = to_ms(p.time_unix_nano());
  seen(t);
  bool stale = p.flags() & kNoRecordedValue;
  auto val = [stale](double v) { return stale ? stale_nan() : v; };
  for (const auto& q : p.quantile_values()) {
    if (!emit(name, "quantile", otlp_format_float(q.quantile()), t, val(q.value()))) return false;
  }
  if (!emit(name + "_sum", {}, {}, t, val(p.sum()))) return false;
  return emit(name + "_count", {}, {}, t, val(double(p.count())));
}

bool Translator::metric(const pb::Metric& m) {
  // Temporality other than cumulative: Prometheus 3 refuses it unless
  // converted (otlp-deltatocumulative), and so does Strata.
  auto not_cumulative = [&](int temporality, int points, const char* what) {
    if (temporality == pb::AGGREGATION_TEMPORALITY_CUMULATIVE) return false;
    reject_points(uint64_t(points),
                  absl::StrCat("invalid temporality and type combination for metric \"", m.name(),
                               "\": ",
                               temporality == pb::AGGREGATION_TEMPORALITY_DELTA ? "delta"
                                                                                : "unspecified",
                               " ", what, " are not supported; export cumulative temporality"));
    return true;
  };
  OtlpMetricKind kind;
  const char* type;
  int points = 0;
  switch (m.data_case()) {
    case pb::Metric::kGauge: points = m.gauge().data_points_size(); break;
    case pb::Metric::kSum: points = m.sum().data_points_size(); break;
    case pb::Metric::kHistogram: points = m.histogram().data_points_size(); break;
    case pb::Metric::kExponentialHistogram:
      points = m.exponential_histogram().data_points_size();
      break;
    case pb::Metric::kSummary: points = m.summary().data_points_size(); break;
    default: break;
  }
  r_.points_received += uint64_t(points);
  switch (m.data_case()) {
    case pb::Metric::kGauge:
      kind = OtlpMetricKind::kGauge, type = "gauge";
      break;
    case pb::Metric::kSum:
      if (not_cumulative(m.sum().aggregation_temporality(), points, "sums")) return true;
      kind = m.sum().is_monotonic() ? OtlpMetricKind::kCounter : OtlpMetricKind::kNonMonotonicSum;
      type = m.sum().is_monotonic() ? "counter" : "gauge";
      break;
    case pb::Metric::kHistogram:
      if (not_cumulative(m.histogram().aggregation_temporality(), points, "histograms"))
        return true;
      kind = OtlpMetricKind::kHistogram, type = "histogram";
      break;
    case pb::Metric::kExponentialHistogram:
      reject_points(uint64_t(points),
                    absl::StrCat("exponential histogram metric \"", m.name(),
                                 "\" not written: native histograms are not supported yet; "
                                 "configure the exporter for explicit-bucket histograms"));
      return true;
    case pb::Metric::kSummary:
      kind = OtlpMetricKind::kSummary, type = "summary";
      break;
    default:
      reject_points(0, absl::StrCat("metric \"", m.name(), "\" has no data"));
      return true;
  }
  std::string name = otlp_metric_name(m.name(), m.unit(), kind, strategy_);
  if (name.empty()) {
    reject_points(uint64_t(points),
                  absl::StrCat("metric name \"", m.name(), "\" is empty after translation"));
    return true;
  }
  if (points > 0) b_.metadata(name, tsdb::MetricMetadata{type, m.description(), m.unit()});
  switch (m.data_case()) {
    case pb::Metric::kGauge:
      for (const auto& p : m.gauge().data_points())
        if (!number_point(name, p)) return false;
      break;
    case pb::Metric::kSum:
      for (const auto& p : m.sum().data_points())
        if (!number_point(name, p)) return false;
      break;
    case pb::Metric::kHistogram:
      for (const auto& p : m.histogram().data_points())
        if (!histogram_point(name, p)) return false;
      break;
    case pb::Metric::kSummary:
      for (const auto& p : m.summary().data_points())
        if (!summary_point(name, p)) return false;
      break;
    default: break;
  }
  return true;
}

}  // namespace

OtlpIngestResult ingest_otlp_request(const pb::ExportMetricsServiceRequest& req,
                                     const OtlpConfig& config, tsdb::Appendable& db,
                                     const OtlpIngestOptions& opts) {
  OtlpIngestResult r;
  IngestBatch batch(db, opts.ingest);
  Translator t(batch, config, opts, r);
  for (const auto& rm : req.resource_metrics()) {
    if (!t.resource(rm)) {
      r.ingest = batch.abort();
      return r;
    }
  }
  r.ingest = batch.commit();
  return r;
}

}  // namespace strata::remote
