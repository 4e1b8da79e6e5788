#include "tsdb/head/exemplar_storage.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/container/flat_hash_set.h"

namespace strata::tsdb {
namespace {

// UTF-8 characters in `s`: every byte that does not continue a sequence.
size_t runes(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

bool same(const Exemplar& a, const Exemplar& b) {
  uint64_t x, y;
  std::memcpy(&x, &a.value, 8);
  std::memcpy(&y, &b.value, 8);
  return a.t_ms == b.t_ms && x == y && a.labels == b.labels;
}

}  // namespace

ExemplarStorage::ExemplarStorage(int64_t max_exemplars, metrics::Registry* registry)
    : max_(std::clamp<int64_t>(max_exemplars, 0, INT32_MAX)) {
  if (!registry) return;
  metrics::Registry& r = *registry;
  appended_ = &r.counter("strata_tsdb_exemplar_exemplars_appended_total",
                         "Total number of appended exemplars.");
  out_of_order_ = &r.counter("strata_tsdb_exemplar_out_of_order_exemplars_total",
                             "Total number of out of order exemplar ingestion failed attempts.");
  r.gauge_func("strata_tsdb_exemplar_exemplars_in_storage",
               "Number of exemplars currently in circular storage.",
               [this] { return double(size()); });
  r.gauge_func("strata_tsdb_exemplar_series_with_exemplars_in_storage",
               "Number of series with exemplars currently in circular storage.", [this] {
                 std::shared_lock lock(mu_);
                 return double(index_.size());
               });
  r.gauge_func("strata_tsdb_exemplar_last_exemplars_timestamp_seconds",
               "The timestamp of the newest exemplar stored in circular storage.",
               [this] { return double(last_t_ms_.load(std::memory_order_relaxed)) / 1000; });
  r.gauge_func("strata_tsdb_exemplar_max_exemplars",
               "Total number of exemplars the exemplar storage can store, resizeable.",
               [this] { return double(max_); });
}

size_t ExemplarStorage::size() const {
  std::shared_lock lock(mu_);
  return stored_;
}

absl::Status ExemplarStorage::check_locked(const SeriesEntry* s, const Exemplar& e,
                                           bool* duplicate) const {
  *duplicate = false;
  if (max_ <= 0) return append_error(AppendErrorKind::kExemplarsDisabled);
  size_t n = 0;
  for (const Label& l : e.labels) n += runes(l.name) + runes(l.value);
  if (n > kExemplarMaxLabelSetRunes) return append_error(AppendErrorKind::kExemplarLabelsTooLong);
  if (!s || s->newest < 0) return absl::OkStatus();
  const Exemplar& newest = slots_[size_t(s->newest)].e;
  if (same(newest, e)) {
    *duplicate = true;
    return absl::OkStatus();
  }
  if (e.t_ms <= newest.t_ms) return append_error(AppendErrorKind::kOutOfOrderExemplar);
  return absl::OkStatus();
}

absl::Status ExemplarStorage::check(const Labels& series, const Exemplar& e,
                                    bool* duplicate) const {
  std::shared_lock lock(mu_);
  auto it = index_.find(series);
  return check_locked(it == index_.end() ? nullptr : &it->second, e, duplicate);
}

absl::Status ExemplarStorage::add(const Labels& series, const Exemplar& e) {
  std::unique_lock lock(mu_);
  auto it = index_.find(series);
  bool duplicate = false;
  absl::Status st = check_locked(it == index_.end() ? nullptr : &it->second, e, &duplicate);
  if (!st.ok()) {
    if (out_of_order_ && append_error_kind(st) == AppendErrorKind::kOutOfOrderExemplar)
      out_of_order_->inc();
    return st;
  }
  if (duplicate) return absl::OkStatus();
  int32_t i;
  if (slots_.size() < size_t(max_)) {
    slots_.emplace_back();
    i = int32_t(slots_.size() - 1);
  } else {
    i = next_;
    // May remove this very series' entry (when the slot held its only
    // exemplar): look the series up again below.
    if (slots_[size_t(i)].series) evict_locked(i);
  }
  next_ = int32_t((int64_t(i) + 1) % max_);
  auto [entry, created] = index_.try_emplace(series);
  SeriesEntry* s = &entry->second;
  if (created) {
    s->labels = series;
    by_name_[std::string(series.metric_name())].push_back(s);
  }
  Slot& slot = slots_[size_t(i)];
  slot.e = e;
  slot.next = -1;
  slot.series = s;
  if (s->newest >= 0) {
    slots_[size_t(s->newest)].next = i;
  } else {
    s->oldest = i;
  }
  s->newest = i;
  ++stored_;
  if (appended_) appended_->inc();
  int64_t last = last_t_ms_.load(std::memory_order_relaxed);
  if (e.t_ms > last) last_t_ms_.store(e.t_ms, std::memory_order_relaxed);
  return absl::OkStatus();
}

void ExemplarStorage::evict_locked(int32_t i) {
  Slot& slot = slots_[size_t(i)];
  SeriesEntry* s = slot.series;
  // Slots are reused in insertion order, so the one overwritten is the
  // oldest of all and therefore the oldest of its series.
  s->oldest = slot.next;
  if (s->oldest < 0) {
    auto name = by_name_.find(std::string(s->labels.metric_name()));
    if (name != by_name_.end()) {
      auto& v = name->second;
      v.erase(std::remove(v.begin(), v.end(), s), v.end());
      if (v.empty()) by_name_.erase(name);
    }
    Labels key = s->labels;
    index_.erase(key);
  }
  slot.series = nullptr;
  slot.next = -1;
  slot.e = Exemplar{};
  --stored_;
}

void ExemplarStorage::collect_locked(const SeriesEntry& s, int64_t mint_ms, int64_t maxt_ms,
                                     std::vector<ExemplarSeries>* out) const {
  ExemplarSeries res;
  for (int32_t i = s.oldest; i >= 0; i = slots_[size_t(i)].next) {
    const Exemplar& e = slots_[size_t(i)].e;
    if (e.t_ms > maxt_ms) break;  // a series' exemplars are in time order
    if (e.t_ms >= mint_ms) res.exemplars.push_back(e);
  }
  if (res.exemplars.empty()) return;
  res.series_labels = s.labels;
  out->push_back(std::move(res));
}

std::vector<ExemplarSeries> ExemplarStorage::select(int64_t mint_ms, int64_t maxt_ms,
                                                    const std::vector<Matchers>& selectors) const {
  std::vector<ExemplarSeries> out;
  std::shared_lock lock(mu_);
  if (stored_ == 0) return out;
  absl::flat_hash_set<const SeriesEntry*> seen;
  auto visit = [&](const SeriesEntry& s, const Matchers& ms) {
    if (s.oldest < 0 || slots_[size_t(s.oldest)].e.t_ms > maxt_ms ||
        slots_[size_t(s.newest)].e.t_ms < mint_ms)
      return;
    for (const Matcher& m : ms)
      if (!m.matches(s.labels.get(m.name()))) return;
    if (seen.insert(&s).second) collect_locked(s, mint_ms, maxt_ms, &out);
  };
  for (const Matchers& ms : selectors) {
    const Matcher* name = nullptr;
    for (const Matcher& m : ms)
      if (m.name() == kMetricName && m.type() == MatchType::kEqual) name = &m;
    if (name) {
      auto it = by_name_.find(name->value());
      if (it == by_name_.end()) continue;
      for (const SeriesEntry* s : it->second) visit(*s, ms);
    } else {
      for (const auto& [labels, s] : index_) visit(s, ms);
    }
  }
  std::sort(out.begin(), out.end(), [](const ExemplarSeries& a, const ExemplarSeries& b) {
    return Labels::compare(a.series_labels, b.series_labels) < 0;
  });
  return out;
}

}  // namespace strata::tsdb
