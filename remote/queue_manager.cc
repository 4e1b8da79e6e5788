#include "remote/queue_manager.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/log.h"
#include "remote/codec.h"
#include "remote/write_v2.pb.h"
#include "remote/write_ingest.h"
#include "tsdb/labels/relabel.h"

namespace strata::remote {
namespace {

using Clock = std::chrono::steady_clock;

// Progress file: "strata-remote-progress v1 <segment> <offset>\n".
constexpr const char* kProgressMagic = "strata-remote-progress v1";
constexpr int64_t kReshardIntervalMs = 10'000;
constexpr int64_t kSaveIntervalMs = 1000;

int64_t wall_ms() { return now_ms(); }

}  // namespace

struct QueueManager::Metrics {
  Metrics(metrics::Registry& r, const std::string& name, const std::string& url) {
    auto c = [&](const char* n, const char* help) -> metrics::Counter& {
      return r.counter_family(n, help, {"remote_name", "url"}).with({name, url});
    };
    auto g = [&](const char* n, const char* help) -> metrics::Gauge& {
      return r.gauge_family(n, help, {"remote_name", "url"}).with({name, url});
    };
    samples = &c("prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage.");
    failed = &c("prometheus_remote_storage_samples_failed_total",
                "Total number of samples which failed on send to remote storage, non-recoverable errors.");
    retried = &c("prometheus_remote_storage_samples_retried_total",
                 "Total number of samples which failed on send to remote storage but were retried because "
                 "the send error was recoverable.");
    dropped = &c("prometheus_remote_storage_samples_dropped_total",
                 "Total number of samples which were dropped after being read from the WAL before being sent "
                 "via remote write, either via relabelling or unintentionally because of an unknown reference ID.");
    bytes = &c("prometheus_remote_storage_bytes_total",
               "The total number of bytes of data (not metadata) sent by the queue after compression.");
    metadata = &c("prometheus_remote_storage_metadata_total", "Total number of metadata entries sent to remote storage.");
    metadata_failed = &c("prometheus_remote_storage_metadata_failed_total",
                         "Total number of metadata entries which failed on send to remote storage, "
                         "non-recoverable errors.");
    metadata_retried = &c("prometheus_remote_storage_metadata_retried_total",
                          "Total number of metadata entries which failed on send to remote storage but "
                          "were retried because the send error was recoverable.");
    metadata_bytes = &c("prometheus_remote_storage_metadata_bytes_total",
                        "The total number of bytes of metadata sent by the queue after compression.");
    enqueue_retries = &c("prometheus_remote_storage_enqueue_retries_total",
                         "Total number of times enqueue has failed because a shards queue was full.");
    pending = &g("prometheus_remote_storage_samples_pending",
                 "The number of samples pending in the queues shards to be sent to the remote storage.");
    shards = &g("prometheus_remote_storage_shards", "The number of shards used for parallel sending to the remote storage.");
    shards_desired = &g("prometheus_remote_storage_shards_desired",
                        "The number of shards that the queues shard calculation wants to run based on the rate "
                        "of samples in vs. samples out.");
    shards_min = &g("prometheus_remote_storage_shards_min", "The minimum number of shards that the queue is allowed to run.");
    shards_max = &g("prometheus_remote_storage_shards_max", "The maximum number of shards that the queue is allowed to run.");
    capacity = &g("prometheus_remote_storage_shard_capacity", "The capacity of each shard of the queue used for parallel sending to the remote storage.");
    highest_sent = &g("prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                      "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds "
                      "since epoch.");
    duration = &r.histogram_family("prometheus_remote_storage_sent_batch_duration_seconds",
                                   "Duration of send calls to the remote storage.", {"remote_name", "url"},
                                   {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300})
                    .with({name, url});
    highest_in = &r.gauge("prometheus_remote_storage_highest_timestamp_in_seconds",
                          "Highest timestamp that has come into the remote storage via the WAL, in seconds since "
                          "epoch.");
  }
  metrics::Counter *samples, *failed, *retried, *dropped, *bytes, *enqueue_retries, *metadata,
      *metadata_failed, *metadata_retried, *metadata_bytes;
  metrics::Gauge *pending, *shards, *shards_desired, *shards_min, *shards_max, *capacity, *highest_sent,
      *highest_in;
  metrics::Histogram* duration;
};

std::optional<WalPosition> read_progress(FileSystem* fs, const std::string& path) {
  auto text = fs->read_file(path);
  if (!text.ok()) return std::nullopt;
  std::string magic = kProgressMagic;
  if (text->rfind(magic + " ", 0) != 0) return std::nullopt;
  unsigned long seg = 0;
  unsigned long long off = 0;
  if (std::sscanf(text->c_str() + magic.size(), " %lu %llu", &seg, &off) != 2) return std::nullopt;
  return WalPosition{uint32_t(seg), uint64_t(off)};
}

absl::StatusOr<std::unique_ptr<QueueManager>> QueueManager::create(QueueManagerOptions opts,
                                                                   FileSystem* fs,
                                                                   metrics::Registry& registry) {
  net::ClientOptions co;
  co.http = opts.config.http;
  co.user_agent = opts.user_agent;
  for (const auto& [k, v] : opts.config.headers) co.headers.push_back({k, v});
  co.disable_compression = true;  // answers are tiny
  auto client = net::Client::create(co);
  if (!client.ok()) return client.status();
  return std::unique_ptr<QueueManager>(new QueueManager(std::move(opts), fs, std::move(*client), registry));
}

QueueManager::QueueManager(QueueManagerOptions opts, FileSystem* fs,
                           std::unique_ptr<net::Client> client, metrics::Registry& registry)
    : opts_(std::move(opts)),
      fs_(fs),
      client_(std::move(client)),
      m_(std::make_unique<Metrics>(registry, opts_.name, opts_.config.url)) {
  const QueueConfig& q = opts_.config.queue_config;
  m_->shards_min->set(double(q.min_shards));
  m_->shards_max->set(double(q.max_shards));
  m_->capacity->set(double(q.capacity));
  watcher_registry_ = &registry;
}

QueueManager::~QueueManager() { stop(); }

void QueueManager::start() {
  // Read here, not at construction: on a reload the queue this one replaces
  // saves its progress when it stops, just before.
  WalWatcherOptions wo;
  wo.wal_dir = opts_.wal_dir;
  wo.consumer_name = opts_.name;
  if (auto p = read_progress(fs_, opts_.progress_file)) {
    wo.start = *p;
    acked_ = saved_ = *p;
    have_saved_ = true;
  } else {
    wo.from_end = true;
  }
  watcher_ = std::make_unique<WalWatcher>(wo, this, fs_, *watcher_registry_);
  stopping_ = false;
  start_shards(int(std::max<int64_t>(1, opts_.config.queue_config.min_shards)));
  housekeeping_ = std::thread([this] { run_housekeeping(); });
  watcher_->start();
}

void QueueManager::stop() {
  if (!housekeeping_.joinable()) return;
  stopping_ = true;
  watcher_->stop();  // samples() sees stopping_ and returns false
  // Let the shards send what they hold for a while, then cancel.
  std::thread canceller([this] {
    std::unique_lock<std::mutex> lock(house_mu_);
    house_cv_.wait_for(lock, std::chrono::milliseconds(opts_.flush_deadline_ms), [this] { return house_stop_; });
    hard_stop_.request_stop();
  });
  {
    std::lock_guard<std::mutex> lock(shards_mu_);
    drain_shards();
  }
  {
    std::lock_guard<std::mutex> lock(house_mu_);
    house_stop_ = true;
  }
  house_cv_.notify_all();
  canceller.join();
  housekeeping_.join();
  save_progress();
}

void QueueManager::series(uint64_t ref, std::span<const tsdb::LabelView> labels, uint32_t segment) {
  std::vector<tsdb::Label> items;
  items.reserve(labels.size() + opts_.external_labels.size());
  for (const auto& [n, v] : labels) items.push_back({std::string(n), std::string(v)});
  for (const tsdb::Label& e : opts_.external_labels) {
    if (std::none_of(items.begin(), items.end(), [&](const tsdb::Label& l) { return l.name == e.name; }))
      items.push_back(e);
  }
  tsdb::Labels l = tsdb::Labels::from_unsorted(std::move(items));
  SeriesEntry& e = series_[ref];
  e.segment = segment;
  e.labels.reset();
  if (!opts_.config.write_relabel_configs.empty()) {
    auto out = tsdb::relabel::process(l, opts_.config.write_relabel_configs);
    if (!out || out->empty()) return;
    l = std::move(*out);
  }
  auto d = std::make_shared<SeriesData>();
  if (opts_.config.protocol == RemoteWriteConfig::Protocol::kV2) d->labels = std::move(l);
  else d->wire = encode_label_fields(l);
  e.labels = std::move(d);
}

void QueueManager::series_reset(uint32_t segment) {
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second.segment <= segment) it = series_.erase(it);
    else ++it;
  }
}

