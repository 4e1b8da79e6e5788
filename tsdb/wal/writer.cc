#include "tsdb/wal/writer.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace strata::tsdb {
namespace {

// A group leader writes at most this much for others: bounds the latency a
// small commit waits behind a burst of big ones.
constexpr size_t kMaxGroupBytes = size_t(4) << 20;

}  // namespace

bool parse_wal_sync_policy(std::string_view s, WalSyncPolicy* out) {
  if (s == "always")
    *out = WalSyncPolicy::kAlways;
  else if (s == "interval")
    *out = WalSyncPolicy::kInterval;
  else if (s == "never")
    *out = WalSyncPolicy::kNever;
  else
    return false;
  return true;
}

WalWriter::WalWriter(FileSystem* fs, std::string dir, WalOptions opts, metrics::Registry* registry)
    : fs_(fs), dir_(std::move(dir)), opts_(opts) {
  metrics::Registry& r = *registry;
  // 100 us .. ~1.6 s in x4 steps: local SSDs sit at the low end, network
  // disks at the high end.
  fsync_seconds_ = &r.histogram("strata_tsdb_wal_fsync_duration_seconds", "Duration of WAL fsync.",
                                metrics::exponential_buckets(0.0001, 4, 8));
  fsync_failures_ =
      &r.counter("strata_tsdb_wal_fsync_failures_total", "WAL fsyncs that returned an error.");
  bytes_written_ = &r.counter("strata_tsdb_wal_written_bytes_total", "Bytes written to the WAL.");
  write_failures_ =
      &r.counter("strata_tsdb_wal_writes_failed_total", "WAL writes that returned an error.");
  recoveries_ = &r.counter("strata_tsdb_wal_recoveries_total",
                           "WAL segments cut back and their unsynced records rewritten into a "
                           "new segment after a failed fsync.");
  r.gauge_func("strata_tsdb_storage_writable",
               "1 while the WAL accepts writes, 0 after a failed write or fsync until one succeeds "
               "(e.g. the disk is full).",
               [this] { return writable() ? 1.0 : 0.0; });
  auto& recs = r.counter_family("strata_tsdb_wal_records_written_total",
                                "WAL records written, by record type.", {"type"});
  for (int t = 1; t <= kWalRecordTypeMax; ++t)
    records_written_[t] = &recs.with({wal_record_type_name(WalRecordType(t))});
  r.gauge_func("strata_tsdb_wal_size_bytes", "Size of the WAL segments on disk.",
               [this] { return double(size_bytes()); });
}

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::open(FileSystem* fs, std::string dir,
                                                           WalOptions opts,
                                                           metrics::Registry* registry,
                                                           uint32_t min_segment) {
  STRATA_RETURN_IF_ERROR(fs->mkdirs(dir));
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> segs, list_wal_segments(fs, dir));
  std::unique_ptr<WalWriter> w(new WalWriter(fs, dir, opts, registry));
  uint32_t next = std::max(min_segment, segs.empty() ? 0 : segs.back() + 1);
  {
    std::lock_guard<std::mutex> lock(w->io_mu_);
    w->closed_segments_bytes_ = wal_segments_bytes(fs, dir);
    STRATA_ASSIGN_OR_RETURN(w->file_, SegmentFile::create(fs, dir, next));
    w->size_bytes_.store(w->closed_segments_bytes_);
  }
  if (opts.sync == WalSyncPolicy::kInterval)
    w->syncer_ = std::thread([p = w.get()] { p->sync_loop(); });
  return w;
}

WalWriter::~WalWriter() { (void)close(); }

