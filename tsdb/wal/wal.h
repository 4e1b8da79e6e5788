// The write-ahead log: numbered segment files (wal/00000000, 00000001, ...) of
// framed records. Every record is [type:1][length:4 LE][crc32c:4 LE][payload],
// the checksum covering type and payload, so torn writes, zeroed pages and
// flipped bytes are detected on replay. A record never spans segments.
//
// Writer: one per head; log() is thread-safe and returns once the bytes are
// handed to the OS (they survive a process crash); fsync follows the policy.
// Reader: replays segments in order and, on damage, reports where it stopped
// so the owner can cut the log there (repair()). Format: tsdb/docs/format/wal.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"

namespace strata::tsdb {

enum class WalRecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kMetadata = 4,
  kChunks = 5,  // checkpoints only: sealed XOR chunks of a series
};

enum class WalSyncPolicy { kAlways, kInterval, kNever };

struct WalOptions {
  // 128 MiB segments: few files, and a torn tail costs at most one segment.
  uint64_t segment_bytes = uint64_t(128) << 20;
  WalSyncPolicy sync = WalSyncPolicy::kInterval;
  int64_t sync_interval_ms = 1000;
};

inline constexpr size_t kWalHeaderBytes = 9;

// Segment file names: 8 decimal digits.
std::string wal_segment_name(uint32_t index);
// Sorted segment indexes found in `dir`.
absl::StatusOr<std::vector<uint32_t>> list_wal_segments(FileSystem* fs, const std::string& dir);

class WalWriter {
 public:
  // Opens `dir` for appending after the highest existing segment (a new
  // segment is started so a damaged tail is never appended to).
  static absl::StatusOr<std::unique_ptr<WalWriter>> open(FileSystem* fs, std::string dir,
                                                         WalOptions opts,
                                                         metrics::Registry* registry);
  ~WalWriter();

  // Appends records (type + payload each) atomically with respect to other
  // log() calls. Returns after write(2); fsyncs first with kAlways.
  absl::Status log(const std::vector<std::pair<WalRecordType, std::string>>& records);
  // Starts a new segment; returns the index of the last completed one.
  absl::StatusOr<uint32_t> roll();
  uint32_t current_segment() const;
  // Bytes of all segments (for metrics and retention by size).
  uint64_t size_bytes() const { return total_bytes_.load(); }
  absl::Status close();

 private:
  WalWriter(FileSystem* fs, std::string dir, WalOptions opts, metrics::Registry* registry);
  absl::Status open_segment_locked(uint32_t index);
  absl::Status sync_locked();
  void sync_loop();

  FileSystem* fs_;
  std::string dir_;
  WalOptions opts_;
  mutable std::mutex mu_;
  std::unique_ptr<WritableFile> file_;
  uint32_t segment_ = 0;
  bool dirty_ = false;  // written since the last fsync
  bool closed_ = false;
  std::atomic<uint64_t> total_bytes_{0};
  std::thread syncer_;
  std::condition_variable stop_cv_;
  metrics::Histogram* fsync_seconds_;
  metrics::Family<metrics::Counter>* records_written_;
  metrics::Counter* bytes_written_;
};

// Where and why replay stopped early.
struct WalDamage {
  uint32_t segment = 0;
  uint64_t offset = 0;
  std::string reason;
};

// Calls `fn(type, payload)` for every intact record of segments with index
// >= first_segment, in order. Stops at the first damaged record and returns it
// in *damage (nullopt-like: reason empty when the log was intact).
absl::Status read_wal(FileSystem* fs, const std::string& dir, uint32_t first_segment,
                      const std::function<absl::Status(WalRecordType, std::string_view)>& fn,
                      WalDamage* damage);

// Cuts the log at the damage: truncates that segment at the offset and deletes
// every later segment.
absl::Status repair_wal(FileSystem* fs, const std::string& dir, const WalDamage& damage);

}  // namespace strata::tsdb
