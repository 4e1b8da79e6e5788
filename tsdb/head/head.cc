#include "tsdb/head/head.h"

#include <cstring>

namespace strata::tsdb {

Head::Head(HeadOptions opts, metrics::Registry* registry)
    : opts_(std::move(opts)),
      series_locks_(new Stripe[kStripes]),
      hash_stripes_(new HashStripe[kStripes]),
      pages_(new std::atomic<MemSeries**>[kMaxPages]) {
  for (size_t i = 0; i < kMaxPages; ++i) pages_[i].store(nullptr, std::memory_order_relaxed);
  registry_ = registry;
  if (!opts_.fs) opts_.fs = posix_file_system();
  metrics::Registry& r = *registry;
  counters_.samples_appended =
      &r.counter("strata_tsdb_head_samples_appended_total", "Total number of appended samples.");
  auto& rejected = r.counter_family("strata_tsdb_head_samples_rejected_total",
                                    "Samples rejected by the head, by reason.", {"reason"});
  counters_.out_of_order = &rejected.with({"out_of_order"});
  counters_.duplicate = &rejected.with({"duplicate"});
  counters_.out_of_bounds = &rejected.with({"out_of_bounds"});
  counters_.series_created = &r.counter("strata_tsdb_head_series_created_total",
                                        "Total number of series created in the head.");
  counters_.chunks_created = &r.counter("strata_tsdb_head_chunks_created_total",
                                        "Total number of chunks created in the head.");
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
  uint32_t n = next_id_.load();
  for (uint32_t id = 0; id < n; ++id) delete by_id(id);
  for (MemSeries* s : graveyard_) delete s;
  for (size_t i = 0; i < kMaxPages; ++i) delete[] pages_[i].load();
}

void Head::set_by_id(uint32_t id, MemSeries* s) {
  size_t page = id >> kPageBits;
  MemSeries** p = pages_[page].load(std::memory_order_relaxed);
  if (!p) {
    p = new MemSeries*[kPageSize]();
    pages_[page].store(p, std::memory_order_release);
  }
  __atomic_store_n(&p[id & (kPageSize - 1)], s, __ATOMIC_RELEASE);
}

MemSeries* Head::by_id(uint32_t id) const {
  if (id >= next_id_.load(std::memory_order_acquire)) return nullptr;
  MemSeries** page = pages_[id >> kPageBits].load(std::memory_order_acquire);
  if (!page) return nullptr;
  return __atomic_load_n(&page[id & (kPageSize - 1)], __ATOMIC_ACQUIRE);
}

bool Head::same_labels(const MemSeries& s, const Labels& labels) const {
  if (s.num_labels != labels.size()) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (symbols_.get(s.syms[2 * i]) != labels[i].name) return false;
    if (symbols_.get(s.syms[2 * i + 1]) != labels[i].value) return false;
  }
  return true;
}

MemSeries* Head::get_or_create(const Labels& labels, bool* created) {
  return get_or_create_impl(labels, created, std::nullopt);
}

MemSeries* Head::get_or_create_impl(const Labels& labels, bool* created,
                                    std::optional<uint32_t> forced_id) {
  uint64_t h = labels.hash();
  HashStripe& stripe = hash_stripes_[h & (kStripes - 1)];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto it = stripe.by_hash.find(h);
  if (it != stripe.by_hash.end()) {
    for (MemSeries* s = it->second; s; s = s->next_in_bucket) {
      if (same_labels(*s, labels)) {
        if (created) *created = false;
        return s;
      }
    }
  }
  if (created) *created = true;
  return create_locked(labels, h, stripe, forced_id);
}