bool QueueManager::samples(std::span<const tsdb::WalSample> samples, WalPosition end) {
  uint64_t record;
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    record = first_record_ + records_.size();
    // Held (count 1) until every sample is queued, so acknowledgements of
    // earlier queued samples cannot complete it early.
    records_.push_back({1, end});
  }
  uint64_t queued = 0, dropped = 0;
  int64_t highest = 0;
  const int64_t capacity = std::max<int64_t>(1, opts_.config.queue_config.capacity);
  const int64_t max_send = opts_.config.queue_config.max_samples_per_send;
  {
    std::unique_lock<std::mutex> lock(shards_mu_);
    for (const tsdb::WalSample& s : samples) {
      highest = std::max(highest, s.t_ms);
      auto it = series_.find(s.ref);
      if (it == series_.end() || !it->second.labels) {
        ++dropped;
        continue;
      }
      while (true) {
        Shard& sh = *shards_[s.ref % shards_.size()];
        std::unique_lock<std::mutex> sl(sh.mu);
        if (int64_t(sh.q.size()) < capacity) {
          bool was_empty = sh.q.empty();
          if (was_empty) sh.oldest = Clock::now();
          sh.q.push_back(Item{it->second.labels, s.t_ms, s.v, record});
          m_->pending->add(1);
          if (was_empty || int64_t(sh.q.size()) >= max_send) sh.cv.notify_all();
          break;
        }
        sl.unlock();
        if (stopping_) {
          // The hold is never released: the saved progress stays before
          // this record, and the next start reads it again.
          return false;
        }
        m_->enqueue_retries->inc();
        full_waits_.fetch_add(1, std::memory_order_relaxed);
        // Releases shards_mu_, so resharding can replace the shards.
        space_cv_.wait_for(lock, std::chrono::milliseconds(50));
      }
      ++queued;
    }
  }
  {
    // Shards may have acknowledged some already (the count wrapped below
    // the hold); adding the queued ones and dropping the hold settles it.
    std::lock_guard<std::mutex> al(ack_mu_);
    records_[record - first_record_].first += queued - 1;
    pop_acked();
  }
  if (dropped) m_->dropped->inc(double(dropped));
  if (double(highest) / 1000 > m_->highest_in->value()) m_->highest_in->set(double(highest) / 1000);
  return !stopping_;
}

