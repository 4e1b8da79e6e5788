#include "tsdb/wal/wal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/log.h"

namespace strata::tsdb {

std::string wal_segment_name(uint32_t index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08u", index);
  return buf;
}

absl::StatusOr<std::vector<uint32_t>> list_wal_segments(FileSystem* fs, const std::string& dir) {
  auto names = fs->list_dir(dir);
  if (!names.ok()) return names.status();
  std::vector<uint32_t> out;
  for (const std::string& n : *names) {
    if (n.size() != 8 || n.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(uint32_t(std::stoul(n)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

WalWriter::WalWriter(FileSystem* fs, std::string dir, WalOptions opts, metrics::Registry* registry)
    : fs_(fs), dir_(std::move(dir)), opts_(opts) {
  fsync_seconds_ = &registry->histogram("strata_tsdb_wal_fsync_duration_seconds",
                                        "Duration of WAL fsync.",
                                        metrics::exponential_buckets(0.0001, 4, 8));
  records_written_ = &registry->counter_family("strata_tsdb_wal_records_written_total",
                                               "WAL records written, by type.", {"type"});
  bytes_written_ = &registry->counter("strata_tsdb_wal_written_bytes_total", "Bytes written to the WAL.");
  registry->gauge_func("strata_tsdb_wal_size_bytes", "Size of the WAL segments on disk.",
                       [this] { return double(total_bytes_.load()); });
  registry->gauge_func("strata_tsdb_wal_segment_current", "Index of the WAL segment being written.",
                       [this] { return double(current_segment()); });
}

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::open(FileSystem* fs, std::string dir,
                                                           WalOptions opts,
                                                           metrics::Registry* registry) {
  if (auto s = fs->mkdirs(dir); !s.ok()) return s;
  auto segs = list_wal_segments(fs, dir);
  if (!segs.ok()) return segs.status();
  std::unique_ptr<WalWriter> w(new WalWriter(fs, dir, opts, registry));
  uint64_t total = 0;
  for (uint32_t s : *segs) {
    auto size = fs->file_size(join_path(dir, wal_segment_name(s)));
    if (size.ok()) total += *size;
  }
  w->total_bytes_.store(total);
  {
    std::lock_guard<std::mutex> lock(w->mu_);
    uint32_t next = segs->empty() ? 0 : segs->back() + 1;
    if (auto s = w->open_segment_locked(next); !s.ok()) return s;
  }
  if (opts.sync == WalSyncPolicy::kInterval) w->syncer_ = std::thread([p = w.get()] { p->sync_loop(); });
  return w;
}

WalWriter::~WalWriter() { (void)close(); }

absl::Status WalWriter::open_segment_locked(uint32_t index) {
  if (file_) {
    if (auto s = sync_locked(); !s.ok()) return s;
    if (auto s = file_->close(); !s.ok()) return s;
  }
  auto f = fs_->open_writable(join_path(dir_, wal_segment_name(index)), false);
  if (!f.ok()) return f.status();
  file_ = std::move(*f);
  segment_ = index;
  // The new file must survive a crash for the records that follow to count.
  return fs_->sync_dir(dir_);
}

absl::Status WalWriter::sync_locked() {
  if (!dirty_ || !file_) return absl::OkStatus();
  double t0 = monotonic_seconds();
  auto s = file_->sync();
  fsync_seconds_->observe(monotonic_seconds() - t0);
  if (s.ok()) dirty_ = false;
  return s;
}

absl::Status WalWriter::log(const std::vector<std::pair<WalRecordType, std::string>>& records) {
  std::string buf;
  size_t total = 0;
  for (const auto& [type, payload] : records) total += kWalHeaderBytes + payload.size();
  buf.reserve(total);
  for (const auto& [type, payload] : records) {
    char t = char(type);
    buf.push_back(t);
    put_fixed32(&buf, uint32_t(payload.size()));
    uint32_t crc = crc32c_extend(0, &t, 1);
    crc = crc32c_extend(crc, payload.data(), payload.size());
    put_fixed32(&buf, crc);
    buf.append(payload);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::FailedPreconditionError("WAL is closed");
  if (file_->size() > 0 && file_->size() + buf.size() > opts_.segment_bytes) {
    if (auto s = open_segment_locked(segment_ + 1); !s.ok()) return s;
  }
  if (auto s = file_->append(buf); !s.ok()) return s;
  // Handing the bytes to the OS makes them survive a crash of this process.
  if (auto s = file_->flush(); !s.ok()) return s;
  dirty_ = true;
  total_bytes_.fetch_add(buf.size());
  bytes_written_->inc(double(buf.size()));
  for (const auto& r : records) {
    static const char* kNames[] = {"", "series", "samples", "tombstones", "metadata", "chunks", "", ""};
    records_written_->with({kNames[uint8_t(r.first) & 7]}).inc();
  }
  if (opts_.sync == WalSyncPolicy::kAlways) return sync_locked();
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> WalWriter::roll() {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t done = segment_;
  if (auto s = open_segment_locked(segment_ + 1); !s.ok()) return s;
  return done;
}

uint32_t WalWriter::current_segment() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segment_;
}

void WalWriter::sync_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.sync_interval_ms));
    if (closed_) break;
    if (auto s = sync_locked(); !s.ok())
      log::error("wal", "WAL fsync failed", {{"err", std::string(s.message())}});
  }
}

absl::Status WalWriter::close() {
  absl::Status st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    if (file_) {
      st = sync_locked();
      auto c = file_->close();
      if (st.ok()) st = c;
      file_.reset();
    }
  }
  stop_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  return st;
}

absl::Status read_wal(FileSystem* fs, const std::string& dir, uint32_t first_segment,
                      const std::function<absl::Status(WalRecordType, std::string_view)>& fn,
                      WalDamage* damage) {
  *damage = WalDamage{};
  auto segs = list_wal_segments(fs, dir);
  if (!segs.ok()) return segs.status();
  for (uint32_t seg : *segs) {
    if (seg < first_segment) continue;
    std::string path = join_path(dir, wal_segment_name(seg));
    auto m = fs->map(path);
    if (!m.ok()) return m.status();
    std::string_view data = (*m)->data();
    uint64_t off = 0;
    while (off < data.size()) {
      auto stop = [&](std::string reason) {
        *damage = WalDamage{seg, off, std::move(reason)};
        return absl::OkStatus();
      };
      if (data.size() - off < kWalHeaderBytes) return stop("torn record header");
      uint8_t type = uint8_t(data[off]);
      uint32_t len = get_fixed32(data.data() + off + 1);
      uint32_t crc = get_fixed32(data.data() + off + 5);
      if (type == 0 && len == 0 && crc == 0) return stop("zeroed bytes");
      if (type < 1 || type > 5) return stop("unknown record type " + std::to_string(type));
      if (len > data.size() - off - kWalHeaderBytes) return stop("torn record");
      std::string_view payload = data.substr(off + kWalHeaderBytes, len);
      char t = char(type);
      uint32_t want = crc32c_extend(crc32c_extend(0, &t, 1), payload.data(), payload.size());
      if (want != crc) return stop("checksum mismatch");
      if (auto s = fn(WalRecordType(type), payload); !s.ok()) {
        if (s.code() == absl::StatusCode::kDataLoss) return stop(std::string(s.message()));
        return s;
      }
      off += kWalHeaderBytes + len;
    }
  }
  return absl::OkStatus();
}

absl::Status repair_wal(FileSystem* fs, const std::string& dir, const WalDamage& damage) {
  if (damage.reason.empty()) return absl::OkStatus();
  auto segs = list_wal_segments(fs, dir);
  if (!segs.ok()) return segs.status();
  for (uint32_t seg : *segs) {
    std::string path = join_path(dir, wal_segment_name(seg));
    if (seg == damage.segment) {
      if (auto s = fs->truncate(path, damage.offset); !s.ok()) return s;
    } else if (seg > damage.segment) {
      if (auto s = fs->remove(path); !s.ok()) return s;
    }
  }
  return fs->sync_dir(dir);
}

}  // namespace strata::tsdb
