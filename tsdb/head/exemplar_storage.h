// ExemplarStorage: the exemplars of the head, as Prometheus'
// CircularExemplarStorage (tsdb/exemplar.go). One circular buffer of at most
// `max_exemplars` entries shared by all series: when it is full, the next
// exemplar overwrites the oldest one of any series. Each series with
// exemplars has an index entry (found by its labels) linking its own
// exemplars oldest to newest through the buffer, and its time range, so a
// query visits only series that match and overlap the range; an index by
// metric name narrows `__name__="x"` selectors without looking at the rest.
//
// Rules, with Prometheus' texts (tsdb/storage.h): the exemplar's label set
// may hold at most 128 UTF-8 characters, names and values together
// (remote-write spec) "label length for exemplar exceeds maximum of 128 UTF-8
// characters"; per series, an exemplar equal to the newest one (timestamp,
// value bits, labels) is a resend and ignored; one not newer than the newest
// is "out of order exemplar". With max_exemplars 0 everything is refused
// ("exemplar storage is disabled").
//
// Exemplars live in memory only: they are not written to the WAL (Prometheus
// logs them) and do not survive a restart; index entries are keyed by series
// labels, not head refs, so they outlive head truncation like Prometheus'.
//
// Thread-safe: add() and check() take the exclusive lock, select() the
// shared one. Memory grows with use up to max_exemplars entries (~100 bytes
// each plus label strings), never allocated up front.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "base/metrics.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

// The remote-write spec's (and Prometheus') limit on an exemplar's labels:
// runes of every name and value together.
inline constexpr size_t kExemplarMaxLabelSetRunes = 128;

class ExemplarStorage {
 public:
  // `max_exemplars` 0 disables storage. `registry` may be null (no metrics).
  ExemplarStorage(int64_t max_exemplars, metrics::Registry* registry);
  ExemplarStorage(const ExemplarStorage&) = delete;
  ExemplarStorage& operator=(const ExemplarStorage&) = delete;

  // Whether add() would store `e` for `series` now: OK (also for a resend of
  // the newest exemplar, which add() ignores; *duplicate says so), or
  // append_error() kinds kExemplarsDisabled, kExemplarLabelsTooLong,
  // kOutOfOrderExemplar.
  absl::Status check(const Labels& series, const Exemplar& e, bool* duplicate) const;
  // Stores `e` unless check() refuses it or it is a resend (OK, not stored).
  absl::Status add(const Labels& series, const Exemplar& e);

  // Exemplars in [mint_ms, maxt_ms] of every series matching all matchers of
  // at least one set, each series' exemplars oldest first, series sorted by
  // labels. Series without exemplars in the range are left out.
  std::vector<ExemplarSeries> select(int64_t mint_ms, int64_t maxt_ms,
                                     const std::vector<Matchers>& selectors) const;

  int64_t max_exemplars() const { return max_; }
  size_t size() const;

 private:
  struct SeriesEntry;
  struct Slot {
    Exemplar e;
    int32_t next = -1;              // the series' next newer exemplar, -1 for its newest
    SeriesEntry* series = nullptr;  // null while the slot was never used
  };
  struct SeriesEntry {
    Labels labels;
    int32_t oldest = -1;  // slot indices
    int32_t newest = -1;
  };
  struct LabelsHash {
    size_t operator()(const Labels& l) const { return l.hash(); }
  };
  using Index = absl::node_hash_map<Labels, SeriesEntry, LabelsHash>;

  absl::Status check_locked(const SeriesEntry* s, const Exemplar& e, bool* duplicate) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Frees slot `i` (the oldest exemplar of its series) for reuse.
  void evict_locked(int32_t i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void collect_locked(const SeriesEntry& s, int64_t mint_ms, int64_t maxt_ms,
                      std::vector<ExemplarSeries>* out) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const int64_t max_;
  mutable std::shared_mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);  // grows to max_, then wraps
  int32_t next_ ABSL_GUARDED_BY(mu_) = 0;         // the slot the next exemplar takes
  Index index_ ABSL_GUARDED_BY(mu_);
  // Metric name -> its series' entries (pointers into index_, which are
  // stable in a node map).
  absl::flat_hash_map<std::string, std::vector<SeriesEntry*>> by_name_ ABSL_GUARDED_BY(mu_);
  size_t stored_ ABSL_GUARDED_BY(mu_) = 0;

  metrics::Counter* appended_ = nullptr;
  metrics::Counter* out_of_order_ = nullptr;
  std::atomic<int64_t> last_t_ms_{0};
};

}  // namespace strata::tsdb