void QueueManager::started(WalPosition start) {
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    if (!records_.empty() || start < acked_) return;
    acked_ = start;
  }
  // Saved at once: a queue that starts at the end of the WAL must resume
  // there after a crash, not at the end of the WAL of the next start.
  save_progress();
}

void QueueManager::ack(const std::vector<Item>& batch) {
  std::lock_guard<std::mutex> lock(ack_mu_);
  for (const Item& it : batch) --records_[it.record - first_record_].first;
  pop_acked();
}

void QueueManager::pop_acked() {
  while (!records_.empty() && records_.front().first == 0) {
    acked_ = records_.front().second;
    records_.pop_front();
    ++first_record_;
  }
}

WalPosition QueueManager::acked() const {
  std::lock_guard<std::mutex> lock(ack_mu_);
  return acked_;
}

void QueueManager::save_progress() {
  std::lock_guard<std::mutex> lock(save_mu_);
  WalPosition p = acked();
  if (have_saved_ && p == saved_) return;
  std::string tmp = opts_.progress_file + ".tmp";
  std::string text = absl::StrCat(kProgressMagic, " ", p.segment, " ", p.offset, "\n");
  // Truncated, not appended to: a write a full disk cut short must not
  // prefix the next one.
  auto f = fs_->open_writable(tmp);
  absl::Status st = f.status();
  if (st.ok()) st = (*f)->append(text);
  if (st.ok()) st = (*f)->close();
  // A rename is atomic: a crash leaves the old position or the new one.
  if (st.ok()) st = fs_->rename(tmp, opts_.progress_file);
  if (!st.ok()) {
    (void)fs_->remove(tmp);
    log::warn("remote", "Cannot save remote-write progress; a restart resends more",
              {{"remote_name", opts_.name}, {"err", std::string(st.message())}});
    return;
  }
  saved_ = p;
  have_saved_ = true;
}

