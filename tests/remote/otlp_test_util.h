// Building OTLP ExportMetricsServiceRequests in tests: a resource with
// attributes, and metrics of each kind with one data point.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "remote/otlp_metrics.pb.h"

namespace strata::remote::testing {

using Attrs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

inline void set_attrs(google::protobuf::RepeatedPtrField<strata::otlp::KeyValue>* out,
                      Attrs attrs) {
  for (auto [k, v] : attrs) {
    auto* kv = out->Add();
    kv->set_key(std::string(k));
    kv->mutable_value()->set_string_value(std::string(v));
  }
}

// A ResourceMetrics with `attrs` and one empty scope.
inline strata::otlp::ScopeMetrics* add_resource(strata::otlp::ExportMetricsServiceRequest* req,
                                                Attrs attrs) {
  auto* rm = req->add_resource_metrics();
  set_attrs(rm->mutable_resource()->mutable_attributes(), attrs);
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("test");
  return sm;
}

inline strata::otlp::Metric* add_metric(strata::otlp::ScopeMetrics* sm, std::string name,
                                        std::string unit = "") {
  auto* m = sm->add_metrics();
  m->set_name(std::move(name));
  m->set_unit(std::move(unit));
  return m;
}

inline uint64_t ns(int64_t t_ms) { return uint64_t(t_ms) * 1'000'000; }

inline strata::otlp::NumberDataPoint* add_sum(strata::otlp::ScopeMetrics* sm, std::string name,
                                              std::string unit, int64_t t_ms, double v,
                                              Attrs attrs = {}, bool monotonic = true,
                                              int temporality = 2) {
  auto* m = add_metric(sm, std::move(name), std::move(unit));
  auto* s = m->mutable_sum();
  s->set_is_monotonic(monotonic);
  s->set_aggregation_temporality(strata::otlp::AggregationTemporality(temporality));
  auto* p = s->add_data_points();
  set_attrs(p->mutable_attributes(), attrs);
  p->set_time_unix_nano(ns(t_ms));
  p->set_as_double(v);
  return p;
}

inline strata::otlp::NumberDataPoint* add_gauge(strata::otlp::ScopeMetrics* sm, std::string name,
                                                std::string unit, int64_t t_ms, double v,
                                                Attrs attrs = {}) {
  auto* p = add_metric(sm, std::move(name), std::move(unit))->mutable_gauge()->add_data_points();
  set_attrs(p->mutable_attributes(), attrs);
  p->set_time_unix_nano(ns(t_ms));
  p->set_as_double(v);
  return p;
}

inline strata::otlp::HistogramDataPoint* add_histogram(
    strata::otlp::ScopeMetrics* sm, std::string name, std::string unit, int64_t t_ms,
    std::vector<double> bounds, std::vector<uint64_t> counts, double sum, Attrs attrs = {},
    int temporality = 2) {
  auto* h = add_metric(sm, std::move(name), std::move(unit))->mutable_histogram();
  h->set_aggregation_temporality(strata::otlp::AggregationTemporality(temporality));
  auto* p = h->add_data_points();
  set_attrs(p->mutable_attributes(), attrs);
  p->set_time_unix_nano(ns(t_ms));
  uint64_t count = 0;
  for (uint64_t c : counts) {
    p->add_bucket_counts(c);
    count += c;
  }
  for (double b : bounds) p->add_explicit_bounds(b);
  p->set_count(count);
  p->set_sum(sum);
  return p;
}

}  // namespace strata::remote::testing
