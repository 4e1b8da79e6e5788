// HeadAppender: a transaction of samples against the head. Samples are checked
// against the committed state when appended (so rejections are reported per
// sample) and become visible at commit().
#include <cstring>
#include <limits>

#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

absl::Status error_for(AppendErrorKind k) {
  switch (k) {
    case AppendErrorKind::kOutOfOrder: return absl::InvalidArgumentError(kErrOutOfOrder);
    case AppendErrorKind::kOutOfBounds: return absl::InvalidArgumentError(kErrOutOfBounds);
    case AppendErrorKind::kDuplicate: return absl::InvalidArgumentError(kErrDuplicate);
    case AppendErrorKind::kTooOld: return absl::InvalidArgumentError(kErrTooOld);
    default: return absl::OkStatus();
  }
}

class HeadAppender final : public Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override {
    if (!done_) rollback();
  }

  absl::StatusOr<SeriesRef> append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double v) override {
    MemSeries* s = ref ? head_->by_id(uint32_t(ref - 1)) : nullptr;
    if (!s) s = head_->get_or_create(labels);
    AppendErrorKind k;
    if (s == run_series_) {
      // Later samples of the series this batch is already appending to are
      // checked against the batch, not the committed state.
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      k = t_ms > run_t_ ? AppendErrorKind::kNone
          : t_ms < run_t_ ? AppendErrorKind::kOutOfOrder
          : bits == run_bits_ ? AppendErrorKind::kNone
                              : AppendErrorKind::kDuplicate;
      if (k == AppendErrorKind::kNone && t_ms < head_->min_valid_time_ms())
        k = AppendErrorKind::kOutOfBounds;
    } else {
      std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
      k = head_->appendable_locked(s, t_ms, v);
    }
    if (k != AppendErrorKind::kNone) {
      count_rejection(k);
      return error_for(k);
    }
    run_series_ = s;
    run_t_ = t_ms;
    std::memcpy(&run_bits_, &v, 8);
    pending_.push_back({s, t_ms, v});
    return SeriesRef(s->id) + 1;
  }

  void update_metadata(const std::string& family, const MetricMetadata& md) override {
    metadata_.emplace_back(family, md);
  }

  absl::Status commit() override {
    done_ = true;
    std::vector<Head::PendingSample>& pending = pending_;
    // Durable first: the WAL holds the samples before anyone can read them.
    if (auto s = head_->log_commit(pending, metadata_); !s.ok()) {
      pending_.clear();
      metadata_.clear();
      return s;
    }
    int64_t mint = std::numeric_limits<int64_t>::max();
    int64_t maxt = std::numeric_limits<int64_t>::min();
    uint64_t appended = 0;
    size_t i = 0;
    while (i < pending.size()) {
      // Consecutive samples of one series share one lock acquisition.
      MemSeries* s = pending[i].s;
      std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
      for (; i < pending.size() && pending[i].s == s; ++i) {
        const Head::PendingSample& p = pending[i];
        AppendErrorKind k = head_->append_locked(s, p.t, p.v);
        s->pending.fetch_sub(1, std::memory_order_relaxed);
        if (k != AppendErrorKind::kNone) {
          count_rejection(k);  // lost a race with a concurrent appender
          continue;
        }
        ++appended;
        mint = std::min(mint, p.t);
        maxt = std::max(maxt, p.t);
      }
    }
    if (appended > 0) {
      head_->update_time_range(mint, maxt);
      head_->counters().samples_appended->inc(double(appended));
    }
    for (const auto& [family, md] : metadata_) head_->metadata().update(family, md);
    pending_.clear();
    metadata_.clear();
    return absl::OkStatus();
  }

  void rollback() override {
    done_ = true;
    pending_.clear();
    metadata_.clear();
  }

 private:
  void count_rejection(AppendErrorKind k) {
    switch (k) {
      case AppendErrorKind::kOutOfOrder: head_->counters().out_of_order->inc(); break;
      case AppendErrorKind::kDuplicate: head_->counters().duplicate->inc(); break;
      case AppendErrorKind::kOutOfBounds: head_->counters().out_of_bounds->inc(); break;
      default: break;
    }
  }

  Head* head_;
  std::vector<Head::PendingSample> pending_;
  std::vector<std::pair<std::string, MetricMetadata>> metadata_;
  MemSeries* run_series_ = nullptr;
  int64_t run_t_ = 0;
  uint64_t run_bits_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Appender> Head::appender() { return std::make_unique<HeadAppender>(this); }

}  // namespace strata::tsdb