void QueueManager::start_shards(int n) {
  shards_.clear();
  for (int i = 0; i < n; ++i) {
    auto s = std::make_unique<Shard>();
    Shard* raw = s.get();
    s->thread = std::thread([this, raw] { run_shard(raw); });
    shards_.push_back(std::move(s));
  }
  m_->shards->set(n);
  m_->shards_desired->set(n);
}

// Called with shards_mu_ held: no new samples arrive meanwhile.
void QueueManager::drain_shards() {
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->draining = true;
    s->cv.notify_all();
  }
  for (auto& s : shards_) s->thread.join();
  shards_.clear();
}

void QueueManager::run_shard(Shard* s) {
  const QueueConfig& q = opts_.config.queue_config;
  const size_t max = size_t(std::max<int64_t>(1, q.max_samples_per_send));
  const auto deadline = std::chrono::milliseconds(q.batch_send_deadline_ms);
  std::vector<Item> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(s->mu);
      while (!(s->q.size() >= max || s->draining ||
               (!s->q.empty() && Clock::now() - s->oldest >= deadline))) {
        if (s->q.empty()) s->cv.wait(lock);
        else s->cv.wait_until(lock, s->oldest + deadline);
      }
      if (s->q.empty()) return;  // draining and nothing left
      if (hard_stop_.stop_requested()) {
        // Left unsent: the saved progress keeps them for the next start.
        m_->pending->add(-double(s->q.size()));
        s->q.clear();
        return;
      }
      size_t n = std::min(max, s->q.size());
      batch.assign(std::make_move_iterator(s->q.begin()), std::make_move_iterator(s->q.begin() + n));
      s->q.erase(s->q.begin(), s->q.begin() + n);
      s->oldest = Clock::now();
    }
    space_cv_.notify_all();  // room for the watcher
    m_->pending->add(-double(batch.size()));
    if (send(batch)) ack(batch);
    else if (!hard_stop_.stop_requested()) ack(batch);  // dropped for good (4xx)
    batch.clear();
  }
}

std::string QueueManager::encode_v1(const std::vector<Item>& batch, int64_t* highest) {
  std::vector<uint32_t> order(batch.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return batch[a].labels.get() < batch[b].labels.get();
  });
  std::string raw;
  std::vector<WireSample> group;
  for (size_t i = 0; i < order.size();) {
    const SeriesData* series = batch[order[i]].labels.get();
    group.clear();
    for (; i < order.size() && batch[order[i]].labels.get() == series; ++i) {
      const Item& it = batch[order[i]];
      group.push_back({it.t, it.v});
      *highest = std::max(*highest, it.t);
    }
    append_timeseries(series->wire, group, &raw);
  }
  return snappy_encode(raw);
}

