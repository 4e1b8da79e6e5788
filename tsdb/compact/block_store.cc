#include "tsdb/compact/block_store.h"

#include <algorithm>
#include <set>

#include "base/log.h"
#include "base/status.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/compact/retention.h"

namespace strata::tsdb {

BlockStore::BlockStore(FileSystem* fs, std::string dir, BlockStoreOptions opts,
                       metrics::Registry* registry)
    : fs_(fs),
      dir_(std::move(dir)),
      opts_(opts),
      ranges_(compaction_ranges(opts.retention_ms, opts.block_range_ms)),
      compactor_(fs, dir_, opts.compress_chunks, registry) {
  auto& retention = registry->counter_family("strata_tsdb_retention_deletions_total",
                                             "Blocks deleted by retention, by limit.", {"reason"});
  retention_time_ = &retention.with({"time"});
  retention_size_ = &retention.with({"size"});
  corrupted_total_ = &registry->counter("strata_tsdb_blocks_corrupted_total",
                                        "Blocks that failed to open and were set aside.");
  blocks_loaded_ = &registry->gauge("strata_tsdb_blocks_loaded", "Number of currently loaded blocks.");
  blocks_bytes_ = &registry->gauge("strata_tsdb_storage_blocks_bytes",
                                   "Bytes of the loaded blocks on disk.");
}

absl::StatusOr<std::unique_ptr<BlockStore>> BlockStore::open(FileSystem* fs, std::string dir,
                                                             BlockStoreOptions opts,
                                                             metrics::Registry* registry) {
  STRATA_RETURN_IF_ERROR(fs->mkdirs(dir));
  std::unique_ptr<BlockStore> s(new BlockStore(fs, std::move(dir), opts, registry));
  std::lock_guard<std::mutex> lock(s->write_mu_);
  STRATA_RETURN_IF_ERROR(s->reload());
  return s;
}

absl::Status BlockStore::reload() {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->list_dir(dir_));
  std::vector<std::shared_ptr<Block>> old = blocks();
  std::vector<std::shared_ptr<Block>> next;
  std::vector<std::string> corrupted;
  for (const std::string& name : names) {
    std::string path = join_path(dir_, name);
    if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp" && is_ulid(name.substr(0, 26))) {
      (void)fs_->remove_all(path);  // an interrupted write
      continue;
    }
    if (!is_ulid(name) || !fs_->exists(join_path(path, kMetaFileName))) continue;
    auto it = std::find_if(old.begin(), old.end(),
                           [&](const auto& b) { return b->meta().ulid == name; });
    if (it != old.end()) {
      next.push_back(*it);
      continue;
    }
    auto b = Block::open(path, fs_, opts_.open);
    if (!b.ok()) {
      corrupted.push_back(std::string(b.status().message()));
      corrupted_total_->inc();
      log::error("tsdb", "block set aside", {{"err", corrupted.back()}});
      continue;
    }
    next.push_back(std::move(*b));
  }
  // Sources of a finished compaction whose deletion was interrupted.
  std::set<std::string> parents;
  for (const auto& b : next) {
    for (const auto& p : b->meta().compaction.parents) parents.insert(p.ulid);
  }
  std::vector<std::shared_ptr<Block>> keep;
  for (auto& b : next) {
    if (parents.count(b->meta().ulid)) {
      (void)fs_->remove_all(b->dir());
    } else {
      keep.push_back(std::move(b));
    }
  }
  std::sort(keep.begin(), keep.end(), [](const auto& a, const auto& b) {
    return a->meta().min_time_ms != b->meta().min_time_ms
               ? a->meta().min_time_ms < b->meta().min_time_ms
               : a->meta().ulid < b->meta().ulid;
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    blocks_ = std::move(keep);
    corrupted_ = std::move(corrupted);
  }
  update_gauges();
  return absl::OkStatus();
}

void BlockStore::update_gauges() {
  auto bs = blocks();
  uint64_t bytes = 0;
  for (const auto& b : bs) bytes += b->size_bytes();
  blocks_loaded_->set(double(bs.size()));
  blocks_bytes_->set(double(bytes));
}

std::vector<std::shared_ptr<Block>> BlockStore::blocks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return blocks_;
}

std::vector<std::string> BlockStore::corrupted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return corrupted_;
}

int64_t BlockStore::max_time_ms() const {
  int64_t t = INT64_MIN;
  for (const auto& b : blocks()) t = std::max(t, b->meta().max_time_ms);
  return t;
}

uint64_t BlockStore::size_bytes() const {
  uint64_t n = 0;
  for (const auto& b : blocks()) n += b->size_bytes();
  return n;
}

std::unique_ptr<Querier> BlockStore::querier(int64_t mint_ms, int64_t maxt_ms,
                                             std::unique_ptr<Querier> head) {
  std::vector<std::unique_ptr<Querier>> qs;
  for (const auto& b : blocks()) {
    if (b->meta().min_time_ms <= maxt_ms && b->meta().max_time_ms > mint_ms) {
      qs.push_back(b->querier(mint_ms, maxt_ms));
    }
  }
  if (head) {
    if (qs.empty()) return head;
    qs.push_back(std::move(head));
  }
  return std::make_unique<MergeQuerier>(std::move(qs));
}