MemSeries* Head::create_locked(const Labels& labels, uint64_t h, HashStripe& stripe,
                               std::optional<uint32_t> forced_id) {
  auto s = new MemSeries();
  s->hash = h;
  s->num_labels = uint16_t(labels.size());
  s->syms.reset(new uint32_t[2 * labels.size()]);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  pairs.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    s->syms[2 * i] = symbols_.intern(labels[i].name);
    s->syms[2 * i + 1] = symbols_.intern(labels[i].value);
    pairs.emplace_back(s->syms[2 * i], s->syms[2 * i + 1]);
  }
  {
    std::lock_guard<std::mutex> create_lock(create_mu_);
    uint32_t id = forced_id ? *forced_id : next_id_.load(std::memory_order_relaxed);
    s->id = id;
    set_by_id(id, s);
    if (id >= next_id_.load(std::memory_order_relaxed)) next_id_.store(id + 1, std::memory_order_release);
    postings_.add(id, pairs);
  }
  auto it = stripe.by_hash.find(h);
  if (it != stripe.by_hash.end()) {
    s->next_in_bucket = it->second;
    it->second = s;
  } else {
    stripe.by_hash.emplace(h, s);
  }
  num_series_.fetch_add(1, std::memory_order_relaxed);
  counters_.series_created->inc();
  return s;
}

Labels Head::labels_of(const MemSeries& s) const {
  std::vector<Label> items;
  items.reserve(s.num_labels);
  for (size_t i = 0; i < s.num_labels; ++i) {
    items.push_back({std::string(symbols_.get(s.syms[2 * i])),
                     std::string(symbols_.get(s.syms[2 * i + 1]))});
  }
  return Labels(std::move(items));
}

AppendErrorKind Head::appendable_locked(const MemSeries* s, int64_t t_ms, double v) const {
  if (t_ms < min_valid_time_.load(std::memory_order_relaxed)) return AppendErrorKind::kOutOfBounds;
  if (t_ms > s->last_t_ms) return AppendErrorKind::kNone;
  if (t_ms < s->last_t_ms) return AppendErrorKind::kOutOfOrder;
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  // Same timestamp and bit-identical value is a harmless resend, not an error.
  return bits == s->last_v_bits ? AppendErrorKind::kNone : AppendErrorKind::kDuplicate;
}

void Head::cut_chunk_locked(MemSeries* s) {
  if (!s->open) return;
  s->sealed.push_back({s->open_mint_ms, s->open_maxt_ms,
                       std::make_shared<const std::string>(s->open->release())});
  s->open.reset();
}

AppendErrorKind Head::append_locked(MemSeries* s, int64_t t_ms, double v) {
  AppendErrorKind k = appendable_locked(s, t_ms, v);
  if (k != AppendErrorKind::kNone) return k;
  if (t_ms == s->last_t_ms) return AppendErrorKind::kNone;  // identical resend: drop quietly
  if (s->open) {
    // Cut at the sample budget and at chunk-range boundaries, so that a block
    // boundary never falls inside a chunk.
    int64_t q = s->open_mint_ms / opts_.chunk_range_ms;
    if (s->open_mint_ms % opts_.chunk_range_ms < 0) --q;  // floor division
    int64_t range_end = (q + 1) * opts_.chunk_range_ms;
    if (s->open->num_samples() >= MemSeries::kSamplesPerChunk || t_ms >= range_end)
      cut_chunk_locked(s);
  }
  if (!s->open) {
    s->open = std::make_unique<XorAppender>();
    s->open_mint_ms = t_ms;
    num_chunks_.fetch_add(1, std::memory_order_relaxed);
    counters_.chunks_created->inc();
  }
  s->open->append(t_ms, v);
  s->open_maxt_ms = t_ms;
  s->last_t_ms = t_ms;
  std::memcpy(&s->last_v_bits, &v, 8);
  return AppendErrorKind::kNone;
}

void Head::update_time_range(int64_t mint_ms, int64_t maxt_ms) {
  int64_t cur = min_time_.load(std::memory_order_relaxed);
  while (mint_ms < cur && !min_time_.compare_exchange_weak(cur, mint_ms)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt_ms > cur && !max_time_.compare_exchange_weak(cur, maxt_ms)) {
  }
}

HeadStats Head::stats() const {
  HeadStats st;
  st.num_series = num_series_.load(std::memory_order_relaxed);
  st.num_chunks = num_chunks_.load(std::memory_order_relaxed);
  st.min_time_ms = min_time_.load(std::memory_order_relaxed);
  st.max_time_ms = max_time_.load(std::memory_order_relaxed);
  return st;
}

}  // namespace strata::tsdb
