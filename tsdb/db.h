// tsdb::DB, the storage façade the server opens: it owns the head (with its
// WAL) and the block store (blocks, compaction, retention), exposes them
// through the storage.h interfaces (queriers merge blocks and head) and runs
// background maintenance: cutting head ranges into blocks, compacting,
// applying retention. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/head/head_stats.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

class Head;
class BlockStore;
namespace prom {
class PromDir;
}

struct DBOptions {
  // Storage directory; "" keeps everything in memory (tests, promqltest).
  std::string dir = "data/";
  // WAL fsync policy: "always", "interval" (every second) or "never".
  std::string wal_sync = "interval";
  int64_t retention_ms = int64_t(15) * 24 * 3600 * 1000;
  int64_t retention_bytes = 0;  // 0 = no size limit
  int64_t out_of_order_window_ms = 0;
  // Appends more than this after the wall clock are rejected ("sample
  // timestamp too far in the future"); 0 accepts any timestamp. See
  // HeadOptions::too_far_in_future_window_ms.
  int64_t too_far_in_future_window_ms = 0;
  // --storage.exemplars.exemplars-limit: exemplars kept in memory, shared
  // by all series (oldest overwritten first); 0 disables exemplar storage.
  int64_t max_exemplars = 100000;
  // --storage.tsdb.max-series: see HeadOptions::max_series; 0 = no limit.
  int64_t max_series = 0;
  // --storage.tsdb.head-snapshot-on-shutdown: see HeadOptions::snapshot_on_shutdown.
  bool head_snapshot_on_shutdown = false;
  int64_t block_range_ms = 2 * 3600 * 1000;
  // How often background maintenance runs; 0 disables the background thread.
  int64_t maintenance_interval_ms = 60 * 1000;
  // --storage.prometheus-tsdb.path: a Prometheus data directory whose
  // persisted blocks are read-only merged into every query ("" = none).
  // Never written, compacted or subject to retention; on equal timestamps
  // Strata's own samples win.
  std::string prometheus_tsdb_dir;
};

// Cardinality statistics for /api/v1/status/tsdb: the `limit` largest entries
// of each list, largest first.
struct CardinalityStats {
  struct Entry {
    std::string name;
    uint64_t value;
  };
  HeadStats head;
  uint64_t num_label_pairs = 0;
  std::vector<Entry> series_by_metric_name;
  std::vector<Entry> label_value_count_by_label_name;
  std::vector<Entry> memory_in_bytes_by_label_name;
  std::vector<Entry> series_by_label_value_pair;
};

// The narrow views of a database that the HTTP API and other readers hold
// instead of the concrete DB.
class ExemplarQueryable {
 public:
  virtual ~ExemplarQueryable() = default;
  // Exemplars in [mint, maxt] of the series matching any of the matcher
  // sets (/api/v1/query_exemplars), series sorted by labels.
  virtual std::vector<ExemplarSeries> select_exemplars(int64_t mint_ms, int64_t maxt_ms,
                                                       const std::vector<Matchers>& selectors) const = 0;
};

class StatsReader {
 public:
  virtual ~StatsReader() = default;
  virtual HeadStats head_stats() const = 0;
  virtual CardinalityStats cardinality_stats(size_t limit) const = 0;
};

// Admin operations (/api/v1/admin/tsdb/*).
class StorageAdmin {
 public:
  virtual ~StorageAdmin() = default;
  // Hard-links all blocks (and, unless skip_head, writes the head as a block)
  // into <dir>/snapshots/<name>/; returns the name.
  virtual absl::StatusOr<std::string> snapshot(bool skip_head) = 0;
  // Marks samples of matching series in [mint, maxt] deleted.
  virtual absl::Status delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) = 0;
  // Rewrites data so that deleted samples are gone from disk.
  virtual absl::Status clean_tombstones() = 0;
};

class DB : public Appendable,
           public Queryable,
           public MetadataReader,
           public ExemplarQueryable,
           public StatsReader,
           public StorageAdmin {
 public:
  // Opens (creating when missing) the database in opts.dir. All file I/O goes
  // through `fs` (the POSIX file system when null), which must outlive the
  // DB: tests pass a fault-injecting one to tear writes or drop unsynced data
  // in process.
  static absl::StatusOr<std::unique_ptr<DB>> open(const DBOptions& opts,
                                                  metrics::Registry* registry,
                                                  FileSystem* fs = nullptr);
  ~DB() override;

  std::unique_ptr<Appender> appender() override;
  absl::StatusOr<std::unique_ptr<Querier>> querier(int64_t mint_ms, int64_t maxt_ms) override;
  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> metadata(
      const std::string& metric, size_t limit, size_t limit_per_metric) const override;

  std::vector<ExemplarSeries> select_exemplars(int64_t mint_ms, int64_t maxt_ms,
                                               const std::vector<Matchers>& selectors) const override;
  HeadStats head_stats() const override;
  CardinalityStats cardinality_stats(size_t limit) const override;
  Head& head() { return *head_; }

  absl::StatusOr<std::string> snapshot(bool skip_head) override;
  absl::Status delete_series(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) override;
  absl::Status clean_tombstones() override;

  // One round of background maintenance: cut head ranges into blocks,
  // compact, apply retention. Runs every minute in the background; tests
  // call it directly. Each cut starts at the head's oldest sample, so the
  // number of cuts is bounded by the block ranges that hold data, however
  // far apart two samples are. Returns Cancelled, leaving storage
  // consistent, when close() was called meanwhile: every loop in here
  // checks for it between steps.
  absl::Status maintain();

  // Stops background maintenance (a round in progress returns at its next
  // check, within one block write or checkpoint record) and flushes what
  // must survive a restart; further appends fail.
  absl::Status close();

 private:
  DB(DBOptions opts, std::unique_ptr<Head> head, std::unique_ptr<BlockStore> blocks);
  void maintenance_loop();
  DBOptions opts_;
  std::unique_ptr<Head> head_;
  std::unique_ptr<BlockStore> blocks_;  // null for in-memory databases
  std::unique_ptr<prom::PromDir> prom_;  // null without prometheus_tsdb_dir; set once in open()
  std::mutex maintain_mu_;
  // Set first thing by close(); maintenance loops poll it.
  std::atomic<bool> stop_{false};
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread loop_;
};

}  // namespace strata::tsdb