std::string QueueManager::encode_v2(const std::vector<Item>& batch, int64_t* highest) {
  io::prometheus::write::v2::Request req;
  std::unordered_map<std::string_view, uint32_t> symbols;
  // Keys view the request's own copies (stable: repeated string fields
  // hold their elements by pointer).
  auto sym = [&](const std::string& s) {
    if (auto it = symbols.find(s); it != symbols.end()) return it->second;
    uint32_t id = uint32_t(req.symbols_size());
    req.add_symbols(s);
    symbols.emplace(req.symbols(int(id)), id);
    return id;
  };
  sym("");  // index 0 is the empty string
  std::unordered_map<const SeriesData*, io::prometheus::write::v2::TimeSeries*> by_series;
  for (const Item& it : batch) {
    auto& ts = by_series[it.labels.get()];
    if (!ts) {
      ts = req.add_timeseries();
      for (const tsdb::Label& l : it.labels->labels) {
        ts->add_labels_refs(sym(l.name));
        ts->add_labels_refs(sym(l.value));
      }
      std::string_view family = it.labels->labels.metric_name();
      std::lock_guard<std::mutex> lock(md_mu_);
      if (auto md = metadata_.find(std::string(family)); md != metadata_.end()) {
        ts->mutable_metadata()->set_type(
            io::prometheus::write::v2::Metadata::MetricType(metric_type_value(md->second.type)));
        ts->mutable_metadata()->set_help_ref(sym(md->second.help));
        ts->mutable_metadata()->set_unit_ref(sym(md->second.unit));
      }
    }
    auto* s = ts->add_samples();
    s->set_timestamp(it.t);
    s->set_value(it.v);
    *highest = std::max(*highest, it.t);
  }
  return snappy_encode(req.SerializeAsString());
}

bool QueueManager::send(std::vector<Item>& batch) {
  const bool v2 = opts_.config.protocol == RemoteWriteConfig::Protocol::kV2;
  int64_t highest = 0;
  const std::string body = v2 ? encode_v2(batch, &highest) : encode_v1(batch, &highest);
  const QueueConfig& q = opts_.config.queue_config;
  int64_t backoff = std::max<int64_t>(1, q.min_backoff_ms);
  while (true) {
    Outcome o = post_once(body, v2);
    if (o.ok) {
      m_->samples->inc(double(batch.size()));
      m_->bytes->inc(double(body.size()));
      if (double(highest) / 1000 > m_->highest_sent->value()) m_->highest_sent->set(double(highest) / 1000);
      last_success_ms_ = wall_ms();
      return true;
    }
    if (!o.retry) {
      m_->failed->inc(double(batch.size()));
      log::error("remote", "non-recoverable error",
                 {{"remote_name", opts_.name}, {"url", opts_.config.url}, {"count", std::to_string(batch.size())},
                  {"err", o.err}});
      return false;
    }
    if (hard_stop_.stop_requested()) return false;
    m_->retried->inc(double(batch.size()));
    log::warn("remote", "Failed to send batch, retrying",
              {{"remote_name", opts_.name}, {"url", opts_.config.url}, {"err", o.err}});
    // Interruptible sleep.
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, hard_stop_.get_token(), std::chrono::milliseconds(backoff), [] { return false; });
    if (hard_stop_.stop_requested()) return false;
    backoff = std::min<int64_t>(backoff * 2, std::max<int64_t>(backoff, q.max_backoff_ms));
  }
}

QueueManager::Outcome QueueManager::post_once(const std::string& body, bool v2) {
  net::Request r;
  r.method = "POST";
  r.url = opts_.config.url;
  r.headers = {{"Content-Encoding", "snappy"},
               {"Content-Type", v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                                   : "application/x-protobuf"},
               {"X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0"}};
  r.body = body;
  r.body_limit_bytes = 1 << 20;
  auto start = Clock::now();
  auto resp = client_->send(r, start + std::chrono::milliseconds(opts_.config.remote_timeout_ms),
                            hard_stop_.get_token());
  m_->duration->observe(std::chrono::duration<double>(Clock::now() - start).count());
  if (!resp.ok()) return {false, true, std::string(resp.status().message())};
  if (resp->status / 100 == 2) return {true, false, ""};
  bool retry = resp->status / 100 == 5 || (resp->status == 429 && opts_.config.queue_config.retry_on_http_429);
  return {false, retry,
          absl::StrCat("server returned HTTP status ", resp->status, " ", resp->reason, ": ",
                       resp->body.substr(0, 256))};
}

