// The seam between storage and everything above it (PromQL, scrape, rules,
// API). Ingest writes through an Appender transaction; reads go through a
// Querier bound to a time range, whose select() streams the series matching
// label matchers as a SeriesSet (tsdb/series.h). Implementations: the head
// (tsdb/head/head.h), blocks (tsdb/block/block_querier.h) and the merge of
// both (tsdb/block/merge_querier.h), which tsdb::DB (tsdb/db.h) hands out.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/matcher.h"
#include "tsdb/labels/metric_metadata.h"
#include "tsdb/series.h"

namespace strata::tsdb {

using SeriesRef = uint64_t;

// Per-sample append errors, with Prometheus' texts (storage/interface.go).
// Prometheus has no error for samples too far in the future (its scrape
// drops them silently); the text is ours.
inline constexpr const char* kErrOutOfOrder = "out of order sample";
inline constexpr const char* kErrOutOfBounds = "out of bounds";
inline constexpr const char* kErrDuplicate = "duplicate sample for timestamp";
inline constexpr const char* kErrTooOld = "too old sample";
inline constexpr const char* kErrTooFarInFuture = "sample timestamp too far in the future";
// A new series refused because the head holds --storage.tsdb.max-series
// series (Prometheus has no such limit; the text is ours).
inline constexpr const char* kErrSeriesLimit =
    "series limit reached: the head already holds --storage.tsdb.max-series series, new series are refused";
// Exemplar errors, with Prometheus' texts (storage/interface.go).
inline constexpr const char* kErrOutOfOrderExemplar = "out of order exemplar";
inline constexpr const char* kErrExemplarLabelLength =
    "label length for exemplar exceeds maximum of 128 UTF-8 characters";
inline constexpr const char* kErrExemplarsDisabled =
    "exemplar storage is disabled or max exemplars is less than or equal to 0";

enum class AppendErrorKind {
  kNone,
  kOutOfOrder,
  kOutOfBounds,
  kDuplicate,
  kTooOld,
  kTooFarInFuture,
  kSeriesLimit,
  kOutOfOrderExemplar,
  kExemplarLabelsTooLong,
  kExemplarsDisabled,
  kOther,
};
// The InvalidArgument status for a per-sample rejection: the kErr* text as
// message and the kind as a typed payload, so callers classify it with
// append_error_kind() and never by its text.
absl::Status append_error(AppendErrorKind kind);
// The kind append_error() stored in `s`; kNone for OK, kOther for any other
// status.
AppendErrorKind append_error_kind(const absl::Status& s);

// An exemplar: a sample of an event (typically a trace) attached to a
// series, with its own labels (e.g. trace_id).
struct Exemplar {
  Labels labels;
  double value = 0;
  int64_t t_ms = 0;
};

// The answer of an exemplar query for one series (/api/v1/query_exemplars).
struct ExemplarSeries {
  Labels series_labels;
  std::vector<Exemplar> exemplars;  // oldest first
};

// A write transaction. Not thread-safe; use one per thread at a time.
// commit() writes the WAL first, then makes the samples visible.
class Appender {
 public:
  virtual ~Appender() = default;
  // Stages one sample. `ref` is 0 or a ref returned earlier for the same
  // labels (a cache hint). Errors: kErr* above for per-sample rejections
  // (the transaction stays usable), InvalidArgument for bad labels.
  virtual absl::StatusOr<SeriesRef> append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                           double v) = 0;
  // The ref of a series storage already holds whose labels are exactly
  // `labels` (sorted by name, no empty values), or 0. Lets a caller that has
  // labels in another form (a decoded request) skip building and validating
  // Labels for known series: it then appends with the ref and empty labels,
  // and gets NotFound if the series was removed in between.
  virtual SeriesRef lookup(std::span<const std::pair<std::string_view, std::string_view>> labels) {
    return 0;
  }
  virtual void update_metadata(const std::string& metric_family, const MetricMetadata& md) = 0;
  // Samples append() accepted that commit() will not write, because they
  // contradict an earlier sample of this transaction (same time with another
  // value, or older): Prometheus drops those at commit without an error.
  virtual uint64_t dropped_in_batch() const { return 0; }
  // Stages an exemplar for the series `ref` (from append() or lookup()) or,
  // with ref 0, the existing series with `labels`; stored at commit().
  // Errors: the exemplar kinds of append_error() (per exemplar; the
  // transaction stays usable), NotFound for an unknown series, Unimplemented
  // where exemplars are not stored. A resend of the series' newest exemplar
  // is accepted and ignored.
  virtual absl::StatusOr<SeriesRef> append_exemplar(SeriesRef ref, const Labels& labels,
                                                    const Exemplar& e) {
    return absl::UnimplementedError("exemplars are not stored");
  }
  // Makes the staged samples visible. The transaction is finished afterwards.
  // kUnavailable ("storage unavailable: no space left on device ..." or
  // "... I/O error ...") when storage cannot write now (tsdb/wal/writer.h):
  // nothing of the transaction was stored or became visible, and retrying
  // later may succeed (HTTP receivers answer 503).
  virtual absl::Status commit() = 0;
  // Drops the staged samples. The transaction is finished afterwards.
  virtual void rollback() = 0;
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> appender() = 0;
};

