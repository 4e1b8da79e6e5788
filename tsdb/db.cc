#include "tsdb/db.h"

#include <algorithm>
#include <map>

#include "base/log.h"
#include "base/status.h"
#include "tsdb/compact/block_store.h"
#include "tsdb/compact/planner.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/head/head.h"
#include "tsdb/promblock/prom_dir.h"

namespace strata::tsdb {

DB::DB(DBOptions opts, std::unique_ptr<Head> head, std::unique_ptr<BlockStore> blocks)
    : opts_(std::move(opts)), head_(std::move(head)), blocks_(std::move(blocks)) {
  if (blocks_ && opts_.maintenance_interval_ms > 0) loop_ = std::thread([this] { maintenance_loop(); });
}

DB::~DB() { (void)close(); }

absl::StatusOr<std::unique_ptr<DB>> DB::open(const DBOptions& opts, metrics::Registry* registry,
                                             FileSystem* fs) {
  if (!fs) fs = posix_file_system();
  HeadOptions ho;
  ho.dir = opts.dir;
  ho.fs = fs;
  ho.chunk_range_ms = opts.block_range_ms;
  ho.ooo_window_ms = opts.out_of_order_window_ms;
  ho.too_far_in_future_window_ms = opts.too_far_in_future_window_ms;
  ho.max_exemplars = opts.max_exemplars;
  ho.max_series = opts.max_series;
  ho.snapshot_on_shutdown = opts.head_snapshot_on_shutdown;
  if (!parse_wal_sync_policy(opts.wal_sync, &ho.wal.sync))
    return absl::InvalidArgumentError("invalid WAL sync policy \"" + opts.wal_sync +
                                      "\" (want always, interval or never)");
  std::unique_ptr<BlockStore> blocks;
  if (!opts.dir.empty()) {
    BlockStoreOptions bo;
    bo.block_range_ms = opts.block_range_ms;
    bo.retention_ms = opts.retention_ms;
    bo.retention_bytes = opts.retention_bytes;
    auto store = BlockStore::open(fs, opts.dir, bo, registry);
    if (!store.ok()) return annotate(store.status(), "opening blocks in " + opts.dir);
    for (const std::string& c : (*store)->corrupted())
      log::error("tsdb", "Block set aside", {{"err", c}});
    blocks = std::move(*store);
    // The head never holds data a block already has: replay drops it and
    // appends before the newest block's end are out of bounds.
    if (blocks->max_time_ms() != INT64_MIN) ho.min_valid_time_ms = blocks->max_time_ms();
  }
  std::unique_ptr<prom::PromDir> prom;
  if (!opts.prometheus_tsdb_dir.empty()) {
    auto d = prom::PromDir::open(fs, opts.prometheus_tsdb_dir, /*set_aside_corrupt=*/true);
    if (!d.ok()) {
      return annotate(d.status(), "opening the Prometheus data directory " + opts.prometheus_tsdb_dir);
    }
    prom = std::move(*d);
    for (const std::string& c : prom->corrupted())
      log::error("tsdb", "Prometheus block set aside", {{"err", c}});
    log::info("tsdb", "Serving Prometheus blocks read-only",
              {{"dir", opts.prometheus_tsdb_dir}, {"blocks", std::to_string(prom->blocks().size())}});
    if (prom->has_head_data()) {
      log::warn("tsdb",
                "The Prometheus directory has a wal/ or chunks_head/: samples still in "
                "Prometheus' head are not read (take a snapshot to include them)",
                {{"dir", opts.prometheus_tsdb_dir}});
    }
  }
  auto head = Head::open(ho, registry);
  if (!head.ok()) return annotate(head.status(), "opening head in " + opts.dir);
  std::unique_ptr<DB> db(new DB(opts, std::move(*head), std::move(blocks)));
  db->prom_ = std::move(prom);
  return db;
}

std::unique_ptr<Appender> DB::appender() { return head_->appender(); }

absl::StatusOr<std::unique_ptr<Querier>> DB::querier(int64_t mint_ms, int64_t maxt_ms) {
  std::unique_ptr<Querier> own =
      blocks_ ? blocks_->querier(mint_ms, maxt_ms, head_->querier(mint_ms, maxt_ms))
              : head_->querier(mint_ms, maxt_ms);
  if (!prom_) return own;
  // Prometheus' blocks first: for equal timestamps the later source (ours) wins.
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Querier> theirs, prom_->querier(mint_ms, maxt_ms));
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(std::move(theirs));
  qs.push_back(std::move(own));
  return std::unique_ptr<Querier>(std::make_unique<MergeQuerier>(std::move(qs)));
}

std::vector<std::pair<std::string, std::vector<MetricMetadata>>> DB::metadata(
    const std::string& metric, size_t limit, size_t limit_per_metric) const {
  return head_->metadata().get(metric, limit, limit_per_metric);
}

HeadStats DB::head_stats() const { return head_->stats(); }

std::vector<ExemplarSeries> DB::select_exemplars(int64_t mint_ms, int64_t maxt_ms,
                                                 const std::vector<Matchers>& selectors) const {
  return head_->exemplars().select(mint_ms, maxt_ms, selectors);
}

