// RemoteWriteSender: the `remote_write` section of prometheus.yml — one
// QueueManager per entry, all reading the server's WAL in `wal_dir` and
// keeping their progress in `state_dir` (one file per queue, named after the
// entry's `name`, or a hash of its URL when unnamed, so progress survives
// restarts and reloads). apply() replaces the queues: each old queue stops
// after saving its progress and the new one resumes there, so a reload loses
// nothing. Not thread-safe: the server calls it from its main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "remote/config.h"
#include "remote/queue_manager.h"
#include "tsdb/labels/labels.h"

namespace strata::remote {

struct SenderOptions {
  std::string wal_dir;
  std::string state_dir;
  std::string user_agent = "Strata";
};

class RemoteWriteSender {
 public:
  RemoteWriteSender(SenderOptions opts, FileSystem* fs, metrics::Registry& registry);
  ~RemoteWriteSender();
  absl::Status apply(const std::vector<RemoteWriteConfig>& configs, const tsdb::Labels& external_labels);
  void stop();

  // The queue's name (remote_name label, progress file name).
  static std::string queue_name(const RemoteWriteConfig& c);

 private:
  SenderOptions opts_;
  FileSystem* fs_;
  metrics::Registry& registry_;
  std::vector<std::unique_ptr<QueueManager>> queues_;
};

}  // namespace strata::remote
