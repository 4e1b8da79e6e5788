// WalWriter appends commit batches to the active WAL segment. One per head.
//
// Durability contract: write() returns OK only after the batch's bytes were
// handed to the OS with write(2), so they survive a crash (SIGKILL) of the
// process. Surviving a power loss depends on the fsync policy:
//   kAlways    fsync before write() returns: nothing acknowledged is lost.
//   kInterval  a background thread fsyncs every sync_interval_ms (default
//              1 s): a power loss can lose the commits of the last interval.
//   kNever     the OS writes back when it likes (typically within 30 s).
// Segments are fsynced when they are completed, whatever the policy, and
// whenever kMaxUnsyncedBytes accumulated since the last fsync (see below).
//
// Failures (a full disk, I/O errors). write() returns kUnavailable, with a
// message starting "storage unavailable: no space left on device" (ENOSPC,
// EDQUOT) or "storage unavailable: I/O error", and then NONE of the batch
// counts as written: the caller must not acknowledge or apply it. There is
// no failed mode to leave by hand: every later write(), sync(), roll() and
// close() (and the interval syncer, once a second) probes the disk again,
// so writing resumes by itself once space returns.
//  - write(2) fails: the segment is cut back to where the group began (so no
//    torn or unacknowledged record stays in the log) and the writer stays
//    healthy. If even the cut fails, it is handled as a failed fsync.
//  - fsync fails: the segment's unsynced bytes are in an unknown state. Linux
//    may have dropped the dirty pages and marked them clean, and reports the
//    error once only, so fsyncing the same file again would "succeed" while
//    the data is gone (PostgreSQL's "fsyncgate", 2018). The writer therefore
//    never syncs that file again. It keeps in memory a copy of every
//    acknowledged byte not yet fsynced, and recovers by (1) cutting the
//    segment back to its last fsynced length and fsyncing that cut (through
//    a new descriptor; truncation drops the doubtful pages), then (2)
//    creating the next segment, writing the kept bytes into it and fsyncing
//    it. Only when both succeeded are new writes accepted again; until then
//    every write() fails and the recovery is retried. The log stays a clean
//    sequence of whole records, each acknowledged record exactly once: the
//    durable prefix in the old segment, the rest in the new one. Without
//    step (1) a doubtful tail read back as garbage would make replay cut the
//    log there and drop every later segment (reader.h, repair_wal).
//    Under kAlways the batch whose fsync failed is not acknowledged and is
//    not rewritten; under kInterval/kNever the acknowledged batches since the
//    last fsync are rewritten, so they keep their SIGKILL guarantee and
//    regain the power-loss one once step (2) synced.
// The copy costs one memcpy per batch and at most kMaxUnsyncedBytes of
// memory: the writer fsyncs early when that much is unsynced.
//
// Self-metrics: strata_tsdb_wal_writes_failed_total (Prometheus'
// prometheus_tsdb_wal_writes_failed_total), strata_tsdb_wal_fsync_failures_total,
// strata_tsdb_wal_recoveries_total (segments rewritten after a failed fsync),
// strata_tsdb_storage_writable (1, or 0 while the last WAL write failed).
// A failure is logged at ERROR at most once per kErrorLogIntervalMs, and
// the return to writable once.
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

// Acknowledged-but-unsynced bytes kept for a rewrite after a failed fsync
// (see above); past this the writer fsyncs at once. 16 MiB is well over a
// second of heavy ingest (~1M samples/s encode to ~10 MB/s), so kInterval
// keeps its cadence; kNever gains an fsync per 16 MiB, a rounding error
// next to writing them.
inline constexpr size_t kMaxUnsyncedBytes = size_t(16) << 20;
// A full disk fails every commit; one ERROR line per this interval says so.
inline constexpr int64_t kErrorLogIntervalMs = 10'000;

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
  // before this call started. See the durability contract and failures
  // above: an error is kUnavailable and means nothing of `batch` was written.
  absl::Status write(const WalBatch& batch);
  // Completes the active segment (fsynced) and starts the next one. Returns
  // the index of the completed segment; every write() that returned before
  // roll() was called is in a segment <= that index.
  absl::StatusOr<uint32_t> roll();
  // fsyncs the active segment now (or retries the recovery after a failed
  // fsync).
  absl::Status sync();
  // False from a failed write or fsync until a later one succeeded.
  bool writable() const { return writable_.load(std::memory_order_relaxed); }
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
  // Steps (1) and (2) of the fsync-failure recovery; OK at once when no
  // fsync failed.
  absl::Status recover_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Records the outcome of a write/sync for the gauge and the log; returns
  // `s`, made kUnavailable when it is an error.
  absl::Status note_result(absl::Status s);
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
  // Length of file_ at its last successful fsync, and a copy of the
  // acknowledged bytes after it.
  uint64_t synced_size_ ABSL_GUARDED_BY(io_mu_) = 0;
  std::string unsynced_ ABSL_GUARDED_BY(io_mu_);
  // An fsync of file_ failed: recover_locked() must run before any write.
  bool sync_failed_ ABSL_GUARDED_BY(io_mu_) = false;
  std::string group_buf_ ABSL_GUARDED_BY(io_mu_);  // a multi-batch group, concatenated

  std::atomic<bool> writable_{true};
  std::atomic<int64_t> last_error_log_ms_{0};
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
  metrics::Counter* recoveries_;
};

}  // namespace strata::tsdb