absl::Status WalWriter::write(const WalBatch& batch) {
  if (batch.empty()) return absl::OkStatus();
  Waiter self{&batch};
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return absl::FailedPreconditionError("WAL is closed");
  queue_.push_back(&self);
  while (!self.done && queue_.front() != &self) self.cv.wait(lock);
  if (self.done) return self.status;
  // This writer leads: take the waiting batches along.
  std::vector<Waiter*> group;
  size_t bytes = 0;
  for (Waiter* w : queue_) {
    if (!group.empty() && bytes + w->batch->bytes().size() > kMaxGroupBytes) break;
    group.push_back(w);
    bytes += w->batch->bytes().size();
  }
  lock.unlock();
  absl::Status s = write_group(group.data(), group.size());
  lock.lock();
  for (Waiter* w : group) {
    queue_.pop_front();
    if (w == &self) continue;
    w->status = s;
    w->done = true;
    w->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
  return s;
}

absl::Status WalWriter::write_group(Waiter* const* group, size_t n) {
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::FailedPreconditionError("WAL is closed");
  // One write for the whole group, so that a failure cuts all of it off.
  std::string_view bytes = group[0]->batch->bytes();
  if (n > 1) {
    group_buf_.clear();
    for (size_t i = 0; i < n; ++i) group_buf_.append(group[i]->batch->bytes());
    bytes = group_buf_;
  }
  absl::Status s = recover_locked();
  if (s.ok() && file_->size() > 0 && file_->size() + bytes.size() > opts_.segment_bytes)
    s = next_segment_locked();
  // SegmentFile::write cuts the file back to where it was on failure. When
  // even that failed, the file holds unacknowledged bytes after
  // acknowledged unsynced ones: handled like a failed fsync.
  if (s.ok()) {
    s = file_->write(bytes);
    if (!s.ok() && !file_->usable()) {
      sync_failed_ = true;
      file_->abandon();
    }
  }
  if (s.ok()) {
    if (opts_.sync == WalSyncPolicy::kAlways || unsynced_.size() + bytes.size() > kMaxUnsyncedBytes) {
      // Not kept: when this fsync fails, the group is not acknowledged.
      s = sync_locked();
    } else {
      unsynced_.append(bytes);
    }
  }
  if (group_buf_.capacity() > kMaxGroupBytes * 2) std::string().swap(group_buf_);
  size_bytes_.store(closed_segments_bytes_ + file_->size(), std::memory_order_relaxed);
  if (!s.ok()) {
    write_failures_->inc();
    return note_result(s);
  }
  (void)note_result(s);
  bytes_written_->inc(double(bytes.size()));
  for (size_t i = 0; i < n; ++i)
    for (int t = 1; t <= kWalRecordTypeMax; ++t)
      if (uint32_t c = group[i]->batch->count(WalRecordType(t))) records_written_[t]->inc(c);
  return s;
}

absl::Status WalWriter::note_result(absl::Status s) {
  if (s.ok()) {
    if (!writable_.exchange(true, std::memory_order_relaxed))
      log::info("tsdb", "WAL writable again");
    return s;
  }
  if (s.code() == absl::StatusCode::kFailedPrecondition) return s;  // closed: not a disk problem
  writable_.store(false, std::memory_order_relaxed);
  bool full = s.code() == absl::StatusCode::kResourceExhausted;
  int64_t now = now_ms();
  int64_t last = last_error_log_ms_.load(std::memory_order_relaxed);
  if (now - last >= kErrorLogIntervalMs &&
      last_error_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    log::error("tsdb",
               full ? "WAL write failed: no space left on device; writes are refused until "
                      "space returns (queries keep working)"
                    : "WAL write failed: I/O error; writes are refused until the disk recovers",
               {{"err", std::string(s.message())}, {"dir", dir_}});
  }
  return absl::UnavailableError(
      absl::StrCat("storage unavailable: ", full ? "no space left on device" : "I/O error", " (",
                   s.message(), ")"));
}

absl::Status WalWriter::next_segment_locked() {
  STRATA_RETURN_IF_ERROR(recover_locked());
  uint32_t next = file_->index() + 1;
  // A completed segment is made durable whatever the policy, so that a
  // checkpoint never covers a segment the OS still holds in memory.
  STRATA_RETURN_IF_ERROR(sync_locked());
  // Created before the old one is closed: when creation fails (a full
  // disk), writing goes on in the old one.
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<SegmentFile> f, SegmentFile::create(fs_, dir_, next));
  uint64_t size = file_->size();
  (void)file_->close();  // synced above; nothing left to lose
  closed_segments_bytes_ += size;
  file_ = std::move(f);
  synced_size_ = 0;
  return absl::OkStatus();
}

