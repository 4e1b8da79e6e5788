#include "remote/write_ingest.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace strata::remote {
namespace {

// Drops empty-valued labels (absent in Prometheus) and sorts by name,
// moving the strings out of the request.
tsdb::Labels take_labels(prometheus::TimeSeries& ts) {
  std::vector<tsdb::Label> items;
  items.reserve(size_t(ts.labels_size()));
  for (prometheus::Label& l : *ts.mutable_labels()) {
    if (l.value().empty()) continue;
    items.push_back({std::move(*l.mutable_name()), std::move(*l.mutable_value())});
  }
  // Senders must sort (spec); checking first avoids stable_sort's buffer.
  bool sorted = std::is_sorted(items.begin(), items.end(),
                               [](const tsdb::Label& a, const tsdb::Label& b) { return a.name < b.name; });
  return sorted ? tsdb::Labels(std::move(items)) : tsdb::Labels::from_unsorted(std::move(items));
}

tsdb::Exemplar take_exemplar(prometheus::Exemplar& pe) {
  std::vector<tsdb::Label> items;
  items.reserve(size_t(pe.labels_size()));
  for (prometheus::Label& l : *pe.mutable_labels())
    items.push_back({std::move(*l.mutable_name()), std::move(*l.mutable_value())});
  tsdb::Exemplar e;
  e.labels = tsdb::Labels::from_unsorted(std::move(items));
  e.value = pe.value();
  e.t_ms = pe.timestamp();
  return e;
}

}  // namespace

tsdb::IngestResult ingest_write_request(prometheus::WriteRequest& req, tsdb::Appendable& db,
                                        const tsdb::IngestOptions& opts) {
  tsdb::IngestOptions o = opts;
  o.item_name = "timeseries";
  tsdb::IngestBatch batch(db, o);
  std::vector<tsdb::LabelView> views;
  for (int i = 0; i < req.timeseries_size(); ++i) {
    prometheus::TimeSeries& ts = *req.mutable_timeseries(i);
    views.clear();
    for (const prometheus::Label& l : ts.labels()) views.emplace_back(l.name(), l.value());
    auto take = [&ts] { return take_labels(ts); };
    const uint64_t n_hist = uint64_t(ts.histograms_size());
    tsdb::IngestBatch::Series s = batch.begin_series(
        i, views, take, uint64_t(ts.samples_size()) + n_hist, n_hist, uint64_t(ts.exemplars_size()));
    if (!s.valid()) continue;
    for (const prometheus::Sample& sample : ts.samples()) {
      if (!s.append(sample.timestamp(), sample.value())) return batch.abort();
    }
    for (prometheus::Exemplar& pe : *ts.mutable_exemplars()) s.exemplar(take_exemplar(pe));
    s.reject_histograms(n_hist);
  }
  for (prometheus::MetricMetadata& md : *req.mutable_metadata()) {
    tsdb::MetricMetadata m;
    m.type = metric_type_name(md.type());
    m.help = std::move(*md.mutable_help());
    m.unit = std::move(*md.mutable_unit());
    batch.metadata(md.metric_family_name(), std::move(m));
  }
  return batch.commit();
}

tsdb::IngestResult ingest_write_request(const WriteRequestView& req, tsdb::Appendable& db,
                                        const tsdb::IngestOptions& opts, SeriesRefCache* cache) {
  tsdb::IngestOptions o = opts;
  o.item_name = "timeseries";
  tsdb::IngestBatch batch(db, o);
  for (size_t i = 0; i < req.series.size(); ++i) {
    const WriteRequestView::Series& ts = req.series[i];
    std::span<const tsdb::LabelView> views(req.labels.data() + ts.labels_begin,
                                           ts.labels_end - ts.labels_begin);
    auto take = [views] { return tsdb::labels_from_views(views); };
    const bool cached = cache != nullptr && !ts.raw_labels.empty();
    const tsdb::SeriesRef hint = cached ? cache->get(ts.raw_labels) : 0;
    tsdb::IngestBatch::Series s =
        batch.begin_series(int(i), hint, views, take, ts.samples_end - ts.samples_begin + ts.histograms,
                           ts.histograms, ts.exemplars_end - ts.exemplars_begin);
    if (!s.valid()) continue;
    for (uint32_t k = ts.samples_begin; k < ts.samples_end; ++k) {
      if (!s.append(req.samples[k].t_ms, req.samples[k].value)) return batch.abort();
    }
    if (cached && s.ref() != 0 && s.ref() != hint) cache->put(ts.raw_labels, s.ref());
    for (uint32_t k = ts.exemplars_begin; k < ts.exemplars_end; ++k) {
      const WriteRequestView::Exemplar& pe = req.exemplars[k];
      std::vector<tsdb::Label> items;
      items.reserve(pe.labels_end - pe.labels_begin);
      for (uint32_t j = pe.labels_begin; j < pe.labels_end; ++j)
        items.push_back({std::string(req.exemplar_labels[j].first), std::string(req.exemplar_labels[j].second)});
      tsdb::Exemplar e;
      e.labels = tsdb::Labels::from_unsorted(std::move(items));
      e.value = pe.value;
      e.t_ms = pe.t_ms;
      s.exemplar(e);
    }
    s.reject_histograms(ts.histograms);
  }
  for (const WriteRequestView::Metadata& md : req.metadata) {
    tsdb::MetricMetadata m;
    m.type = metric_type_name(md.type);
    m.help = std::string(md.help);
    m.unit = std::string(md.unit);
    batch.metadata(std::string(md.family), std::move(m));
  }
  return batch.commit();
}

const char* metric_type_name(int type) {
  switch (type) {
    case prometheus::MetricMetadata::COUNTER: return "counter";
    case prometheus::MetricMetadata::GAUGE: return "gauge";
    case prometheus::MetricMetadata::HISTOGRAM: return "histogram";
    case prometheus::MetricMetadata::GAUGEHISTOGRAM: return "gaugehistogram";
    case prometheus::MetricMetadata::SUMMARY: return "summary";
    case prometheus::MetricMetadata::INFO: return "info";
    case prometheus::MetricMetadata::STATESET: return "stateset";
    default: return "unknown";
  }
}

int metric_type_value(std::string_view name) {
  for (int t = 1; t <= prometheus::MetricMetadata::STATESET; ++t)
    if (name == metric_type_name(t)) return t;
  return 0;
}

}  // namespace strata::remote
