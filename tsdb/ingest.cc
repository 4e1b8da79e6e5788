#include "tsdb/ingest.h"

#include <algorithm>
#include <optional>

#include "fmt/format.h"

namespace strata::tsdb {
namespace {

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

std::string labels_for_message(const Labels& labels) {
  std::string s = labels.to_string();
  truncate_utf8(&s, kMaxLabelsInMessage, "...}");
  return s;
}

std::optional<RejectReason> classify(const absl::Status& s) {
  switch (append_error_kind(s)) {
    case AppendErrorKind::kOutOfOrder: return RejectReason::kOutOfOrder;
    case AppendErrorKind::kOutOfBounds: return RejectReason::kOutOfBounds;
    case AppendErrorKind::kDuplicate: return RejectReason::kDuplicate;
    case AppendErrorKind::kTooOld: return RejectReason::kTooOld;
    case AppendErrorKind::kTooFarInFuture: return RejectReason::kTooFarInFuture;
    case AppendErrorKind::kSeriesLimit: return RejectReason::kSeriesLimit;
    default: break;
  }
  // Bad input that storage refused for a reason we do not know: reject the
  // sample (400). Anything else is a storage failure (500, sender retries).
  if (s.code() == absl::StatusCode::kInvalidArgument) return RejectReason::kOther;
  return std::nullopt;
}

}  // namespace

const char* reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::kOutOfOrder: return "out_of_order";
    case RejectReason::kOutOfBounds: return "out_of_bounds";
    case RejectReason::kDuplicate: return "duplicate";
    case RejectReason::kTooOld: return "too_old";
    case RejectReason::kTooFarInFuture: return "too_far_in_future";
    case RejectReason::kSeriesLimit: return "series_limit";
    case RejectReason::kInvalidLabels: return "invalid_labels";
    case RejectReason::kNativeHistogramUnsupported: return "native_histogram_unsupported";
    case RejectReason::kOther: return "other";
  }
  return "other";
}

uint64_t IngestResult::total_rejected() const {
  uint64_t n = 0;
  for (uint64_t v : rejected) n += v;
  return n;
}

Labels labels_from_views(std::span<const LabelView> views) {
  std::vector<Label> items;
  items.reserve(views.size());
  for (const auto& [name, value] : views) {
    if (!value.empty()) items.push_back({std::string(name), std::string(value)});
  }
  return Labels::from_unsorted(std::move(items));
}

IngestBatch::IngestBatch(Appendable& db, const IngestOptions& opts)
    : app_(db.appender()), opts_(opts) {}

template <typename MakeMessage>
void IngestBatch::reject(RejectReason reason, uint64_t n, MakeMessage&& make_message) {
  r_.rejected[size_t(reason)] += n;
  if (r_.first_error.ok()) {
    std::string m = make_message();
    truncate_utf8(&m, kMaxMessage, "...");
    r_.first_error = absl::InvalidArgumentError(m);
  }
}

IngestBatch::Series IngestBatch::begin_series(int index, std::span<const LabelView> views,
                                              absl::FunctionRef<Labels()> take,
                                              uint64_t n_samples, uint64_t n_histograms,
                                              uint64_t n_exemplars) {
  return begin_series(index, 0, views, take, n_samples, n_histograms, n_exemplars);
}

IngestBatch::Series IngestBatch::begin_series(int index, SeriesRef hint,
                                              std::span<const LabelView> views,
                                              absl::FunctionRef<Labels()> take,
                                              uint64_t n_samples, uint64_t n_histograms,
                                              uint64_t n_exemplars) {
  ++r_.series;
  r_.samples_received += n_samples;
  r_.histograms_received += n_histograms;
  r_.exemplars_received += n_exemplars;
  Series s(this, index, take, n_samples);
  if (hint != 0) {
    s.ref_ = hint;
    return s;
  }

  // Known series whose input labels are already canonical (sorted, unique
  // names) skip building and validating Labels: most of an input's cost.
  canonical_.clear();
  for (const LabelView& l : views) {
    if (l.second.empty()) continue;
    if (!canonical_.empty() && !(canonical_.back().first < l.first)) {
      canonical_.clear();
      break;
    }
    canonical_.push_back(l);
  }
  if (!canonical_.empty()) s.ref_ = app_->lookup(canonical_);
  if (s.ref_ == 0 && !s.validate()) r_.exemplars_rejected += n_exemplars;
  return s;
}

