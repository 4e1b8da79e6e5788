#include "tsdb/head/head.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/status.h"

namespace strata::tsdb {
namespace {

constexpr uint64_t kHashSeed = 0x9e3779b97f4a7c15ULL;

}  // namespace

Head::Head(HeadOptions opts, metrics::Registry* registry)
    : opts_(std::move(opts)),
      registry_(registry),
      exemplars_(opts_.max_exemplars, registry),
      stripe_mask_(std::bit_floor(std::clamp(opts_.stripes, 1u, kMaxStripes)) - 1),
      series_locks_(new Stripe[stripe_mask_ + 1]),
      hash_stripes_(new HashStripe[stripe_mask_ + 1]) {
  for (uint32_t i = 0; i <= stripe_mask_; ++i)
    hash_stripes_[i].set = SeriesSet(0, SeriesHash{}, SeriesEq{&symbols_});
  if (!opts_.fs) opts_.fs = posix_file_system();
  if (opts_.chunk_range_ms <= 0) opts_.chunk_range_ms = 2 * 3600 * 1000;
  min_valid_time_.store(opts_.min_valid_time_ms);
  register_metrics();
}

void Head::register_metrics() {
  metrics::Registry& r = *registry_;
  counters_.samples_appended =
      &r.counter("strata_tsdb_head_samples_appended_total", "Total number of appended samples.");
  counters_.out_of_order_appended =
      &r.counter("strata_tsdb_head_out_of_order_samples_appended_total",
                 "Samples appended inside the out-of-order time window.");
  auto& rejected = r.counter_family("strata_tsdb_head_samples_rejected_total",
                                    "Samples rejected by the head, by reason.", {"reason"});
  counters_.out_of_order = &rejected.with({"out_of_order"});
  counters_.too_old = &rejected.with({"too_old"});
  counters_.duplicate = &rejected.with({"duplicate"});
  counters_.out_of_bounds = &rejected.with({"out_of_bounds"});
  counters_.too_far_in_future = &rejected.with({"too_far_in_future"});
  counters_.series_limit = &rejected.with({"series_limit"});
  r.gauge_func("strata_tsdb_head_max_series",
               "The --storage.tsdb.max-series limit on head series (0: none).",
               [this] { return double(opts_.max_series); });
  counters_.series_created = &r.counter("strata_tsdb_head_series_created_total",
                                        "Total number of series created in the head.");
  counters_.series_removed = &r.counter("strata_tsdb_head_series_removed_total",
                                        "Total number of series removed from the head.");
  counters_.chunks_created = &r.counter("strata_tsdb_head_chunks_created_total",
                                        "Total number of chunks created in the head.");
  counters_.chunks_removed = &r.counter("strata_tsdb_head_chunks_removed_total",
                                        "Total number of chunks removed from the head.");
  counters_.wal_corruptions = &r.counter("strata_tsdb_wal_corruptions_total",
                                         "Damaged WAL or checkpoint records found and cut off.");
  counters_.wal_truncations =
      &r.counter("strata_tsdb_wal_truncations_total", "WAL truncations (checkpoints) completed.");
  counters_.wal_truncations_failed = &r.counter("strata_tsdb_wal_truncations_failed_total",
                                                "WAL truncations (checkpoints) that failed.");
  r.gauge_func("strata_tsdb_head_series", "Total number of series in the head.",
               [this] { return double(num_series_.load()); });
  r.gauge_func("strata_tsdb_head_chunks", "Total number of chunks in the head.",
               [this] { return double(num_chunks_.load()); });
  r.gauge_func("strata_tsdb_head_min_time", "Minimum time bound of the head (ms).",
               [this] { return double(stats().min_time_ms); });
  r.gauge_func("strata_tsdb_head_max_time", "Maximum timestamp of the head (ms).",
               [this] { return double(stats().max_time_ms); });
  r.gauge_func("strata_tsdb_symbol_table_size_bytes", "Bytes of interned label strings.",
               [this] { return double(symbols_.string_bytes()); });
}

Head::~Head() {
  (void)close();
  for_each_series([](uint32_t id, MemSeries* s) {
    if (s->id == id) MemSeries::destroy(s);  // not an alias slot
  });
  {
    std::lock_guard<std::mutex> lock(truncate_mu_);
    for (MemSeries* s : graveyard_) MemSeries::destroy(s);
  }
}

absl::Status Head::close() {
  if (!wal_) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(close_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  STRATA_RETURN_IF_ERROR(wal_->close());
  // A commit whose WAL write landed before the close may still be applying
  // its samples; the snapshot must hold them (its WAL position covers them).
  while (inflight_writes_.load() > 0) std::this_thread::yield();
  if (!opts_.snapshot_on_shutdown) return absl::OkStatus();
  if (absl::Status s = write_snapshot(); !s.ok()) {
    log::warn("tsdb", "Head snapshot not written; the next start replays the WAL",
              {{"err", std::string(s.message())}});
    (void)remove_snapshot();
  }
  return absl::OkStatus();
}

void Head::set_by_id(uint32_t id, MemSeries* s) {
  __atomic_store_n(&pages_.ensure(id), s, __ATOMIC_RELEASE);
}

MemSeries* Head::by_id(uint32_t id) const {
  if (id >= next_id_.load(std::memory_order_acquire)) return nullptr;
  MemSeries** slot = pages_.slot(id);
  return slot == nullptr ? nullptr : __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

// The head's own label hash: streamed over the pairs, no buffer to build.
// Never persisted.
uint64_t Head::hash_labels(const Labels& labels) {
  uint64_t h = kHashSeed;
  for (const Label& l : labels) {
    h = hash64(l.name.data(), l.name.size(), h);
    h = hash64(l.value.data(), l.value.size(), h ^ 0xff);
  }
  return h;
}

uint64_t Head::hash_labels(std::span<const LabelView> labels) {
  uint64_t h = kHashSeed;
  for (const auto& [n, v] : labels) {
    h = hash64(n.data(), n.size(), h);
    h = hash64(v.data(), v.size(), h ^ 0xff);
  }
  return h;
}

bool Head::SeriesEq::operator()(const MemSeries* s, const LabelsKey& k) const {
  if (s->hash != k.hash) return false;
  size_t n = k.labels ? k.labels->size() : k.views.size();
  if (s->num_labels() != n) return false;
  size_t i = 0;
  bool same = true;
  s->for_each_label([&](uint32_t name, uint32_t value) {
    if (!same) return;
    std::string_view kn = k.labels ? std::string_view((*k.labels)[i].name) : k.views[i].first;
    std::string_view kv = k.labels ? std::string_view((*k.labels)[i].value) : k.views[i].second;
    same = syms->get(name) == kn && syms->get(value) == kv;
    ++i;
  });
  return same;
}

MemSeries* Head::find(std::span<const LabelView> labels) {
  LabelsKey key{hash_labels(labels), nullptr, labels};
  HashStripe& stripe = hash_stripes_[stripe_of(key.hash)];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto it = stripe.set.find(key);
  return it == stripe.set.end() ? nullptr : *it;
}

MemSeries* Head::get_or_create(const Labels& labels) {
  bool created;
  return get_or_create_key(LabelsKey{hash_labels(labels), &labels, {}}, std::nullopt, &created);
}

MemSeries* Head::get_or_create_key(const LabelsKey& key, std::optional<uint32_t> forced_id,
                                   bool* created, bool index) {
  HashStripe& stripe = hash_stripes_[stripe_of(key.hash)];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto it = stripe.set.find(key);
  if (it != stripe.set.end()) {
    *created = false;
    return *it;
  }
  if (!forced_id && opts_.max_series > 0 &&
      num_series_.load(std::memory_order_relaxed) >= uint64_t(opts_.max_series)) {
    *created = false;
    return nullptr;
  }
  *created = true;
  size_t n = key.labels ? key.labels->size() : key.views.size();
  std::vector<std::string_view> strs(2 * n);
  for (size_t i = 0; i < n; ++i) {
    strs[2 * i] = key.labels ? std::string_view((*key.labels)[i].name) : key.views[i].first;
    strs[2 * i + 1] = key.labels ? std::string_view((*key.labels)[i].value) : key.views[i].second;
  }
  std::vector<uint32_t> ids(2 * n);
  symbols_.intern_all(strs.data(), strs.size(), ids.data());
  std::vector<std::pair<uint32_t, uint32_t>> pairs(n);
  for (size_t i = 0; i < n; ++i) pairs[i] = {ids[2 * i], ids[2 * i + 1]};
  MemSeries* s;
  {
    std::lock_guard<std::mutex> create_lock(create_mu_);
    uint32_t id = forced_id ? *forced_id : next_id_.load(std::memory_order_relaxed);
    s = MemSeries::create(id, key.hash, pairs);
    set_by_id(id, s);
    if (id >= next_id_.load(std::memory_order_relaxed))
      next_id_.store(id + 1, std::memory_order_release);
    if (index) postings_.add(id, pairs);
  }
  stripe.set.insert(s);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  counters_.series_created->inc();
  return s;
}

void Head::index_bulk(const std::vector<uint32_t>& ids) {
  if (ids.empty()) return;
  // Label names first (consecutive series often share theirs), so that two
  // threads can then fill the lists of disjoint names. A set, not a sorted
  // vector of every differing name list: that sort was 8 % of a 1 M-series
  // replay.
  std::vector<uint32_t> names, prev;
  absl::flat_hash_set<uint32_t> seen;
  std::vector<MemSeries*> series;
  series.reserve(ids.size());
  for (uint32_t id : ids) {
    MemSeries* s = by_id(id);
    if (!s || s->id != id) continue;
    series.push_back(s);
    size_t k = 0;
    bool same = true;
    s->for_each_label([&](uint32_t n, uint32_t) {
      if (k >= prev.size() || prev[k] != n) same = false;
      ++k;
    });
    if (same && k == prev.size()) continue;
    prev.clear();
    s->for_each_label([&](uint32_t n, uint32_t) {
      prev.push_back(n);
      if (seen.insert(n).second) names.push_back(n);
    });
  }
  std::sort(names.begin(), names.end());
  postings_.add_names(names);
  std::vector<uint32_t> live;
  live.reserve(series.size());
  for (MemSeries* s : series) live.push_back(s->id);
  postings_.add_all(live);
  auto fill = [&](uint32_t shard) {
    postings_.add_bulk(shard, 2, [&](auto&& emit) {
      for (MemSeries* s : series)
        s->for_each_label([&](uint32_t n, uint32_t v) { emit(s->id, n, v); });
    });
  };
  // A thread only pays for itself on big heads (the common restart).
  if (series.size() < 50000) {
    fill(0);
    fill(1);
    return;
  }
  std::thread helper(fill, 1);
  fill(0);
  helper.join();
}

Labels Head::labels_of(const MemSeries& s) const {
  std::vector<Label> items;
  items.reserve(s.num_labels());
  s.for_each_label([&](uint32_t n, uint32_t v) {
    items.push_back({std::string(symbols_.get(n)), std::string(symbols_.get(v))});
  });
  return Labels(std::move(items));
}

void Head::label_views(const MemSeries& s, std::vector<LabelView>* out) const {
  out->clear();
  s.for_each_label(
      [&](uint32_t n, uint32_t v) { out->emplace_back(symbols_.get(n), symbols_.get(v)); });
}

AppendErrorKind Head::appendable_locked(const MemSeries* s, int64_t t_ms, uint64_t bits) const {
  if (t_ms < min_valid_time_.load(std::memory_order_relaxed)) return AppendErrorKind::kOutOfBounds;
  if (!s->has_in_order() || t_ms > s->last_t()) return AppendErrorKind::kNone;
  if (t_ms == s->last_t()) {
    // Same timestamp and bit-identical value is a harmless resend.
    return bits == s->last_bits() ? AppendErrorKind::kNone : AppendErrorKind::kDuplicate;
  }
  if (opts_.ooo_window_ms <= 0) return AppendErrorKind::kOutOfOrder;
  if (t_ms < max_time_ms() - opts_.ooo_window_ms) return AppendErrorKind::kTooOld;
  // Out-of-order samples are rare enough to afford looking for a sample at
  // the same time (decoding one chunk), so duplicates are reported here.
  uint64_t have;
  if (s->find(t_ms, &have))
    return have == bits ? AppendErrorKind::kNone : AppendErrorKind::kDuplicate;
  return AppendErrorKind::kNone;
}

Head::Applied Head::apply_locked(MemSeries* s, int64_t t_ms, uint64_t bits, AppendErrorKind* why) {
  if (t_ms < min_valid_time_.load(std::memory_order_relaxed)) {
    *why = AppendErrorKind::kOutOfBounds;
    return Applied::kRejected;
  }
  if (s->flags & MemSeries::kHasTombstones) {
    // A tombstone hides what was there when it was written, not what comes
    // later: delete the hidden samples for real before adding one inside.
    for (const Interval& iv : tombstones_of(s->id)) {
      if (t_ms >= iv.mint_ms && t_ms <= iv.maxt_ms) {
        clean_series_locked(s);
        break;
      }
    }
  }
  int before = s->num_chunks();
  Applied r;
  if (!s->has_in_order() || t_ms > s->last_t()) {
    s->append(t_ms, bits, opts_.chunk_range_ms);
    r = Applied::kInOrder;
  } else if (t_ms == s->last_t()) {
    r = bits == s->last_bits() ? Applied::kSame : Applied::kRejected;
    *why = AppendErrorKind::kDuplicate;
  } else if (opts_.ooo_window_ms <= 0) {
    r = Applied::kRejected;
    *why = AppendErrorKind::kOutOfOrder;
  } else {
    switch (s->insert_ooo(t_ms, bits)) {
      case InsertResult::kInserted:
        r = Applied::kOutOfOrder;
        break;
      case InsertResult::kSame:
        r = Applied::kSame;
        break;
      default:
        r = Applied::kRejected;
        *why = AppendErrorKind::kDuplicate;
    }
  }
  add_chunks(s->num_chunks() - before);
  return r;
}

void Head::add_chunks(int delta) {
  if (delta == 0) return;
  num_chunks_.fetch_add(delta, std::memory_order_relaxed);
  if (delta > 0)
    counters_.chunks_created->inc(delta);
  else
    counters_.chunks_removed->inc(-delta);
}

void Head::count_rejection(AppendErrorKind k) const {
  switch (k) {
    case AppendErrorKind::kOutOfOrder:
      counters_.out_of_order->inc();
      break;
    case AppendErrorKind::kTooOld:
      counters_.too_old->inc();
      break;
    case AppendErrorKind::kDuplicate:
      counters_.duplicate->inc();
      break;
    case AppendErrorKind::kOutOfBounds:
      counters_.out_of_bounds->inc();
      break;
    case AppendErrorKind::kTooFarInFuture:
      counters_.too_far_in_future->inc();
      break;
    case AppendErrorKind::kSeriesLimit:
      counters_.series_limit->inc();
      break;
    default:
      break;
  }
}

void Head::update_time_range(int64_t mint_ms, int64_t maxt_ms) {
  // applied_min_since_gc_ first: raise_min_time() relies on this order.
  int64_t low = applied_min_since_gc_.load();
  while (mint_ms < low && !applied_min_since_gc_.compare_exchange_weak(low, mint_ms)) {
  }
  int64_t cur = min_time_.load();
  while (mint_ms < cur && !min_time_.compare_exchange_weak(cur, mint_ms)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt_ms > cur && !max_time_.compare_exchange_weak(cur, maxt_ms)) {
  }
}

HeadStats Head::stats() const {
  HeadStats st;
  st.num_series = num_series_.load(std::memory_order_relaxed);
  st.num_chunks = uint64_t(std::max<int64_t>(0, num_chunks_.load(std::memory_order_relaxed)));
  st.min_time_ms = min_time_.load(std::memory_order_relaxed);
  st.max_time_ms = max_time_.load(std::memory_order_relaxed);
  return st;
}

uint64_t Head::wal_size_bytes() const {
  if (!wal_) return 0;
  auto n = opts_.fs->disk_usage(join_path(opts_.dir, "wal"));
  return n.ok() ? *n : wal_->size_bytes();
}

size_t Head::series_bytes() const {
  size_t total = 0;
  for_each_series([&](uint32_t id, MemSeries* s) {
    std::lock_guard<std::mutex> lock(series_lock(id));
    total += s->allocated_bytes();
  });
  return total;
}

}  // namespace strata::tsdb
