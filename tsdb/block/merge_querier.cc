#include "tsdb/block/merge_querier.h"

#include <algorithm>

#include "base/status.h"

namespace strata::tsdb {
namespace {

std::vector<std::string> union_sorted(std::vector<std::vector<std::string>> lists, size_t limit) {
  std::vector<std::string> out;
  for (auto& l : lists) {
    for (auto& s : l) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace

namespace {

class MergeSeriesSet final : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) : sets_(std::move(sets)) {
    heap_.reserve(sets_.size());
  }

  bool next() override {
    if (!status_.ok()) return false;
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) {
        if (!advance(i)) return false;
      }
    }
    if (heap_.empty()) return false;
    // Take the smallest series, then fold in every other source's series
    // with the same labels; ties pop in source order.
    size_t i = pop();
    cur_ = std::move(sets_[i]->at());
    if (!advance(i)) return false;
    while (!heap_.empty() && sets_[heap_.front()]->at().labels() == cur_.labels()) {
      size_t j = pop();
      cur_.absorb(std::move(sets_[j]->at()));
      if (!advance(j)) return false;
    }
    return true;
  }
  Series& at() override { return cur_; }
  absl::Status status() const override { return status_; }

 private:
  // Min-heap order: by labels, then by source index.
  bool greater(size_t a, size_t b) const {
    int c = Labels::compare(sets_[a]->at().labels(), sets_[b]->at().labels());
    return c != 0 ? c > 0 : a > b;
  }
  size_t pop() {
    auto cmp = [this](size_t a, size_t b) { return greater(a, b); };
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    size_t i = heap_.back();
    heap_.pop_back();
    return i;
  }
  // Moves source i to its next series and back into the heap; false (with
  // status_ set) when the source failed.
  bool advance(size_t i) {
    if (sets_[i]->next()) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return greater(a, b); });
      return true;
    }
    status_ = sets_[i]->status();
    return status_.ok();
  }

  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<size_t> heap_;  // sources positioned on a series
  bool started_ = false;
  Series cur_;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<SeriesSet> merge_series_sets(std::vector<std::unique_ptr<SeriesSet>> sets) {
  if (sets.size() == 1) return std::move(sets[0]);
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

std::unique_ptr<SeriesSet> MergeQuerier::select(const SelectOptions& opts,
                                                const Matchers& matchers) {
  // Merging needs every source sorted, and its output is sorted anyway.
  SelectOptions sorted = opts;
  sorted.sorted = true;
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.reserve(queriers_.size());
  for (auto& q : queriers_) sets.push_back(q->select(sorted, matchers));
  return merge_series_sets(std::move(sets));
}

absl::StatusOr<std::vector<std::string>> MergeQuerier::label_names(const Matchers& matchers,
                                                                    size_t limit) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    STRATA_ASSIGN_OR_RETURN(auto l, q->label_names(matchers, 0));
    lists.push_back(std::move(l));
  }
  return union_sorted(std::move(lists), limit);
}

absl::StatusOr<std::vector<std::string>> MergeQuerier::label_values(const std::string& name,
                                                                     const Matchers& matchers,
                                                                     size_t limit) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    STRATA_ASSIGN_OR_RETURN(auto l, q->label_values(name, matchers, 0));
    lists.push_back(std::move(l));
  }
  return union_sorted(std::move(lists), limit);
}

}  // namespace strata::tsdb