IngestBatch::Series IngestBatch::begin_series(int index, SeriesRef ref, const Labels& labels,
                                              uint64_t n_samples, uint64_t n_exemplars) {
  ++r_.series;
  r_.samples_received += n_samples;
  r_.exemplars_received += n_exemplars;
  Series s(this, index, &labels, n_samples);
  s.ref_ = ref;
  if (ref == 0 && !s.validate()) r_.exemplars_rejected += n_exemplars;
  return s;
}

const Labels& IngestBatch::Series::labels() {
  if (given_ != nullptr) return *given_;
  if (!have_labels_) {
    labels_ = (*take_)();
    have_labels_ = true;
  }
  return labels_;
}

const Labels& IngestBatch::Series::labels_or_none() const {
  static const Labels kByRef;  // append by ref only
  if (given_ != nullptr) return *given_;
  return have_labels_ ? labels_ : kByRef;
}

bool IngestBatch::Series::validate() {
  const Labels& ls = labels();
  absl::Status st = validate_labels(ls, b_->opts_.utf8_names);
  if (st.ok()) return true;
  valid_ = false;
  b_->reject(RejectReason::kInvalidLabels, n_total_, [&] {
    // Name the label set unless the validation message already does.
    std::string what(st.message());
    std::string text = labels_for_message(ls);
    return fmt::format("invalid labels in {}[{}]{}: {}", b_->opts_.item_name, index_,
                       what.find(text) == std::string::npos ? " " + text : "", what);
  });
  return false;
}

bool IngestBatch::Series::append(int64_t t_ms, double v) {
  if (!valid_) return true;
  Appender& app = *b_->app_;
  absl::StatusOr<SeriesRef> res = app.append(ref_, labels_or_none(), t_ms, v);
  if (!res.ok() && !has_labels() && res.status().code() == absl::StatusCode::kNotFound) {
    // Removed since the lookup (head truncation): create it anew.
    if (!validate()) return true;
    ref_ = 0;
    res = app.append(ref_, labels(), t_ms, v);
  }
  if (res.ok()) {
    ref_ = *res;
    ++b_->staged_;
    return true;
  }
  std::optional<RejectReason> reason = classify(res.status());
  if (!reason) {
    b_->r_.fatal = absl::Status(res.status().code(),
                                fmt::format("append failed for series {}: {}",
                                            labels_for_message(labels()), std::string(res.status().message())));
    return false;
  }
  b_->reject(*reason, 1, [&] {
    return fmt::format("{} for series {} at timestamp {}", std::string(res.status().message()),
                       labels_for_message(labels()), t_ms);
  });
  return true;
}

void IngestBatch::Series::exemplar(const Exemplar& e) {
  if (!valid_) {
    ++b_->r_.exemplars_rejected;
    return;
  }
  absl::StatusOr<SeriesRef> r = b_->app_->append_exemplar(ref_, labels_or_none(), e);
  if (r.ok()) {
    ++b_->exemplars_staged_;
  } else {
    ++b_->r_.exemplars_rejected;
  }
}

void IngestBatch::Series::reject_histograms(uint64_t n) {
  if (!valid_ || n == 0) return;  // an invalid series' histograms are counted already
  b_->reject(RejectReason::kNativeHistogramUnsupported, n, [&] {
    return fmt::format("native histograms are not supported yet: {} histogram samples of series {} rejected",
                       n, labels_for_message(labels()));
  });
}

void IngestBatch::metadata(const std::string& family, MetricMetadata md) {
  ++r_.metadata_received;
  if (family.empty() || !is_valid_utf8(family) || !is_valid_utf8(md.help) ||
      !is_valid_utf8(md.unit))
    return;
  app_->update_metadata(family, md);
  ++r_.metadata_written;
}

IngestResult IngestBatch::commit() {
  if (staged_ == 0 && exemplars_staged_ == 0 && r_.metadata_written == 0) {
    app_->rollback();
    return std::move(r_);
  }
  if (absl::Status s = app_->commit(); !s.ok()) {
    // "storage unavailable: ..." is the whole story; other failures say
    // where they happened.
    r_.fatal = s.code() == absl::StatusCode::kUnavailable
                   ? s
                   : absl::Status(s.code(), fmt::format("commit failed: {}", std::string(s.message())));
    r_.samples_written = 0;
    r_.metadata_written = 0;
    return std::move(r_);
  }
  r_.samples_dropped = app_->dropped_in_batch();
  r_.samples_written = staged_ - std::min(staged_, r_.samples_dropped);
  r_.exemplars_written = exemplars_staged_;
  return std::move(r_);
}

IngestResult IngestBatch::abort() {
  app_->rollback();
  r_.samples_written = 0;
  r_.exemplars_written = 0;
  r_.metadata_written = 0;
  return std::move(r_);
}

}  // namespace strata::tsdb
