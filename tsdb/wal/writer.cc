#include "tsdb/wal/writer.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
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
  absl::Status s;
  uint64_t written = 0;
  for (size_t i = 0; i < n && s.ok(); ++i) {
    const std::string& b = group[i]->batch->bytes();
    if (file_->size() > 0 && file_->size() + b.size() > opts_.segment_bytes) {
      s = next_segment_locked();
      if (!s.ok()) break;
    }
    if (!file_->usable()) s = next_segment_locked();
    if (s.ok()) s = file_->write(b);
    if (s.ok()) written += b.size();
  }
  if (s.ok() && opts_.sync == WalSyncPolicy::kAlways) s = sync_locked();
  size_bytes_.store(closed_segments_bytes_ + file_->size(), std::memory_order_relaxed);
  if (!s.ok()) {
    write_failures_->inc();
    return s;
  }
  bytes_written_->inc(double(written));
  for (size_t i = 0; i < n; ++i)
    for (int t = 1; t <= kWalRecordTypeMax; ++t)
      if (uint32_t c = group[i]->batch->count(WalRecordType(t))) records_written_[t]->inc(c);
  return s;
}

absl::Status WalWriter::next_segment_locked() {
  uint32_t next = file_->index() + 1;
  // A completed segment is made durable whatever the policy, so that a
  // checkpoint never covers a segment the OS still holds in memory.
  STRATA_RETURN_IF_ERROR(sync_locked());
  uint64_t size = file_->size();
  STRATA_RETURN_IF_ERROR(file_->close());
  closed_segments_bytes_ += size;
  STRATA_ASSIGN_OR_RETURN(file_, SegmentFile::create(fs_, dir_, next));
  return absl::OkStatus();
}

absl::Status WalWriter::sync_locked() {
  if (!file_->dirty()) return absl::OkStatus();
  double t0 = monotonic_seconds();
  absl::Status s = file_->sync();
  fsync_seconds_->observe(monotonic_seconds() - t0);
  if (!s.ok()) fsync_failures_->inc();
  return s;
}

absl::StatusOr<uint32_t> WalWriter::roll() {
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::FailedPreconditionError("WAL is closed");
  uint32_t done = file_->index();
  STRATA_RETURN_IF_ERROR(next_segment_locked());
  return done;
}

absl::Status WalWriter::sync() {
  std::lock_guard<std::mutex> lock(io_mu_);
  if (!file_) return absl::OkStatus();
  return sync_locked();
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
    if (absl::Status s = sync(); !s.ok())
      log::error("tsdb", "WAL fsync failed", {{"err", std::string(s.message())}});
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
  absl::Status c = file_->close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace strata::tsdb