absl::Status WalWriter::sync_locked() {
  if (sync_failed_) return recover_locked();
  if (!file_->dirty()) return absl::OkStatus();
  double t0 = monotonic_seconds();
  absl::Status s = file_->sync();
  fsync_seconds_->observe(monotonic_seconds() - t0);
  if (s.ok()) {
    synced_size_ = file_->size();
    unsynced_.clear();
    if (unsynced_.capacity() > kMaxUnsyncedBytes) std::string().swap(unsynced_);
    return s;
  }
  fsync_failures_->inc();
  // Never asked again (see the header): the file is abandoned now and
  // recover_locked() replaces it.
  sync_failed_ = true;
  file_->abandon();
  return s;
}

absl::Status WalWriter::recover_locked() {
  if (!sync_failed_) return absl::OkStatus();
  const std::string old_path = file_->path();
  // (1) Back to the durable prefix, and that length made durable.
  STRATA_RETURN_IF_ERROR(fs_->truncate(old_path, synced_size_));
  {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs_->open_writable(old_path, true));
    STRATA_RETURN_IF_ERROR(f->sync());
    STRATA_RETURN_IF_ERROR(f->close());
  }
  // (2) The acknowledged rest in a fresh segment. A leftover of an earlier
  // failed attempt is overwritten (create truncates).
  uint32_t next = file_->index() + 1;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<SegmentFile> f, SegmentFile::create(fs_, dir_, next));
  absl::Status s = unsynced_.empty() ? absl::OkStatus() : f->write(unsynced_);
  if (s.ok()) s = f->sync();
  if (!s.ok()) {
    // Not left behind half-written: replay would stop at its damage.
    f->abandon();
    (void)fs_->remove(join_path(dir_, wal_segment_name(next)));
    return s;
  }
  closed_segments_bytes_ += synced_size_;
  file_ = std::move(f);
  synced_size_ = file_->size();
  log::warn("tsdb", "WAL recovered after a failed fsync: segment cut back, unsynced records rewritten",
            {{"segment", wal_segment_name(next - 1)},
             {"kept_bytes", synced_size_},
             {"rewritten_bytes", uint64_t(unsynced_.size())}});
  unsynced_.clear();
  sync_failed_ = false;
  recoveries_->inc();
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> WalWriter::roll() {
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::FailedPreconditionError("WAL is closed");
  // After a failed fsync the records move to a new segment first.
  if (absl::Status s = recover_locked(); !s.ok()) return note_result(s);
  uint32_t done = file_->index();
  if (absl::Status s = next_segment_locked(); !s.ok()) return note_result(s);
  return done;
}

absl::Status WalWriter::sync() {
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::OkStatus();
  bool was_failed = sync_failed_;
  absl::Status s = sync_locked();
  if (!s.ok() || was_failed) return note_result(s);
  return s;
}

uint32_t WalWriter::current_segment() const {
  std::lock_guard<std::mutex> lock(io_mu_);
  return file_ ? file_->index() : 0;
}

void WalWriter::refresh_size() {
  std::lock_guard<std::mutex> lock(io_mu_);
  uint64_t all = wal_segments_bytes(fs_, dir_);
  uint64_t active = file_ ? file_->size() : 0;
  closed_segments_bytes_ = all > active ? all - active : 0;
  size_bytes_.store(all, std::memory_order_relaxed);
}

void WalWriter::sync_loop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.sync_interval_ms));
    if (stop_) break;
    lock.unlock();
    (void)sync();  // logged (rate-limited) and counted by note_result()
    lock.lock();
  }
}

absl::Status WalWriter::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::OkStatus();
  absl::Status s = sync_locked();
  absl::Status c = sync_failed_ ? absl::OkStatus() : file_->close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace strata::tsdb
