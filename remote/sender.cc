#include "remote/sender.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "tsdb/labels/relabel.h"

namespace strata::remote {

RemoteWriteSender::RemoteWriteSender(SenderOptions opts, FileSystem* fs, metrics::Registry& registry)
    : opts_(std::move(opts)), fs_(fs), registry_(registry) {}

RemoteWriteSender::~RemoteWriteSender() { stop(); }

std::string RemoteWriteSender::queue_name(const RemoteWriteConfig& c) {
  if (!c.name.empty()) return c.name;
  auto sum = tsdb::relabel::md5(c.url);
  std::string hex;
  for (int i = 0; i < 3; ++i) absl::StrAppend(&hex, absl::Hex(sum[i], absl::kZeroPad2));
  return hex;  // 6 hex digits, like Prometheus' unnamed queues
}

absl::Status RemoteWriteSender::apply(const std::vector<RemoteWriteConfig>& configs,
                                      const tsdb::Labels& external_labels) {
  std::vector<std::unique_ptr<QueueManager>> next;
  std::set<std::string> names;
  for (const RemoteWriteConfig& c : configs) {
    QueueManagerOptions o;
    o.config = c;
    o.external_labels = external_labels;
    o.wal_dir = opts_.wal_dir;
    o.name = queue_name(c);
    if (!names.insert(o.name).second)
      return absl::InvalidArgumentError("found multiple remote write configs with name or URL hash \"" +
                                        o.name + "\"");
    // File names keep only safe characters of the queue name.
    std::string file;
    for (char ch : o.name) file.push_back(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ? ch : '_');
    o.progress_file = join_path(opts_.state_dir, file + ".progress");
    o.user_agent = opts_.user_agent;
    auto q = QueueManager::create(std::move(o), fs_, registry_);
    if (!q.ok()) return absl::InvalidArgumentError("remote_write " + c.url + ": " + std::string(q.status().message()));
    next.push_back(std::move(*q));
  }
  if (!configs.empty()) {
    if (absl::Status s = fs_->mkdirs(opts_.state_dir); !s.ok()) return s;
  }
  stop();  // old queues save their progress first; new ones read it
  queues_ = std::move(next);
  for (auto& q : queues_) q->start();
  return absl::OkStatus();
}

void RemoteWriteSender::stop() {
  for (auto& q : queues_) q->stop();
  queues_.clear();
}

}  // namespace strata::remote
