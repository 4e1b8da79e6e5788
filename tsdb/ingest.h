// One ingest transaction, shared by every way samples arrive (remote write,
// scrapes, OTLP, rule results): what does not depend on the wire format.
//
// Per series, Prometheus-style: labels with empty values are dropped (empty
// means absent), the rest sorted and validated; every sample of a valid
// series is appended; per-sample rejections (out of order, out of bounds,
// duplicate, too old, too far in the future; storage decides, so every
// ingest path shares the rules) and invalid series are counted by reason and
// skipped while everything valid is still committed. Exemplars go to
// Appender::append_exemplar (refusals are counted, never fail the batch, as
// in Prometheus); metadata to Appender::update_metadata.
//
// Fast path: a series storage already has was validated when it was created.
// begin_series() first looks its labels up in the form the input has them
// (views, in input order); only a new series, or one in non-canonical order,
// has its Labels built (by the caller's `take`, which may move strings out of
// the decoded input) and validated.
//
// Use:
//   IngestBatch b(db, opts);
//   for each input series i:
//     auto take = [&] { return labels of i; };
//     IngestBatch::Series s = b.begin_series(i, views, take, n_samples, n_exemplars);
//     if (!s.valid()) continue;               // counted as invalid_labels
//     for each sample: if (!s.append(t, v)) return b.abort();  // storage failure
//     for each exemplar: s.exemplar(e);
//   b.metadata(family, md) ...
//   IngestResult r = b.commit();
//
// Not thread-safe: one batch per request, on one thread. `take` must outlive
// the Series that received it. The Appendable must outlive the batch.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

// Why a sample was not written; also the `reason` label of the ingest paths'
// rejected-samples counters.
enum class RejectReason {
  kOutOfOrder,
  kOutOfBounds,
  kDuplicate,
  kTooOld,
  kTooFarInFuture,  // beyond DBOptions::too_far_in_future_window_ms of the wall clock
  kSeriesLimit,     // a new series beyond --storage.tsdb.max-series
  kInvalidLabels,
  kNativeHistogramUnsupported,
  kOther,  // storage refused the sample with InvalidArgument for another reason
};
inline constexpr size_t kNumRejectReasons = 9;
const char* reject_reason_name(RejectReason r);

struct IngestOptions {
  // Prometheus 3 accepts any UTF-8 metric and label names; 2.x (and the
  // default here) requires the classic [a-zA-Z_:][a-zA-Z0-9_:]* forms.
  bool utf8_names = false;
  // How messages name an input series: `invalid labels in <item>[3] ...`.
  const char* item_name = "series";
};

struct IngestResult {
  uint64_t series = 0;
  uint64_t samples_received = 0;  // float samples + native histogram samples
  uint64_t samples_written = 0;   // committed; 0 when `fatal` is set
  // Accepted but not written: a later sample of a series at the same time
  // as, or older than, an earlier one of the same batch (Prometheus drops
  // those without an error; the first is kept).
  uint64_t samples_dropped = 0;
  uint64_t histograms_received = 0;  // also counted in samples_received
  uint64_t exemplars_received = 0;
  uint64_t exemplars_written = 0;   // committed (0 when `fatal` is set)
  uint64_t exemplars_rejected = 0;  // refused by storage, or of a rejected series
  uint64_t metadata_received = 0;
  uint64_t metadata_written = 0;
  std::array<uint64_t, kNumRejectReasons> rejected{};
  // The first rejection in input order, with what and where, e.g.
  // `out of order sample for series {__name__="up"} at timestamp 1000`.
  // OK when nothing was rejected.
  absl::Status first_error;
  // A storage failure that aborted the batch (append error other than a
  // per-sample rejection, or commit failure). Nothing was written; the sender
  // should retry.
  absl::Status fatal;

  uint64_t total_rejected() const;
  uint64_t rejected_for(RejectReason r) const { return rejected[size_t(r)]; }
};

// A label as the input carries it (name, value); may have an empty value.
using LabelView = std::pair<std::string_view, std::string_view>;

class IngestBatch {
 public:
  IngestBatch(Appendable& db, const IngestOptions& opts);
  IngestBatch(const IngestBatch&) = delete;
  IngestBatch& operator=(const IngestBatch&) = delete;

