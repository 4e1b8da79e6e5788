// WalWatcher: follows the server's own WAL (`<data>/wal`) for a remote-write
// queue, as Prometheus' WAL watcher does, so that what the head committed is
// what gets sent — including what was committed while the receiver was down
// or before a restart, as long as the WAL still holds it.
//
// It first learns every series (the newest checkpoint's series records and
// the series records of the segments before the start position), then reads
// records from the start position on and hands the consumer series records
// and sample records, each with the position just past it. It polls the live
// segment for new records (every 50 ms: the writer appends whole batches with
// one write(2), so a record cut short at the end is one still being written
// and is read again later) and moves to the next segment once that exists.
//
// When head truncation deleted the segment it was reading (the receiver was
// behind by more than the WAL keeps), it re-reads the newest checkpoint's
// series, continues with the oldest segment left, and counts the segments it
// skipped. After reading a new checkpoint it lets the consumer forget series
// that only older segments mentioned (series_reset).
//
// Threads: one thread of its own between start() and stop(); the consumer's
// callbacks run on it. stop() interrupts a wait in samples() only through the
// consumer (its samples() must return false once told to stop).
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/filesystem.h"
#include "base/metrics.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/record.h"

namespace strata::remote {

// A place in the WAL: the next byte to read in segment `segment`.
struct WalPosition {
  uint32_t segment = 0;
  uint64_t offset = 0;
  bool operator==(const WalPosition&) const = default;
  auto operator<=>(const WalPosition&) const = default;
};

class WalConsumer {
 public:
  virtual ~WalConsumer() = default;
  // A series record entry. `segment` is where it was read (for a checkpoint:
  // the checkpoint's last segment + 1, so the series survives a reset).
  virtual void series(uint64_t ref, std::span<const tsdb::LabelView> labels, uint32_t segment) = 0;
  // Forget series last announced in segments <= `segment`.
  virtual void series_reset(uint32_t segment) = 0;
  // The samples of one record; `end` is the position just past it. May
  // block (a full queue). False: stop reading.
  virtual bool samples(std::span<const tsdb::WalSample> samples, WalPosition end) = 0;
  // A metadata record (also read before the start position).
  virtual void metadata(std::span<const tsdb::WalMetadata> md) {}
  // Where sample records start to count, once the series are known (with
  // from_end: the end of the WAL then).
  virtual void started(WalPosition start) {}
};

struct WalWatcherOptions {
  std::string wal_dir;
  // Where sample records start to count; with `from_end`, the end of the
  // WAL at start() instead (a queue without saved progress, as Prometheus:
  // it sends what is written from now on).
  WalPosition start;
  bool from_end = false;
  std::string consumer_name;  // the `consumer` label of its metrics
  int64_t poll_interval_ms = 50;
};

class WalWatcher {
 public:
  WalWatcher(WalWatcherOptions opts, WalConsumer* consumer, FileSystem* fs,
             metrics::Registry& registry);
  ~WalWatcher();
  void start();
  // Ends the thread (after the consumer's current call returns).
  void stop();

 private:
  void run();
  // Reads records of segment `seg` of `dir` from `*offset` up to `limit`,
  // announcing series as of segment `announce`; `series_only` skips
  // samples. Returns false when the segment file is missing.
  bool read_segment(const std::string& dir, uint32_t seg, uint32_t announce, uint64_t* offset,
                    uint64_t limit, bool series_only);
  // Reads the newest checkpoint's series; its last segment (or -1 if none).
  int64_t read_checkpoint();
  void dispatch(const tsdb::WalFrame& f, uint32_t announce, WalPosition end, bool series_only);

  WalWatcherOptions opts_;
  WalConsumer* consumer_;
  FileSystem* fs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  int64_t checkpoint_ = -1;  // newest checkpoint read (its last segment)
  std::vector<tsdb::LabelView> labels_;
  std::vector<tsdb::WalSample> samples_;
  std::vector<tsdb::WalMetadata> metadata_;
  std::string buf_;
  metrics::Gauge& current_segment_;
  metrics::Counter& records_read_;
  metrics::Counter& segments_skipped_;
};

}  // namespace strata::remote
