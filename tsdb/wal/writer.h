// WalWriter appends commit batches to the active WAL segment. One per head.
//
// Durability contract: write() returns OK only after the batch's bytes were
// handed to the OS with write(2), so they survive a crash (SIGKILL) of the
// process. Surviving a power loss depends on the fsync policy:
//   kAlways    fsync before write() returns: nothing acknowledged is lost.
//   kInterval  a background thread fsyncs every sync_interval_ms (default
//              1 s): a power loss can lose the commits of the last interval.
//   kNever     the OS writes back when it likes (typically within 30 s).
// Segments are fsynced when they are completed, whatever the policy.
//
// Thread-safe. Concurrent write() calls are grouped: the first waiting
// caller writes everyone's batches with one write(2) (and one fsync under
// kAlways) while the others wait, so commits scale with cores instead of
// queueing on the disk. Callers encode their batch before calling.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/wal/record.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {

enum class WalSyncPolicy { kAlways, kInterval, kNever };
// "always", "interval", "never" (the --storage.tsdb.wal-sync values).
bool parse_wal_sync_policy(std::string_view s, WalSyncPolicy* out);

struct WalOptions {
  // 128 MiB segments, as Prometheus: few files, and the unit checkpoints
  // and damage repair work in.
  uint64_t segment_bytes = uint64_t(128) << 20;
  WalSyncPolicy sync = WalSyncPolicy::kInterval;
  int64_t sync_interval_ms = 1000;
};

class WalWriter {
 public:
  // Opens `dir` (created when missing) and starts a new segment after the
  // highest existing one (a possibly damaged tail is never appended to), and
  // at least at `min_segment` (past what a checkpoint covers).
  static absl::StatusOr<std::unique_ptr<WalWriter>> open(FileSystem* fs, std::string dir,
                                                         WalOptions opts,
                                                         metrics::Registry* registry,
                                                         uint32_t min_segment = 0);
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Appends the batch's records after all batches whose write() returned
  // before this call started. See the durability contract above.
  absl::Status write(const WalBatch& batch);
  // Completes the active segment (fsynced) and starts the next one. Returns
  // the index of the completed segment; every write() that returned before
  // roll() was called is in a segment <= that index.
  absl::StatusOr<uint32_t> roll();
  // fsyncs the active segment now.
  absl::Status sync();
  uint32_t current_segment() const;
  // Bytes of all segment files in the directory (checkpoints excluded).
  uint64_t size_bytes() const { return size_bytes_.load(std::memory_order_relaxed); }
  // Re-reads size_bytes() from disk after segments were deleted.
  void refresh_size();
  // fsyncs and closes; later writes fail. Idempotent.
  absl::Status close();

 private:
  struct Waiter {
    const WalBatch* batch;
    absl::Status status;
    bool done = false;
    std::condition_variable cv;
  };
  WalWriter(FileSystem* fs, std::string dir, WalOptions opts, metrics::Registry* registry);
  absl::Status write_group(Waiter* const* group, size_t n);
  absl::Status next_segment_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status sync_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  void sync_loop();

  FileSystem* fs_;
  const std::string dir_;
  const WalOptions opts_;

  // Writers waiting to be written; the front one writes for the group.
  std::mutex mu_;
  std::deque<Waiter*> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;

  // The file itself: held by the group leader while writing, by roll(),
  // close() and the interval syncer.
  mutable std::mutex io_mu_;
  std::unique_ptr<SegmentFile> file_ ABSL_GUARDED_BY(io_mu_);
  uint64_t closed_segments_bytes_ ABSL_GUARDED_BY(io_mu_) = 0;
  std::atomic<uint64_t> size_bytes_{0};

  std::thread syncer_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ ABSL_GUARDED_BY(stop_mu_) = false;

  metrics::Histogram* fsync_seconds_;
  metrics::Counter* fsync_failures_;
  metrics::Counter* bytes_written_;
  metrics::Counter* records_written_[kWalRecordTypeMax + 1] = {};
  metrics::Counter* write_failures_;
};

}  // namespace strata::tsdb