  // The current input series; valid until the next begin_series() or the end
  // of the batch.
  class Series {
   public:
    bool valid() const { return valid_; }
    // Stages one sample. False only on a storage failure that aborts the
    // batch (the caller then returns b.abort()); per-sample rejections are
    // counted and return true.
    bool append(int64_t t_ms, double v);
    // Stages an exemplar; refusals are counted.
    void exemplar(const Exemplar& e);
    // Counts `n` native histogram samples as rejected (not supported yet).
    void reject_histograms(uint64_t n);
    // The series' storage ref once a sample was staged (0 before, or when
    // the series is invalid): a cache hint for the next batch.
    SeriesRef ref() const { return ref_; }

   private:
    friend class IngestBatch;
    Series(IngestBatch* b, int index, absl::FunctionRef<Labels()> take, uint64_t n_total)
        : b_(b), index_(index), take_(take), n_total_(n_total) {}
    Series(IngestBatch* b, int index, const Labels* given, uint64_t n_total)
        : b_(b), index_(index), given_(given), n_total_(n_total) {}
    const Labels& labels();  // built by `take` on first use
    bool has_labels() const { return given_ != nullptr || have_labels_; }
    // The labels when known, else empty ones (append by ref only).
    const Labels& labels_or_none() const;
    // Builds and validates the labels; when invalid, counts all the series'
    // samples as rejected and makes the series invalid.
    bool validate();

    IngestBatch* b_;
    int index_;
    // Where the labels come from: built by `take_` on first use, or given.
    std::optional<absl::FunctionRef<Labels()>> take_;
    const Labels* given_ = nullptr;
    uint64_t n_total_;  // samples + histograms, rejected together when the labels are invalid
    Labels labels_;
    bool have_labels_ = false;
    bool valid_ = true;
    SeriesRef ref_ = 0;
  };

  // Starts input series `index`. `views` are its labels as the input carries
  // them (empty values allowed); `take` returns them as Labels with empty
  // values dropped, sorted by name (e.g. labels_from_views), and is called at
  // most once. `n_samples` (floats + histograms, of which `n_histograms`
  // histograms) and `n_exemplars` are what the input has for it: counted as
  // received, and as rejected when the labels are invalid. The caller skips
  // a series that is not valid().
  Series begin_series(int index, std::span<const LabelView> views,
                      absl::FunctionRef<Labels()> take, uint64_t n_samples,
                      uint64_t n_histograms, uint64_t n_exemplars);

  // The same with the ref a cache of the caller's (remote/series_ref_cache.h)
  // remembers for exactly these input labels: non-zero skips the lookup; a
  // stale one is handled like a series dropped since a lookup.
  Series begin_series(int index, SeriesRef hint, std::span<const LabelView> views,
                      absl::FunctionRef<Labels()> take, uint64_t n_samples,
                      uint64_t n_histograms, uint64_t n_exemplars);

  // A series the caller identified itself (a scrape's per-target cache):
  // `labels` canonical (sorted, no empty values) and validated when the
  // caller first built them; `ref` from an earlier batch, or 0. Only when
  // `ref` is 0 (or storage dropped the series since) are the labels
  // validated here and the series looked up or created. `labels` must
  // outlive the returned Series.
  Series begin_series(int index, SeriesRef ref, const Labels& labels, uint64_t n_samples,
                      uint64_t n_exemplars);

  // Metadata for a metric family; entries that could not be shown back as
  // JSON (empty name, invalid UTF-8) are skipped silently: metadata is
  // advisory and must not fail the samples that came with it.
  void metadata(const std::string& family, MetricMetadata md);

  // The counts so far (before commit: what was staged and rejected).
  const IngestResult& progress() const { return r_; }

  // Commits what was staged (or rolls back when nothing was) and returns the
  // counts. The batch is finished afterwards.
  IngestResult commit();
  // Rolls back after Series::append() returned false; `fatal` is set.
  IngestResult abort();

 private:
  template <typename MakeMessage>
  void reject(RejectReason reason, uint64_t n, MakeMessage&& make_message);

  std::unique_ptr<Appender> app_;
  const IngestOptions opts_;
  std::vector<LabelView> canonical_;  // begin_series scratch
  IngestResult r_;
  uint64_t staged_ = 0;
  uint64_t exemplars_staged_ = 0;
};

// Labels from input views: empty values dropped, sorted by name.
Labels labels_from_views(std::span<const LabelView> views);

}  // namespace strata::tsdb
