// QueueManager: one `remote_write` entry of prometheus.yml at work — a
// WalWatcher reading the server's WAL, write relabeling, and shards that
// batch samples and POST them (remote write 1.0: Snappy-compressed
// WriteRequest) to the receiver, as Prometheus' queue manager does.
//
// Metadata: the WAL's metadata records (the newest per metric family) are
// sent every metadata_config.send_interval when metadata_config.send is on,
// in requests of at most its max_samples_per_send entries, one attempt each.
//
// Protocol: remote write 1.0, or 2.0 with `protobuf_message:
// io.prometheus.write.v2.Request` (a symbol table per request; metadata is
// then sent with each series instead of separately).
//
// Delivery:
//   - A shard sends when it holds max_samples_per_send samples or its oldest
//     waited batch_send_deadline. A series always goes to the same shard, so
//     its samples arrive in order.
//   - 2xx: sent. 5xx, 429 with retry_on_http_429, and connection errors are
//     retried with backoff (min_backoff doubling up to max_backoff), for as
//     long as it takes: the shard's queue fills, the watcher waits, and the
//     WAL keeps what was not read yet. Other answers (4xx) drop the batch and
//     count it in prometheus_remote_storage_samples_failed_total.
//   - Progress: the WAL position up to which every sample was sent (or
//     dropped) is written to `progress_file` every second and at stop(); a
//     restart resumes there, so nothing the WAL still holds is lost — across
//     a receiver outage, a restart, or a SIGKILL (then the samples of the
//     last second may be sent twice, which receivers accept as duplicates).
//     Without a progress file the queue starts at the end of the WAL.
//   - Shards: between min_shards and max_shards. Every 10 s, when sends
//     succeed but the queues stay over half full, the count doubles; when
//     they stay nearly empty it halves. Resharding lets the old shards empty
//     their queues first, so order per series holds.
// Labels: the series' labels plus the external labels it lacks, then
// write_relabel_configs; a series relabeled away is counted in
// prometheus_remote_storage_samples_dropped_total.
//
// Self-metrics, with Prometheus' names (labels remote_name, url) so the
// "Prometheus / Remote Write" dashboard works: samples_total,
// samples_failed_total, samples_retried_total, samples_dropped_total,
// samples_pending, bytes_total, sent_batch_duration_seconds, shards,
// shards_desired, shards_min, shards_max, shard_capacity,
// queue_highest_sent_timestamp_seconds, enqueue_retries_total (all
// prometheus_remote_storage_*), and the watcher's (wal_watcher.h).
//
// Threads: start() and stop() from one thread; the watcher's thread enqueues,
// each shard has a thread, one more writes progress and reshards.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "base/metrics.h"
#include "net/client.h"
#include "remote/config.h"
#include "remote/wal_watcher.h"
#include "tsdb/labels/labels.h"

namespace strata::remote {

struct QueueManagerOptions {
  RemoteWriteConfig config;
  tsdb::Labels external_labels;
  std::string wal_dir;
  std::string progress_file;
  std::string name;  // the remote_name label: config.name, or a hash of the URL
  std::string user_agent = "Strata";
  // How long stop() lets shards keep sending what they hold.
  int64_t flush_deadline_ms = 5000;
};

class QueueManager final : public WalConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<QueueManager>> create(QueueManagerOptions opts,
                                                              FileSystem* fs,
                                                              metrics::Registry& registry);
  ~QueueManager() override;
  void start();
  void stop();

  // WalConsumer (the watcher's thread).
  void series(uint64_t ref, std::span<const tsdb::LabelView> labels, uint32_t segment) override;
  void series_reset(uint32_t segment) override;
  bool samples(std::span<const tsdb::WalSample> samples, WalPosition end) override;
  void started(WalPosition start) override;
  void metadata(std::span<const tsdb::WalMetadata> md) override;

  // The WAL position acknowledged so far (tests, diagnostics).
  WalPosition acked() const;

 private:
  // A series as sent: for 1.0 its labels as encoded TimeSeries label
  // fields, for 2.0 the labels themselves (each request has its own symbol
  // table). Shared by all its queued samples.
  struct SeriesData {
    std::string wire;
    tsdb::Labels labels;
  };
  struct Item {
    std::shared_ptr<const SeriesData> labels;
    int64_t t;
    double v;
    uint64_t record;  // sequence number of its WAL record
  };
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> q;
    std::chrono::steady_clock::time_point oldest;
    bool draining = false;  // stop once the queue is empty
    std::thread thread;
  };
  struct SeriesEntry {
    std::shared_ptr<const SeriesData> labels;  // null: relabeled away
    uint32_t segment;
  };
  struct Metrics;

  QueueManager(QueueManagerOptions opts, FileSystem* fs, std::unique_ptr<net::Client> client,
               metrics::Registry& registry);
  void start_shards(int n);
  void drain_shards();
  void run_shard(Shard* s);
  // Sends one batch, retrying recoverable failures; false: dropped.
  bool send(std::vector<Item>& batch);
  struct Outcome {
    bool ok;
    bool retry;  // a recoverable failure
    std::string err;
  };
  Outcome post_once(const std::string& body, bool v2 = false);
  // The request body of a batch (grouped by series); its newest timestamp.
  std::string encode_v1(const std::vector<Item>& batch, int64_t* highest);
  std::string encode_v2(const std::vector<Item>& batch, int64_t* highest);
  void send_metadata();
  void ack(const std::vector<Item>& batch);
  void pop_acked();  // ack_mu_ held
  void run_housekeeping();
  void save_progress();

  QueueManagerOptions opts_;
  FileSystem* fs_;
  std::unique_ptr<net::Client> client_;
  std::unique_ptr<Metrics> m_;
  metrics::Registry* watcher_registry_;
  std::unique_ptr<WalWatcher> watcher_;

  std::unordered_map<uint64_t, SeriesEntry> series_;  // watcher thread only
  std::mutex md_mu_;
  std::map<std::string, tsdb::MetricMetadata> metadata_;  // newest per family

  // Shards; the watcher enqueues under shards_mu_, resharding swaps them.
  std::mutex shards_mu_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::condition_variable space_cv_;  // a shard took a batch
  std::atomic<bool> stopping_{false};
  std::stop_source hard_stop_;  // cancels requests in flight and backoff waits

  // Acknowledgement: per WAL record (in order) the samples still unsent.
  mutable std::mutex ack_mu_;
  std::deque<std::pair<uint64_t, WalPosition>> records_;
  uint64_t first_record_ = 0;
  WalPosition acked_;
  std::mutex save_mu_;
  WalPosition saved_;  // guarded by save_mu_
  bool have_saved_ = false;

  // Resharding input since the last decision.
  std::atomic<uint64_t> full_waits_{0};
  std::atomic<int64_t> last_success_ms_{0};

  std::mutex house_mu_;
  std::condition_variable house_cv_;
  bool house_stop_ = false;
  std::thread housekeeping_;
};

// Reads a progress file; nullopt when absent or unreadable.
std::optional<WalPosition> read_progress(FileSystem* fs, const std::string& path);

}  // namespace strata::remote
