// HeadAppender: a transaction of samples against the head. Each sample is
// checked against the committed state when staged, so rejections are
// reported per sample, and pins its series so truncation cannot remove it
// before the commit. commit() encodes the batch (new series, samples,
// changed metadata) outside any lock, writes it to the WAL — concurrent
// commits share one write — and only then applies the samples.
#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "base/clock.h"
#include "base/status.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

// Per-thread encode buffers: a commit reuses the capacity of the previous one.
struct CommitScratch {
  WalBatch batch;
  std::vector<WalSample> samples;
  std::vector<LabelView> labels;
  std::string payload;
  absl::flat_hash_set<MemSeries*> new_series;
};
thread_local CommitScratch t_scratch;
// A thread keeps the buffers of its usual commits, not of a rare huge one.
constexpr size_t kMaxKeptScratch = size_t(4) << 20;

class HeadAppender final : public Appender {
 public:
  explicit HeadAppender(Head* head)
      : head_(head),
        max_t_ms_(head->options().too_far_in_future_window_ms > 0
                      ? now_ms() + head->options().too_far_in_future_window_ms
                      : std::numeric_limits<int64_t>::max()) {}
  ~HeadAppender() override {
    if (!done_) rollback();
  }

  absl::StatusOr<SeriesRef> append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double v) override {
    if (t_ms > max_t_ms_) {
      head_->count_rejection(AppendErrorKind::kTooFarInFuture);
      return append_error(AppendErrorKind::kTooFarInFuture);
    }
    uint64_t bits = bits_of(v);
    MemSeries* s = ref ? head_->by_id(uint32_t(ref - 1)) : nullptr;
    AppendErrorKind k;
    bool pin = false;
    if (s && s == run_series_) {
      k = check_in_run(t_ms, bits);
      if (dropped_in_run(k)) return SeriesRef(s->id) + 1;
    } else {
      while (true) {
        if (!s) {
          // A caller that looked the ref up gave no labels to recreate it with.
          if (labels.empty()) return absl::NotFoundError("series not found");
          s = head_->get_or_create(labels);
          if (!s) {
            head_->count_rejection(AppendErrorKind::kSeriesLimit);
            return append_error(AppendErrorKind::kSeriesLimit);
          }
        }
        std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
        // Truncation unlinked it meanwhile: a new series takes its place.
        if (s->flags & MemSeries::kDead) {
          s = nullptr;
          continue;
        }
        if (s == run_series_) {
          k = check_in_run(t_ms, bits);
          if (dropped_in_run(k)) return SeriesRef(s->id) + 1;
        } else {
          k = head_->appendable_locked(s, t_ms, bits);
          if (k == AppendErrorKind::kNone) {
            ++s->pending;
            pin = true;
          }
        }
        break;
      }
    }
    if (k != AppendErrorKind::kNone) {
      head_->count_rejection(k);
      return append_error(k);
    }
    if (s != run_series_ || t_ms > run_t_) {
      // run_t_ tracks the newest staged sample of the run.
      run_t_ = t_ms;
      run_bits_ = bits;
    }
    run_series_ = s;
    staged_.push_back({s, t_ms, bits, pin});
    return SeriesRef(s->id) + 1;
  }

  SeriesRef lookup(std::span<const LabelView> labels) override {
    MemSeries* s = head_->find(labels);
    return s ? SeriesRef(s->id) + 1 : 0;
  }

  absl::StatusOr<SeriesRef> append_exemplar(SeriesRef ref, const Labels& labels,
                                            const Exemplar& e) override {
    MemSeries* s = nullptr;
    if (ref) {
      s = head_->by_id(uint32_t(ref - 1));
    } else if (!labels.empty()) {
      views_.clear();
      for (const Label& l : labels) views_.emplace_back(l.name, l.value);
      s = head_->find(views_);
    }
    if (!s) return absl::NotFoundError("unknown series for exemplar");
    // The exemplar index is keyed by labels (it outlives head series).
    Labels series = labels.empty() ? head_->labels_of(*s) : labels;
    bool duplicate = false;
    if (!exemplars_.empty() && exemplars_.back().first == series) {
      // Checked against the batch first, as samples are.
      const Exemplar& last = exemplars_.back().second;
      if (e.t_ms == last.t_ms && bits_of(e.value) == bits_of(last.value) &&
          e.labels == last.labels)
        return SeriesRef(s->id) + 1;
      if (e.t_ms <= last.t_ms) return append_error(AppendErrorKind::kOutOfOrderExemplar);
    }
    STRATA_RETURN_IF_ERROR(head_->exemplars().check(series, e, &duplicate));
    if (!duplicate) exemplars_.emplace_back(std::move(series), e);
    return SeriesRef(s->id) + 1;
  }

  void update_metadata(const std::string& family, const MetricMetadata& md) override {
    metadata_.emplace_back(family, md);
  }

  absl::Status commit() override {
    done_ = true;
    Head::WriteGuard guard(head_);
    if (WalWriter* wal = head_->wal()) {
      absl::Status s = log(wal);
      if (!s.ok()) {
        // Nothing of the batch is applied: not acknowledged, not visible
        // (WalWriter's failure contract). The message names the WAL.
        unpin_all();
        return s;
      }
    }
    apply();
    for (const auto& [family, md] : metadata_) head_->metadata().update(family, md);
    // Not logged: exemplars are kept in memory only. A concurrent commit
    // may have stored a newer one meanwhile; add() then counts this one as
    // out of order, as Prometheus' commit does.
    for (const auto& [series, e] : exemplars_) (void)head_->exemplars().add(series, e);
    staged_.clear();
    metadata_.clear();
    exemplars_.clear();
    return absl::OkStatus();
  }

  void rollback() override {
    done_ = true;
    unpin_all();
  }

 private:
  struct Staged {
    MemSeries* s;
    int64_t t;
    uint64_t bits;
    bool pinned;  // this sample holds one pin of s
  };

  // A sample that contradicts an earlier one of the same batch (same time,
  // other value; or older) is dropped without failing the append, as
  // Prometheus drops it at commit: the request is accepted, the first kept.
  bool dropped_in_run(AppendErrorKind k) {
    if (k != AppendErrorKind::kDuplicate && k != AppendErrorKind::kOutOfOrder) return false;
    head_->count_rejection(k);
    ++dropped_;
    return true;
  }

 public:
  uint64_t dropped_in_batch() const override { return dropped_; }

 private:

  // Later samples of the series this batch is appending to are checked
  // against the batch, not the committed state.
  AppendErrorKind check_in_run(int64_t t_ms, uint64_t bits) const {
    if (t_ms < head_->min_valid_time_ms()) return AppendErrorKind::kOutOfBounds;
    if (t_ms > run_t_) return AppendErrorKind::kNone;
    if (t_ms == run_t_)
      return bits == run_bits_ ? AppendErrorKind::kNone : AppendErrorKind::kDuplicate;
    int64_t window = head_->options().ooo_window_ms;
    if (window <= 0) return AppendErrorKind::kOutOfOrder;
    if (t_ms < std::max(head_->max_time_ms(), run_t_) - window) return AppendErrorKind::kTooOld;
    return AppendErrorKind::kNone;
  }

  // Encodes and writes the batch: series records for series the WAL does
  // not know yet (before the samples that use them), samples, metadata.
  absl::Status log(WalWriter* wal) {
    CommitScratch& sc = t_scratch;
    sc.batch.clear();
    sc.new_series.clear();
    uint64_t n_new = 0;
    std::string* out = nullptr;
    for (const Staged& x : staged_) {
      if (x.s->logged.load(std::memory_order_acquire) || !sc.new_series.insert(x.s).second)
        continue;
      if (!out) {
        out = sc.batch.begin();
        sc.payload.clear();
      }
      head_->label_views(*x.s, &sc.labels);
      encode_series_entry(x.s->id, sc.labels, &sc.payload);
      ++n_new;
    }
    if (out) {
      encode_series_count(n_new, out);
      out->append(sc.payload);
      sc.batch.end(WalRecordType::kSeries);
    }
    if (!staged_.empty()) {
      sc.samples.resize(staged_.size());
      for (size_t i = 0; i < staged_.size(); ++i) {
        const Staged& x = staged_[i];
        std::memcpy(&sc.samples[i].v, &x.bits, 8);
        sc.samples[i].ref = x.s->id;
        sc.samples[i].t_ms = x.t;
      }
      encode_samples(sc.samples, sc.batch.begin());
      sc.batch.end(WalRecordType::kSamples);
    }
    // Metadata is logged when it changes, not with every scrape.
    changed_md_.clear();
    for (const auto& m : metadata_)
      if (!head_->metadata().is_latest(m.first, m.second)) changed_md_.push_back(m);
    if (!changed_md_.empty()) {
      encode_metadata(changed_md_, sc.batch.begin());
      sc.batch.end(WalRecordType::kMetadata);
    }
    absl::Status st = wal->write(sc.batch);
    // Later commits see the flag only after these bytes are in the file, so
    // their samples always follow the series record.
    if (st.ok())
      for (MemSeries* s : sc.new_series) s->logged.store(true, std::memory_order_release);
    if (sc.batch.bytes().size() > kMaxKeptScratch) sc = CommitScratch();
    return st;
  }

  void apply() {
    int64_t mint = std::numeric_limits<int64_t>::max();
    int64_t maxt = std::numeric_limits<int64_t>::min();
    uint64_t in_order = 0, ooo = 0;
    size_t i = 0;
    while (i < staged_.size()) {
      // Consecutive samples of one series share one lock acquisition.
      MemSeries* s = staged_[i].s;
      std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
      for (; i < staged_.size() && staged_[i].s == s; ++i) {
        const Staged& x = staged_[i];
        if (x.pinned) --s->pending;
        AppendErrorKind why = AppendErrorKind::kNone;
        switch (head_->apply_locked(s, x.t, x.bits, &why)) {
          case Head::Applied::kInOrder:
            ++in_order;
            break;
          case Head::Applied::kOutOfOrder:
            ++ooo;
            break;
          case Head::Applied::kSame:
            continue;
          case Head::Applied::kRejected:
            // Another appender committed a later sample first.
            head_->count_rejection(why);
            continue;
        }
        mint = std::min(mint, x.t);
        maxt = std::max(maxt, x.t);
      }
    }
    if (in_order + ooo > 0) {
      head_->update_time_range(mint, maxt);
      head_->counters().samples_appended->inc(double(in_order + ooo));
      if (ooo) head_->counters().out_of_order_appended->inc(double(ooo));
    }
  }

  void unpin_all() {
    for (const Staged& x : staged_) {
      if (!x.pinned) continue;
      std::lock_guard<std::mutex> lock(head_->series_lock(x.s->id));
      --x.s->pending;
    }
    staged_.clear();
    metadata_.clear();
    exemplars_.clear();
  }

  Head* head_;
  // The wall clock plus the too-far-in-future window when the transaction
  // began (one clock read per transaction, not per sample), or int64 max.
  const int64_t max_t_ms_;
  std::vector<Staged> staged_;
  std::vector<std::pair<std::string, MetricMetadata>> metadata_;
  std::vector<std::pair<std::string, MetricMetadata>> changed_md_;
  std::vector<std::pair<Labels, Exemplar>> exemplars_;  // series labels, exemplar
  std::vector<LabelView> views_;                        // append_exemplar scratch
  MemSeries* run_series_ = nullptr;
  int64_t run_t_ = std::numeric_limits<int64_t>::min();
  uint64_t run_bits_ = 0;
  uint64_t dropped_ = 0;  // see dropped_in_batch()
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Appender> Head::appender() { return std::make_unique<HeadAppender>(this); }

}  // namespace strata::tsdb
