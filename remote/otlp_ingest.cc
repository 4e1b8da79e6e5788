#include "remote/otlp_ingest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "remote/otlp_names.h"
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

// Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus writes `le`,
// `quantile` and double attributes.
std::string format_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

nlohmann::json any_json(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue: return v.string_value();
    case pb::AnyValue::kBoolValue: return v.bool_value();
    case pb::AnyValue::kIntValue: return v.int_value();
    case pb::AnyValue::kDoubleValue: return v.double_value();
    case pb::AnyValue::kBytesValue: return absl::Base64Escape(v.bytes_value());
    case pb::AnyValue::kArrayValue: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : v.array_value().values()) a.push_back(any_json(e));
      return a;
    }
    case pb::AnyValue::kKvlistValue: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : v.kvlist_value().values()) o[kv.key()] = any_json(kv.value());
      return o;
    }
    case pb::AnyValue::VALUE_NOT_SET: break;
  }
  return nullptr;
}

// An attribute value as a label value (pcommon's AsString).
std::string any_string(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue: return v.string_value();
    case pb::AnyValue::kBoolValue: return v.bool_value() ? "true" : "false";
    case pb::AnyValue::kIntValue: return absl::StrCat(v.int_value());
    case pb::AnyValue::kDoubleValue: return format_float(v.double_value());
    case pb::AnyValue::kBytesValue: return absl::Base64Escape(v.bytes_value());
    case pb::AnyValue::VALUE_NOT_SET: return "";
    default:
      return any_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

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

// Attributes as labels: escaped names, values of names that collide joined
// with `;` in key order, empty names skipped.
void attributes_to_labels(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs,
                          OtlpTranslationStrategy strategy, bool skip_identifying,
                          LabelPairs* out) {
  struct Item {
    std::string name;
    std::string_view key;
    std::string value;
  };
  std::vector<Item> items;
  items.reserve(attrs.size());
  for (const auto& kv : attrs) {
    if (skip_identifying && identifying(kv.key())) continue;
    std::string name = otlp_label_name(kv.key(), strategy);
    if (name.empty()) continue;
    items.push_back({std::move(name), kv.key(), any_string(kv.value())});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.name != b.name ? a.name < b.name : a.key < b.key;
  });
  for (auto& it : items) {
    if (!out->empty() && out->back().first == it.name) {
      out->back().second += ";" + it.value;
    } else {
      out->emplace_back(std::move(it.name), std::move(it.value));
    }
  }
}

void set_label(LabelPairs* ls, std::string name, std::string value) {
  for (auto& [n, v] : *ls) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  ls->emplace_back(std::move(name), std::move(value));
}

bool has_label(const LabelPairs& ls, std::string_view name) {
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
  // The point's labels (attributes, promoted resource attributes, job and
  // instance) into point_labels_.
  void point_labels(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs);
  tsdb::Exemplar exemplar(const pb::Exemplar& e);
  // One series of point_labels_ + __name__ (+ `extra`), one sample.
  bool emit(const std::string& name, std::string_view extra_name, std::string_view extra_value,
            int64_t t_ms, double v, const std::vector<tsdb::Exemplar>& exemplars = {});
  void seen(int64_t t_ms) { max_t_ms_ = std::max(max_t_ms_, t_ms); }

  IngestBatch& b_;
  const OtlpConfig& config_;
  const OtlpTranslationStrategy strategy_;
  size_t budget_;
  OtlpIngestResult& r_;
  LabelPairs resource_labels_;  // promoted attributes, then job and instance
  LabelPairs point_labels_;
  std::vector<LabelView> views_;
  int index_ = 0;
  int64_t max_t_ms_ = std::numeric_limits<int64_t>::min();
  bool failed_ = false;
};

bool Translator::resource(const pb::ResourceMetrics& rm) {
  const auto& attrs = rm.resource().attributes();
  resource_labels_.clear();
  for (const auto& key : config_.promote_resource_attributes) {
    if (const pb::AnyValue* v = find_attr(attrs, key))
      set_label(&resource_labels_, otlp_label_name(key, strategy_), any_string(*v));
  }
  const pb::AnyValue* name = find_attr(attrs, kServiceName);
  const pb::AnyValue* ns = find_attr(attrs, kServiceNamespace);
  const pb::AnyValue* instance = find_attr(attrs, kServiceInstanceId);
  if (name != nullptr) {
    std::string job = any_string(*name);
    if (ns != nullptr) job = any_string(*ns) + "/" + job;
    set_label(&resource_labels_, "job", std::move(job));
  }
  if (instance != nullptr) set_label(&resource_labels_, "instance", any_string(*instance));
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
  point_labels_.clear();
  attributes_to_labels(res.attributes(), strategy_, !keep, &point_labels_);
  for (const auto& [n, v] : resource_labels_) {
    if (n == "job" || n == "instance") set_label(&point_labels_, n, v);
  }
  return emit("target_info", {}, {}, max_t_ms_, 1.0);
}

void Translator::point_labels(const google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs) {
  point_labels_.clear();
  attributes_to_labels(attrs, strategy_, false, &point_labels_);
  for (const auto& [n, v] : resource_labels_) {
    if (n == "job" || n == "instance") {
      set_label(&point_labels_, n, v);
    } else if (!has_label(point_labels_, n)) {
      point_labels_.emplace_back(n, v);
    }
  }
}

tsdb::Exemplar Translator::exemplar(const pb::Exemplar& e) {
  LabelPairs ls;
  attributes_to_labels(e.filtered_attributes(), strategy_, false, &ls);
  if (!e.trace_id().empty()) set_label(&ls, "trace_id", hex(e.trace_id()));
  if (!e.span_id().empty()) set_label(&ls, "span_id", hex(e.span_id()));
  std::vector<tsdb::Label> items;
  items.reserve(ls.size());
  for (auto& [n, v] : ls) items.push_back({std::move(n), std::move(v)});
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
  for (const auto& [n, val] : point_labels_) {
    if (n == tsdb::kMetricName || (!extra_name.empty() && n == extra_name)) continue;
    views_.emplace_back(n, val);
    bytes += n.size() + val.size();
  }
  if (!extra_name.empty()) views_.emplace_back(extra_name, extra_value);
  if (bytes > budget_) {
    r_.too_large = absl::ResourceExhaustedError(
        "the request expands to more series labels than the receiver accepts at once; "
        "send fewer data points per request");
    failed_ = true;
    return false;
  }
  budget_ -= bytes;
  auto take = [this] { return tsdb::labels_from_views(views_); };
  IngestBatch::Series s = b_.begin_series(index_++, views_, take, 1, 0, exemplars.size());
  if (!s.valid()) return true;  // counted as invalid_labels
  if (!s.append(t_ms, v)) {
    failed_ = true;
    return false;
  }
  for (const auto& e : exemplars) s.exemplar(e);
  return true;
}

bool Translator::number_point(const std::string& name, const pb::NumberDataPoint& p) {
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
      if (!emit(bucket, "le", format_float(p.explicit_bounds(int(i))), t, val(double(cumulative)),
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
  point_labels(p.attributes());
  int64_t t = to_ms(p.time_unix_nano());
  seen(t);
  bool stale = p.flags() & kNoRecordedValue;
  auto val = [stale](double v) { return stale ? stale_nan() : v; };
  for (const auto& q : p.quantile_values()) {
    if (!emit(name, "quantile", format_float(q.quantile()), t, val(q.value()))) return false;
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