// How to select: the order wanted, and hints from the query engine that
// storage may use to skip data.
struct SelectOptions {
  // Series in label order. Blocks and merges are sorted anyway; the head
  // sorts only when asked.
  bool sorted = false;
  // Narrows the querier's range to [start_ms, end_ms] (inclusive); the
  // defaults keep it.
  int64_t start_ms = std::numeric_limits<int64_t>::min();
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  int64_t step_ms = 0;   // the query's step (hint only)
  int64_t range_ms = 0;  // a range selector's width (hint only)
  // The enclosing function, "series" for /api/v1/series (hint only). Braced
  // so designated initializers may omit it without a GCC 12 warning.
  std::string func{};
};

// Reads a fixed time range [mint_ms, maxt_ms]. Thread-compatible. A SeriesSet
// must be used up before its Querier is destroyed; Series taken from it stay
// valid afterwards.
class Querier {
 public:
  virtual ~Querier() = default;
  // Series matching all matchers (at least one must not match the empty
  // string), each with its samples in the range, produced as the set is
  // iterated. Never null: errors come from the set's status().
  virtual std::unique_ptr<SeriesSet> select(const SelectOptions& opts,
                                            const Matchers& matchers) = 0;
  // Sorted, unique label names / values of series matching `matchers` (all
  // series when empty). `limit` 0 = unlimited.
  virtual absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                                size_t limit = 0) = 0;
  virtual absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                                 const Matchers& matchers,
                                                                 size_t limit = 0) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual absl::StatusOr<std::unique_ptr<Querier>> querier(int64_t mint_ms, int64_t maxt_ms) = 0;
};

// Read access to stored metric metadata, keyed by metric family name.
class MetadataReader {
 public:
  virtual ~MetadataReader() = default;
  // metric family -> distinct metadata entries; `metric` "" = all families.
  virtual std::vector<std::pair<std::string, std::vector<MetricMetadata>>> metadata(
      const std::string& metric, size_t limit, size_t limit_per_metric) const = 0;
};

// Validates a label set the way Prometheus' ingest paths do: non-empty
// names matching [a-zA-Z_][a-zA-Z0-9_]* (metric name [a-zA-Z_:][a-zA-Z0-9_:]*
// unless `utf8_names`), valid UTF-8, no duplicate names and a non-empty
// __name__. The message says which label was wrong. (Labels with empty values
// mean "absent" in Prometheus; ingest paths drop them before validating.)
absl::Status validate_labels(const Labels& labels, bool utf8_names = false);
bool is_valid_metric_name(std::string_view s);
bool is_valid_label_name(std::string_view s);
bool is_valid_utf8(std::string_view s);

}  // namespace strata::tsdb