absl::Status DB::maintain() {
  if (!blocks_) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(maintain_mu_);
  auto stopped = [this] {
    return stop_.load(std::memory_order_relaxed)
               ? absl::CancelledError("storage maintenance stopped: shutting down")
               : absl::OkStatus();
  };
  // Persist every block range the head holds beyond 1.5 block ranges.
  for (;;) {
    STRATA_RETURN_IF_ERROR(stopped());
    HeadStats st = head_->stats();
    if (st.num_series == 0 || st.max_time_ms < st.min_time_ms) break;
    auto r = head_cut_range(st.min_time_ms, st.max_time_ms, opts_.block_range_ms);
    if (!r) break;
    auto q = head_->querier(r->first, r->second - 1);
    auto meta = blocks_->write_head_block(q.get(), r->first, r->second);
    if (!meta.ok()) return annotate(meta.status(), "writing head block");
    if (auto s = head_->truncate(r->second, &stop_); !s.ok()) return annotate(s, "truncating head");
  }
  STRATA_RETURN_IF_ERROR(stopped());
  if (auto c = blocks_->compact(&stop_); !c.ok()) return annotate(c.status(), "compacting");
  STRATA_RETURN_IF_ERROR(stopped());
  if (auto r = blocks_->apply_retention(head_->wal_size_bytes()); !r.ok()) return annotate(r.status(), "retention");
  return absl::OkStatus();
}

void DB::maintenance_loop() {
  // Like Prometheus: a full round right after start (a head replayed from a
  // long WAL may already span several block ranges), then every interval,
  // and in between as soon as the head holds a range ready to be cut (a
  // cheap check every second).
  auto next_full = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    HeadStats st = head_->stats();
    bool due = now >= next_full ||
               (st.num_series > 0 && head_cut_range(st.min_time_ms, st.max_time_ms, opts_.block_range_ms));
    if (due) {
      next_full = now + std::chrono::milliseconds(opts_.maintenance_interval_ms);
      lock.unlock();
      absl::Status s = maintain();
      lock.lock();
      if (absl::IsCancelled(s)) break;  // close() was called
      if (!s.ok()) {
        log::error("tsdb", "Storage maintenance failed", {{"err", std::string(s.message())}});
        loop_cv_.wait_for(lock, std::chrono::seconds(10));  // do not spin on a persistent error
      }
      continue;
    }
    loop_cv_.wait_for(lock, std::chrono::seconds(1));
  }
}

absl::StatusOr<std::string> DB::snapshot(bool skip_head) {
  if (!blocks_) return absl::FailedPreconditionError("in-memory storage has no snapshots");
  std::lock_guard<std::mutex> lock(maintain_mu_);
  if (skip_head) return blocks_->snapshot(nullptr, 0, 0);
  HeadStats st = head_->stats();
  auto q = head_->querier(st.min_time_ms, st.max_time_ms);
  return blocks_->snapshot(q.get(), st.min_time_ms, st.max_time_ms);
}

absl::Status DB::delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) {
  std::lock_guard<std::mutex> lock(maintain_mu_);
  if (blocks_) STRATA_RETURN_IF_ERROR(blocks_->delete_series(matchers, mint_ms, maxt_ms));
  return head_->delete_series(matchers, mint_ms, maxt_ms);
}

absl::Status DB::clean_tombstones() {
  std::lock_guard<std::mutex> lock(maintain_mu_);
  if (blocks_) STRATA_RETURN_IF_ERROR(blocks_->clean_tombstones());
  return head_->clean_tombstones();
}

namespace {

std::vector<CardinalityStats::Entry> top(const std::map<std::string, uint64_t>& m, size_t limit) {
  std::vector<CardinalityStats::Entry> v;
  v.reserve(m.size());
  for (const auto& [k, c] : m) v.push_back({k, c});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

}  // namespace

CardinalityStats DB::cardinality_stats(size_t limit) const {
  const SymbolTable& syms = head_->symbols();
  std::map<std::string, uint64_t> by_metric, values_by_name, bytes_by_name, by_pair;
  CardinalityStats st;
  head_->postings().for_each([&](uint32_t n, uint32_t v, size_t count) {
    std::string name(syms.get(n)), value(syms.get(v));
    ++st.num_label_pairs;
    if (name == kMetricName) by_metric[value] = count;
    values_by_name[name] += 1;
    bytes_by_name[name] += value.size() * count;
    by_pair[name + "=" + value] = count;
  });
  st.head = head_->stats();
  st.series_by_metric_name = top(by_metric, limit);
  st.label_value_count_by_label_name = top(values_by_name, limit);
  st.memory_in_bytes_by_label_name = top(bytes_by_name, limit);
  st.series_by_label_value_pair = top(by_pair, limit);
  return st;
}

absl::Status DB::close() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    if (stopping_ && !loop_.joinable()) return absl::OkStatus();
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  return head_->close();
}

}  // namespace strata::tsdb
