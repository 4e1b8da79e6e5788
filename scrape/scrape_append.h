// ScrapeAppender: what happens to one target's scrape between the HTTP body
// and storage, as Prometheus' scrape loop does it. One per target, kept
// across scrapes (and handed on when a reload restarts the target's loop).
//
// Per scrape, in one tsdb::IngestBatch:
//   1. The body is parsed (scrape/textparse); each sample's series is looked
//      up in a cache keyed by its bytes as the target wrote them. A new one
//      gets the target labels (honor_labels, else clashing exposed labels
//      renamed `exported_<name>`), metric_relabel_configs, and the checks
//      that fail the whole scrape: a missing or invalid name, label_limit,
//      label_name_length_limit, label_value_length_limit. Series dropped by
//      relabelling are cached as dropped.
//   2. Samples are appended with the cached storage ref; out-of-order,
//      duplicate and out-of-bounds samples are counted, not fatal. Past
//      sample_limit nothing more is appended (parsing goes on to count the
//      samples) and the scrape fails with "sample limit exceeded".
//   3. Series of the previous successful scrape that are missing now get a
//      stale marker at the scrape's time (samples with their own timestamp
//      only with track_timestamps_staleness).
//   4. A scrape that failed (HTTP, parse, limits) stores nothing of its body:
//      the batch is dropped and a new one marks every series of the previous
//      scrape stale, as an empty scrape would.
//   5. The report series: up, scrape_duration_seconds,
//      scrape_samples_scraped, scrape_samples_post_metric_relabeling,
//      scrape_series_added (+ scrape_timeout_seconds, scrape_sample_limit,
//      scrape_body_size_bytes with extra-scrape-metrics).
// end_of_run() marks the last scrape's series and the report series stale
// when a target goes away.
//
// Metadata (TYPE, HELP, UNIT) is kept per metric family as last scraped and
// written to storage when it changes.
//
// Not thread-safe: one scrape at a time (the target's loop serializes them).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "scrape/config.h"
#include "scrape/textparse/parser.h"
#include "tsdb/ingest.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/metric_metadata.h"
#include "tsdb/storage.h"

namespace strata::scrape {

struct AppendOptions {
  std::shared_ptr<const ScrapeConfig> config;  // honor_*, limits, metric_relabel_configs
  tsdb::Labels target_labels;                  // job, instance, ... after relabelling
  bool prometheus_v2 = false;                  // see ManagerOptions
  bool extra_metrics = false;                  // --enable-feature=extra-scrape-metrics
};

// What one scrape did, for the report series, the target's health and
// self-metrics.
struct ScrapeOutcome {
  uint64_t total = 0;         // samples in the body (scrape_samples_scraped)
  uint64_t added = 0;         // left after metric relabelling
  uint64_t series_added = 0;  // series new to this target's cache
  // Samples storage refused (out of order, duplicate, out of bounds, ...),
  // by tsdb::RejectReason; they do not fail the scrape.
  std::array<uint64_t, tsdb::kNumRejectReasons> rejected{};
  bool sample_limit_exceeded = false;
  bool label_limits_exceeded = false;
  // Why the scrape failed (the HTTP error passed in, a parse error, a
  // limit); OK when it succeeded. This is the target's lastError.
  absl::Status error;
  // Storage failed: nothing of this scrape (not even `up`) was written.
  absl::Status storage_error;
};

class ScrapeAppender {
 public:
  explicit ScrapeAppender(AppendOptions opts);
  ScrapeAppender(const ScrapeAppender&) = delete;
  ScrapeAppender& operator=(const ScrapeAppender&) = delete;

  // A new configuration for the same target (reload): the cache stays when
  // only what does not change series identity changed.
  void set_options(AppendOptions opts);
  const AppendOptions& options() const { return opts_; }

  // Stores one scrape taken at `t_ms`. `fetch_error` is why fetching
  // failed (HTTP, transport, an unknown Content-Type); then `body` is
  // ignored and the scrape counts as failed. `duration_s` and
  // `body_bytes` are reported as scrape_duration_seconds and
  // scrape_body_size_bytes.
  ScrapeOutcome scrape(tsdb::Appendable& db, const absl::Status& fetch_error,
                       textparse::Format format, std::string_view body, int64_t t_ms,
                       double duration_s, uint64_t body_bytes);

  // The target went away: stale markers at `t_ms` for the last scrape's
  // series and the report series.
  absl::Status end_of_run(tsdb::Appendable& db, int64_t t_ms);

  // Metadata of the last scrapes, by metric family (sorted), when it
  // changed since the last call; nullopt otherwise.
  std::optional<std::vector<std::pair<std::string, tsdb::MetricMetadata>>> changed_metadata();
  // Series in the cache (for tests and the targets API).
  size_t cached_series() const { return series_.size(); }

 private:
  // Final labels (target labels and relabelling applied), shared with the
  // staleness sets so that marking a series seen copies no strings.
  using LabelsPtr = std::shared_ptr<const tsdb::Labels>;
  struct Entry {
    tsdb::SeriesRef ref = 0;
    LabelsPtr labels;
    uint64_t hash = 0;
    int64_t last_iter = 0;
  };
  struct Meta {
    tsdb::MetricMetadata md;
    int64_t last_iter = 0;
    bool stored = false;  // written to storage as it is now
  };

  // Parses and appends; fills `out`; false (with out->error set) when the
  // scrape fails.
  bool append_body(tsdb::IngestBatch& b, textparse::Format format, std::string_view body,
                   int64_t t_ms, ScrapeOutcome* out);
  // The final labels of a new exposed series, or nullopt when relabelling
  // drops it; `error` set when it fails the scrape.
  std::optional<tsdb::Labels> target_series(std::vector<tsdb::LabelView>& exposed, absl::Status* error,
                                            ScrapeOutcome* out);
  void mark_stale(tsdb::IngestBatch& b, int64_t t_ms);
  void report(tsdb::IngestBatch& b, int64_t t_ms, bool up, double duration_s, const ScrapeOutcome& o,
              uint64_t body_bytes, bool stale);
  Meta& meta(std::string_view family);
  void finish_iteration(bool successful);

  AppendOptions opts_;
  int64_t iter_ = 0;
  absl::flat_hash_map<std::string, Entry> series_;     // by the series' bytes
  absl::flat_hash_map<std::string, int64_t> dropped_;  // by bytes -> last iteration seen
  // Series appended by the previous / current successful scrape, by hash
  // of their final labels: the previous ones missing now go stale.
  absl::flat_hash_map<uint64_t, LabelsPtr> prev_, cur_;
  std::map<std::string, Meta, std::less<>> meta_;
  bool meta_changed_ = false;
  // The report series' refs, in report order.
  std::vector<tsdb::SeriesRef> report_refs_;
  std::vector<tsdb::Labels> report_labels_;
  // Scratch, reused across samples.
  std::vector<tsdb::LabelView> views_;
};

}  // namespace strata::scrape