absl::StatusOr<BlockMeta> BlockStore::write_head_block(Querier* head, int64_t mint_ms,
                                                       int64_t maxt_ms) {
  std::lock_guard<std::mutex> lock(write_mu_);
  BlockWriterOptions opts;
  opts.compress_chunks = opts_.compress_chunks;
  STRATA_ASSIGN_OR_RETURN(BlockMeta meta,
                          write_block_from_querier(fs_, dir_, head, mint_ms, maxt_ms, opts));
  if (!meta.ulid.empty()) STRATA_RETURN_IF_ERROR(reload());
  return meta;
}

absl::Status BlockStore::delete_blocks(const std::vector<std::string>& ulids) {
  std::set<std::string> gone(ulids.begin(), ulids.end());
  std::vector<std::shared_ptr<Block>> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::stable_partition(blocks_.begin(), blocks_.end(), [&](const auto& b) {
      return !gone.count(b->meta().ulid);
    });
    removed.assign(it, blocks_.end());
    blocks_.erase(it, blocks_.end());
  }
  // Running queries keep their mappings; unlinking the files is safe.
  absl::Status first;
  for (const auto& b : removed) {
    auto s = fs_->remove_all(b->dir());
    if (!s.ok() && first.ok()) first = s;
  }
  update_gauges();
  return first;
}

absl::StatusOr<int> BlockStore::compact(const std::atomic<bool>* stop) {
  std::lock_guard<std::mutex> lock(write_mu_);
  int n = 0;
  while (true) {
    if (stop && stop->load(std::memory_order_relaxed))
      return absl::CancelledError("compaction stopped: storage is shutting down");
    std::vector<std::shared_ptr<Block>> bs = blocks();
    std::vector<BlockMeta> metas;
    for (const auto& b : bs) {
      metas.push_back(b->meta());
      metas.back().stats.num_tombstones = b->tombstones()->count();
    }
    std::vector<size_t> plan = plan_compaction(metas, ranges_);
    if (plan.empty()) return n;
    std::sort(plan.begin(), plan.end());  // block order: later wins on equal timestamps
    std::vector<std::shared_ptr<Block>> sel;
    std::vector<std::string> ulids;
    for (size_t i : plan) {
      sel.push_back(bs[i]);
      ulids.push_back(bs[i]->meta().ulid);
    }
    STRATA_ASSIGN_OR_RETURN(BlockMeta meta, compactor_.compact(sel, stop));
    if (meta.ulid.empty()) {
      STRATA_RETURN_IF_ERROR(delete_blocks(ulids));  // everything was deleted
    } else {
      STRATA_RETURN_IF_ERROR(reload());  // loads the new block, drops its parents
    }
    ++n;
  }
}

absl::StatusOr<int> BlockStore::apply_retention(uint64_t head_bytes) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<std::shared_ptr<Block>> bs = blocks();
  std::vector<RetentionBlock> rb;
  for (const auto& b : bs) rb.push_back({b->meta(), b->size_bytes()});
  std::set<std::string> doomed;
  auto by_time = beyond_time_retention(rb, opts_.retention_ms);
  auto by_size = beyond_size_retention(rb, opts_.retention_bytes, head_bytes);
  if (!by_time.empty()) retention_time_->inc();
  if (!by_size.empty()) retention_size_->inc();
  for (size_t i : by_time) doomed.insert(bs[i]->meta().ulid);
  for (size_t i : by_size) doomed.insert(bs[i]->meta().ulid);
  if (doomed.empty()) return 0;
  STRATA_RETURN_IF_ERROR(delete_blocks({doomed.begin(), doomed.end()}));
  return int(doomed.size());
}

absl::Status BlockStore::delete_series(const Matchers& matchers, int64_t mint_ms,
                                       int64_t maxt_ms) {
  std::lock_guard<std::mutex> lock(write_mu_);
  for (const auto& b : blocks()) {
    STRATA_RETURN_IF_ERROR(b->delete_series(matchers, mint_ms, maxt_ms));
  }
  return absl::OkStatus();
}

absl::Status BlockStore::clean_tombstones() {
  std::lock_guard<std::mutex> lock(write_mu_);
  for (const auto& b : blocks()) {
    if (b->tombstones()->empty()) continue;
    STRATA_ASSIGN_OR_RETURN(BlockMeta meta, compactor_.compact({b}));
    if (meta.ulid.empty()) {
      STRATA_RETURN_IF_ERROR(delete_blocks({b->meta().ulid}));
    } else {
      STRATA_RETURN_IF_ERROR(reload());
    }
  }
  return absl::OkStatus();
}

}  // namespace strata::tsdb
