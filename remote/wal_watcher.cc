#include "remote/wal_watcher.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

#include "base/log.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/record.h"
#include "tsdb/wal/segment.h"

namespace strata::remote {
namespace {

// Bytes read per call: a few commit batches, and a bounded buffer whatever
// the segment size. A larger record is read whole (up to the segment size).
constexpr size_t kReadChunk = size_t(4) << 20;

std::optional<uint32_t> first_after(const std::vector<uint32_t>& segs, uint32_t seg) {
  auto it = std::upper_bound(segs.begin(), segs.end(), seg);
  if (it == segs.end()) return std::nullopt;
  return *it;
}

}  // namespace

WalWatcher::WalWatcher(WalWatcherOptions opts, WalConsumer* consumer, FileSystem* fs,
                       metrics::Registry& registry)
    : opts_(std::move(opts)),
      consumer_(consumer),
      fs_(fs),
      current_segment_(registry
                           .gauge_family("prometheus_wal_watcher_current_segment",
                                         "Current segment the WAL watcher is reading records from.",
                                         {"consumer"})
                           .with({opts_.consumer_name})),
      records_read_(registry
                        .counter_family("prometheus_wal_watcher_records_read_total",
                                        "Number of records read by the WAL watcher from the WAL.",
                                        {"consumer"})
                        .with({opts_.consumer_name})),
      segments_skipped_(registry
                            .counter_family("strata_remote_wal_segments_skipped_total",
                                            "WAL segments deleted by head truncation before the "
                                            "remote-write queue read them (their samples were not sent).",
                                            {"consumer"})
                            .with({opts_.consumer_name})) {}

WalWatcher::~WalWatcher() { stop(); }

void WalWatcher::start() {
  stop_ = false;
  if (opts_.from_end) {
    // Resolved now, not on the thread: the server starts its queues before
    // anything writes, so every sample committed from here on is sent. The
    // series pass below moves a position that is not a record boundary back
    // to the last one.
    auto segs = tsdb::list_wal_segments(fs_, opts_.wal_dir);
    opts_.start = WalPosition{0, 0};
    if (segs.ok() && !segs->empty()) {
      auto size = fs_->file_size(join_path(opts_.wal_dir, tsdb::wal_segment_name(segs->back())));
      opts_.start = WalPosition{segs->back(), size.ok() ? *size : 0};
    }
  }
  thread_ = std::thread([this] { run(); });
}

void WalWatcher::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void WalWatcher::dispatch(const tsdb::WalFrame& f, uint32_t announce, WalPosition end,
                          bool series_only) {
  records_read_.inc();
  switch (f.type) {
    case tsdb::WalRecordType::kSeries: {
      tsdb::SeriesRecordReader r(f.payload);
      uint64_t ref;
      while (r.next(&ref, &labels_)) consumer_->series(ref, labels_, announce);
      break;
    }
    case tsdb::WalRecordType::kSamples:
      if (series_only) break;
      samples_.clear();
      if (!tsdb::decode_samples(f.payload, &samples_)) break;  // replay cuts the log here too
      if (!consumer_->samples(samples_, end)) stop_ = true;
      break;
    case tsdb::WalRecordType::kMetadata:
      metadata_.clear();
      if (tsdb::decode_metadata(f.payload, &metadata_)) consumer_->metadata(metadata_);
      break;
    default:
      break;  // tombstones are not sent
  }
}

bool WalWatcher::read_segment(const std::string& dir, uint32_t seg, uint32_t announce,
                              uint64_t* offset, uint64_t limit, bool series_only) {
  std::string path = join_path(dir, tsdb::wal_segment_name(seg));
  auto size = fs_->file_size(path);
  if (!size.ok()) return false;
  auto file = fs_->open_readable(path);
  if (!file.ok()) return false;
  const uint64_t end = std::min(*size, limit);
  while (*offset < end && !stop_) {
    size_t want = size_t(std::min<uint64_t>(kReadChunk, end - *offset));
    buf_.clear();
    if (!(*file)->read_at(*offset, want, &buf_).ok()) return true;
    size_t pos = 0;
    tsdb::WalFrame fr;
    std::string reason;
    while (pos < buf_.size() && !stop_ && tsdb::parse_wal_record(buf_, pos, &fr, &reason)) {
      dispatch(fr, announce, WalPosition{seg, *offset + pos + fr.size}, series_only);
      pos += fr.size;
    }
    if (pos == 0) {
      // A record longer than the chunk: read it whole if the file has it.
      if (buf_.size() < tsdb::kWalHeaderBytes || buf_.size() < want) return true;
      uint32_t len;
      std::memcpy(&len, buf_.data() + 1, 4);
      uint64_t need = tsdb::kWalHeaderBytes + uint64_t(len);
      if (need <= want || need > end - *offset) return true;  // damaged, or still being written
      buf_.clear();
      if (!(*file)->read_at(*offset, size_t(need), &buf_).ok()) return true;
      if (!tsdb::parse_wal_record(buf_, 0, &fr, &reason)) return true;
      dispatch(fr, announce, WalPosition{seg, *offset + fr.size}, series_only);
      pos = fr.size;
    }
    *offset += pos;
    if (pos < buf_.size()) break;  // cut short: damage, or a record in progress
  }
  return true;
}

int64_t WalWatcher::read_checkpoint() {
  auto names = fs_->list_dir(opts_.wal_dir);
  if (!names.ok()) return checkpoint_;
  int64_t newest = -1;
  for (const std::string& n : *names) {
    uint32_t last;
    if (tsdb::parse_checkpoint_dir_name(n, &last)) newest = std::max<int64_t>(newest, last);
  }
  if (newest <= checkpoint_) return checkpoint_;
  std::string dir = join_path(opts_.wal_dir, tsdb::checkpoint_dir_name(uint32_t(newest)));
  auto segs = tsdb::list_wal_segments(fs_, dir);
  if (segs.ok()) {
    for (uint32_t s : *segs) {
      uint64_t off = 0;
      // Announced as of the segment after the checkpoint, so the reset
      // that follows keeps them.
      read_segment(dir, s, uint32_t(newest) + 1, &off, UINT64_MAX, true);
    }
  }
  checkpoint_ = newest;
  return newest;
}

void WalWatcher::run() {
  auto sleep = [this] {
    for (int64_t waited = 0; waited < opts_.poll_interval_ms && !stop_; waited += 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  // The series first: the newest checkpoint, then the segments before the
  // start position (their samples were sent before, or predate the queue).
  int64_t cp = read_checkpoint();
  if (cp >= 0) consumer_->series_reset(uint32_t(cp));
  auto segs = tsdb::list_wal_segments(fs_, opts_.wal_dir);
  std::vector<uint32_t> list = segs.ok() ? *segs : std::vector<uint32_t>{};
  WalPosition pos = opts_.start;
  if (!list.empty() && pos.segment < list.front()) {
    segments_skipped_.inc(list.front() - pos.segment);
    log::warn("remote", "WAL segments were deleted before they were sent",
              {{"consumer", opts_.consumer_name},
               {"from", std::to_string(pos.segment)},
               {"to", std::to_string(list.front() - 1)}});
    pos = WalPosition{list.front(), 0};
  }
  for (uint32_t s : list) {
    if (stop_ || s > pos.segment) break;
    uint64_t off = 0;
    read_segment(opts_.wal_dir, s, s, &off, s < pos.segment ? UINT64_MAX : pos.offset, true);
    if (s == pos.segment) pos.offset = off;
  }
  if (!stop_) consumer_->started(pos);

  while (!stop_) {
    current_segment_.set(pos.segment);
    segs = tsdb::list_wal_segments(fs_, opts_.wal_dir);
    list = segs.ok() ? *segs : std::vector<uint32_t>{};
    uint64_t off = pos.offset;
    bool exists = read_segment(opts_.wal_dir, pos.segment, pos.segment, &off, UINT64_MAX, false);
    pos.offset = off;
    if (stop_) break;
    std::optional<uint32_t> next = first_after(list, pos.segment);
    if (!next) {
      sleep();
      continue;
    }
    if (!exists && *next > pos.segment + 1) {
      segments_skipped_.inc(*next - pos.segment - 1);
      log::warn("remote", "WAL segments were deleted before they were sent",
                {{"consumer", opts_.consumer_name},
                 {"from", std::to_string(pos.segment)},
                 {"to", std::to_string(*next - 1)}});
    }
    // The writer starts a segment only after finishing the one before, so
    // everything of pos.segment was read above.
    pos = WalPosition{*next, 0};
    int64_t before = checkpoint_;
    if (read_checkpoint() > before) consumer_->series_reset(uint32_t(checkpoint_));
  }
}

}  // namespace strata::remote
