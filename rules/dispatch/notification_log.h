// NotificationLog: what was last notified to each integration of each
// aggregation group (Alertmanager's nflog): the set of firing and of
// resolved alert fingerprints and the time, so that an unchanged group is
// not re-notified before repeat_interval, and — because the log lives in a
// file under the data directory — a restarted Strata does not page anybody
// twice for the same state.
//
// File: <dir>/notifications.json, a JSON object
//   {"version":1,"entries":[{"key":..., "firing":["<16 hex>",...],
//     "resolved":[...], "at_ms":..., "expires_ms":...}, ...]}
// rewritten whole after each change: written to notifications.json.tmp,
// fsync'd, renamed over the old file, then the directory fsync'd, so a
// crash leaves the old or the new log, never a torn one. A log that cannot
// be parsed is set aside (renamed *.corrupt) and replaced by an empty one:
// duplicates are better than no notifications.
//
// Entries expire `retention` after they were written (Alertmanager keeps
// its log 120 h); at most kMaxEntries are kept (the oldest go first).
//
// Not thread-safe: the dispatcher's lock guards it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"

namespace strata::rules::dispatch {

struct LogEntry {
  std::vector<uint64_t> firing, resolved;  // sorted fingerprints
  int64_t at_ms = 0;
  int64_t expires_ms = 0;
};

class NotificationLog {
 public:
  static constexpr size_t kMaxEntries = 100'000;  // ~10 MB of JSON at worst
  static constexpr int64_t kDefaultRetentionMs = 120LL * 3'600'000;

  // Loads <dir>/notifications.json when present; creates `dir`.
  static absl::StatusOr<std::unique_ptr<NotificationLog>> open(
      FileSystem* fs, const std::string& dir, int64_t retention_ms = kDefaultRetentionMs);

  const LogEntry* find(const std::string& key) const;
  // Records and persists (see above). The in-memory entry is updated even
  // when writing fails (then the error is returned for counting/logging).
  absl::Status record(const std::string& key, std::vector<uint64_t> firing,
                      std::vector<uint64_t> resolved, int64_t now_ms);
  // Drops expired entries (persisting when any went).
  absl::Status gc(int64_t now_ms);
  size_t size() const { return entries_.size(); }

 private:
  NotificationLog(FileSystem* fs, std::string dir, int64_t retention_ms)
      : fs_(fs), dir_(std::move(dir)), retention_ms_(retention_ms) {}
  absl::Status load();
  absl::Status persist();

  FileSystem* fs_;
  std::string dir_;
  int64_t retention_ms_;
  std::map<std::string, LogEntry> entries_;
};

}  // namespace strata::rules::dispatch