void QueueManager::metadata(std::span<const tsdb::WalMetadata> md) {
  std::lock_guard<std::mutex> lock(md_mu_);
  for (const tsdb::WalMetadata& m : md)
    metadata_[std::string(m.family)] = {std::string(m.type), std::string(m.help), std::string(m.unit)};
}

// All metadata known, in requests of at most metadata_config
// max_samples_per_send entries; one attempt each (the next interval sends
// everything again).
void QueueManager::send_metadata() {
  std::vector<std::pair<std::string, tsdb::MetricMetadata>> all;
  {
    std::lock_guard<std::mutex> lock(md_mu_);
    all.assign(metadata_.begin(), metadata_.end());
  }
  const size_t per = size_t(std::max<int64_t>(1, opts_.config.metadata_config.max_samples_per_send));
  for (size_t i = 0; i < all.size() && !stopping_; i += per) {
    prometheus::WriteRequest req;
    size_t n = std::min(per, all.size() - i);
    for (size_t k = i; k < i + n; ++k) {
      prometheus::MetricMetadata* md = req.add_metadata();
      md->set_type(prometheus::MetricMetadata::MetricType(metric_type_value(all[k].second.type)));
      md->set_metric_family_name(all[k].first);
      md->set_help(all[k].second.help);
      md->set_unit(all[k].second.unit);
    }
    const std::string body = encode_write_request(req);
    Outcome o = post_once(body);
    if (o.ok) {
      m_->metadata->inc(double(n));
      m_->metadata_bytes->inc(double(body.size()));
    } else if (o.retry) {
      m_->metadata_retried->inc(double(n));
    } else {
      m_->metadata_failed->inc(double(n));
      log::error("remote", "non-recoverable error while sending metadata",
                 {{"remote_name", opts_.name}, {"url", opts_.config.url}, {"err", o.err}});
    }
  }
}

void QueueManager::run_housekeeping() {
  int64_t since_reshard = 0;
  int64_t since_metadata = 0;
  std::unique_lock<std::mutex> lock(house_mu_);
  while (!house_stop_) {
    house_cv_.wait_for(lock, std::chrono::milliseconds(kSaveIntervalMs), [this] { return house_stop_; });
    if (house_stop_) break;
    lock.unlock();
    save_progress();
    since_reshard += kSaveIntervalMs;
    since_metadata += kSaveIntervalMs;
    const MetadataConfig& mc = opts_.config.metadata_config;
    // 2.0 carries metadata with every series instead.
    if (mc.send && opts_.config.protocol == RemoteWriteConfig::Protocol::kV1 &&
        since_metadata >= std::max<int64_t>(kSaveIntervalMs, mc.send_interval_ms)) {
      since_metadata = 0;
      send_metadata();
    }
    if (since_reshard >= kReshardIntervalMs) {
      since_reshard = 0;
      const QueueConfig& q = opts_.config.queue_config;
      std::unique_lock<std::mutex> sl(shards_mu_, std::try_to_lock);
      if (sl.owns_lock() && !stopping_) {
        int n = int(shards_.size());
        double pending = m_->pending->value();
        bool sending = wall_ms() - last_success_ms_.load() < kReshardIntervalMs;
        uint64_t waits = full_waits_.exchange(0);
        int want = n;
        if (sending && (waits > 0 || pending > 0.5 * double(q.capacity) * n)) want = n * 2;
        else if (pending < 0.05 * double(q.capacity) * n) want = n / 2;
        want = int(std::clamp<int64_t>(want, std::max<int64_t>(1, q.min_shards),
                                       std::max<int64_t>(1, q.max_shards)));
        m_->shards_desired->set(want);
        if (want != n) {
          log::info("remote", "Remote storage resharding",
                    {{"remote_name", opts_.name}, {"from", std::to_string(n)}, {"to", std::to_string(want)}});
          drain_shards();
          start_shards(want);
        }
      }
    }
    lock.lock();
  }
}

}  // namespace strata::remote
