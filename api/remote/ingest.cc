#include "api/remote/ingest.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace strata::api::remote {
namespace {

using tsdb::AppendErrorKind;

// Label sets and error messages are cut to these sizes so that one absurd
// series (say a 1 MB label value) cannot blow up the response or the log.
constexpr size_t kMaxLabelsInMessage = 512;
constexpr size_t kMaxMessage = 2048;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string* s, size_t max, std::string_view suffix) {
  if (s->size() <= max) return;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xc0) == 0x80) --n;
  s->resize(n);
  s->append(suffix);
}

std::string labels_for_message(const tsdb::Labels& labels) {
  std::string s = labels.to_string();
  truncate_utf8(&s, kMaxLabelsInMessage, "...}");
  return s;
}

class Ingester {
 public:
  Ingester(tsdb::Appendable& db, const IngestOptions& opts) : app_(db.appender()), opts_(opts) {}

  IngestResult run(prometheus::WriteRequest& req) {
    for (int i = 0; i < req.timeseries_size(); ++i) {
      if (!series(i, *req.mutable_timeseries(i))) return abort();
    }
    for (auto& md : *req.mutable_metadata()) metadata(md);
    if (staged_ == 0 && exemplars_staged_ == 0 && r_.metadata_written == 0) {
      app_->rollback();
      return std::move(r_);
    }
    if (absl::Status s = app_->commit(); !s.ok()) {
      r_.fatal = absl::Status(s.code() == absl::StatusCode::kOk ? absl::StatusCode::kInternal : s.code(),
                              absl::StrCat("commit failed: ", std::string(s.message())));
      r_.samples_written = 0;
      r_.metadata_written = 0;
      return std::move(r_);
    }
    r_.samples_dropped = app_->dropped_in_batch();
    r_.samples_written = staged_ - std::min(staged_, r_.samples_dropped);
    r_.exemplars_written = exemplars_staged_;
    return std::move(r_);
  }

 private:
  // False when storage failed in a way that must abort the whole request.
  bool series(int index, prometheus::TimeSeries& ts) {
    ++r_.series;
    const uint64_t n_samples = uint64_t(ts.samples_size());
    const uint64_t n_hist = uint64_t(ts.histograms_size());
    r_.samples_received += n_samples + n_hist;
    r_.histograms_received += n_hist;
    r_.exemplars_received += uint64_t(ts.exemplars_size());

    // A series storage already has was validated when it was created: its
    // samples go in by ref, without building or checking Labels (most of a
    // request's cost). New series, and anything unusual, take the full path.
    tsdb::Labels labels;
    tsdb::SeriesRef ref = known_ref(ts);
    auto full_labels = [&]() -> bool {
      labels = take_labels(ts);
      absl::Status s = tsdb::validate_labels(labels, opts_.utf8_names);
      if (s.ok()) return true;
      reject(RejectReason::kInvalidLabels, n_samples + n_hist, [&] {
        // Name the label set unless the validation message already does.
        std::string what(s.message());
        std::string ls = labels_for_message(labels);
        return absl::StrCat("invalid labels in timeseries[", index, "]",
                            what.find(ls) == std::string::npos ? " " + ls : "", ": ", what);
      });
      return false;
    };
    if (ref == 0 && !full_labels()) {
      r_.exemplars_rejected += uint64_t(ts.exemplars_size());
      return true;
    }

    for (const prometheus::Sample& sample : ts.samples()) {
      absl::StatusOr<tsdb::SeriesRef> res =
          app_->append(ref, labels, sample.timestamp(), sample.value());
      if (!res.ok() && labels.empty() && res.status().code() == absl::StatusCode::kNotFound) {
        // Removed since the lookup (head truncation): create it anew.
        if (!full_labels()) return true;
        ref = 0;
        res = app_->append(ref, labels, sample.timestamp(), sample.value());
      }
      if (res.ok()) {
        ref = *res;
        ++staged_;
        continue;
      }
      if (labels.empty()) labels = take_labels(ts);  // for the message
      std::optional<RejectReason> reason = classify(res.status());
      if (!reason) {
        r_.fatal = absl::Status(res.status().code(),
                                absl::StrCat("append failed for series ", labels_for_message(labels),
                                             ": ", std::string(res.status().message())));
        return false;
      }
      reject(*reason, 1, [&] {
        return absl::StrCat(std::string(res.status().message()), " for series ",
                            labels_for_message(labels), " at timestamp ", sample.timestamp());
      });
    }
    for (prometheus::Exemplar& pe : *ts.mutable_exemplars()) exemplar(ref, labels, pe);
    if (n_hist > 0) {
      if (labels.empty()) labels = take_labels(ts);  // for the message
      reject(RejectReason::kNativeHistogramUnsupported, n_hist, [&] {
        return absl::StrCat("native histograms are not supported yet: ", n_hist,
                            " histogram samples of series ", labels_for_message(labels),
                            " rejected");
      });
    }
    return true;
  }

  // Stages one exemplar of the series (`ref` from its samples, or its
  // labels). Like Prometheus, a refused exemplar is counted, not reported.
  void exemplar(tsdb::SeriesRef ref, const tsdb::Labels& labels, prometheus::Exemplar& pe) {
    std::vector<tsdb::Label> items;
    items.reserve(size_t(pe.labels_size()));
    for (prometheus::Label& l : *pe.mutable_labels())
      items.push_back({std::move(*l.mutable_name()), std::move(*l.mutable_value())});
    tsdb::Exemplar e;
    e.labels = tsdb::Labels::from_unsorted(std::move(items));
    e.value = pe.value();
    e.t_ms = pe.timestamp();
    absl::StatusOr<tsdb::SeriesRef> r = app_->append_exemplar(ref, labels, e);
    if (r.ok()) {
      ++exemplars_staged_;
    } else {
      ++r_.exemplars_rejected;
    }
  }

  // The ref of the series if storage has it and the request's labels are
  // already in canonical form (sorted, unique names); else 0.
  tsdb::SeriesRef known_ref(const prometheus::TimeSeries& ts) {
    views_.clear();
    for (const prometheus::Label& l : ts.labels()) {
      if (l.value().empty()) continue;
      if (!views_.empty() && !(views_.back().first < l.name())) return 0;
      views_.emplace_back(l.name(), l.value());
    }
    return views_.empty() ? 0 : app_->lookup(views_);
  }

  // Drops empty-valued labels (absent in Prometheus) and sorts by name,
  // moving the strings out of the request.
  static tsdb::Labels take_labels(prometheus::TimeSeries& ts) {
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

  static std::optional<RejectReason> classify(const absl::Status& s) {
    switch (tsdb::append_error_kind(s)) {
      case AppendErrorKind::kOutOfOrder: return RejectReason::kOutOfOrder;
      case AppendErrorKind::kOutOfBounds: return RejectReason::kOutOfBounds;
      case AppendErrorKind::kDuplicate: return RejectReason::kDuplicate;
      case AppendErrorKind::kTooOld: return RejectReason::kTooOld;
      case AppendErrorKind::kTooFarInFuture: return RejectReason::kTooFarInFuture;
      default: break;
    }
    // Bad input that storage refused for a reason we do not know: reject the
    // sample (400). Anything else is a storage failure (500, sender retries).
    if (s.code() == absl::StatusCode::kInvalidArgument) return RejectReason::kOther;
    return std::nullopt;
  }

  template <typename MakeMessage>
  void reject(RejectReason reason, uint64_t n, MakeMessage&& make_message) {
    r_.rejected[size_t(reason)] += n;
    if (r_.first_error.ok()) {
      std::string m = make_message();
      truncate_utf8(&m, kMaxMessage, "...");
      r_.first_error = absl::InvalidArgumentError(m);
    }
  }

  void metadata(prometheus::MetricMetadata& md) {
    ++r_.metadata_received;
    // Metadata is advisory: entries that could not be shown back as JSON are
    // skipped silently rather than failing the samples that came with them.
    if (md.metric_family_name().empty() || !tsdb::is_valid_utf8(md.metric_family_name()) ||
        !tsdb::is_valid_utf8(md.help()) || !tsdb::is_valid_utf8(md.unit()))
      return;
    tsdb::MetricMetadata m;
    m.type = std::string(metric_type_name(md.type()));
    m.help = std::move(*md.mutable_help());
    m.unit = std::move(*md.mutable_unit());
    app_->update_metadata(md.metric_family_name(), m);
    ++r_.metadata_written;
  }

  IngestResult abort() {
    app_->rollback();
    r_.samples_written = 0;
    r_.exemplars_written = 0;
    r_.metadata_written = 0;
    return std::move(r_);
  }

  std::unique_ptr<tsdb::Appender> app_;
  std::vector<std::pair<std::string_view, std::string_view>> views_;  // known_ref scratch
  const IngestOptions& opts_;
  IngestResult r_;
  uint64_t staged_ = 0;
  uint64_t exemplars_staged_ = 0;
};

}  // namespace

const char* reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::kOutOfOrder: return "out_of_order";
    case RejectReason::kOutOfBounds: return "out_of_bounds";
    case RejectReason::kDuplicate: return "duplicate";
    case RejectReason::kTooOld: return "too_old";
    case RejectReason::kTooFarInFuture: return "too_far_in_future";
    case RejectReason::kInvalidLabels: return "invalid_labels";
    case RejectReason::kNativeHistogramUnsupported: return "native_histogram_unsupported";
    case RejectReason::kOther: return "other";
  }
  return "other";
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

uint64_t IngestResult::total_rejected() const {
  uint64_t n = 0;
  for (uint64_t v : rejected) n += v;
  return n;
}

IngestResult ingest_write_request(prometheus::WriteRequest& req, tsdb::Appendable& db,
                                  const IngestOptions& opts) {
  return Ingester(db, opts).run(req);
}

}  // namespace strata::api::remote
