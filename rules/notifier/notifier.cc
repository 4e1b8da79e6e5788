// The notifier's queue, sender and lifecycle (rules/notifier/notifier.h).
#include "rules/notifier/notifier.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <future>

#include "base/log.h"
#include "net/message.h"
#include "rules/notifier/alert_json.h"
#include "rules/notifier/alert_labels.h"

namespace strata::rules::notifier {
namespace {

constexpr std::string_view kComponent = "notifier";

// The answers of one batch's POSTs, shared with their callbacks on the io
// thread; the sender thread waits until every one has come.
struct BatchState {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = 0;
  std::vector<bool> delivered;  // per set: one Alertmanager answered 2xx
};

}  // namespace

Notifier::Notifier(NotifierOptions opts, metrics::Registry* registry)
    : opts_(std::move(opts)),
      metrics_(registry),
      sd_metrics_(registry),
      ioc_(1),
      config_(std::make_shared<const NotifierConfig>()) {
  metrics_.queue_capacity->set(double(opts_.queue_capacity));
}

Notifier::~Notifier() { stop(); }

template <typename F>
void Notifier::on_io(F f) {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = started_ && !stopped_;
  }
  if (!running) {
    boost::asio::post(ioc_, std::move(f));  // runs once start() runs the context
    return;
  }
  std::promise<void> done;
  boost::asio::post(ioc_, [&] {
    f();
    done.set_value();
  });
  done.get_future().wait();
}

absl::Status Notifier::apply(const NotifierConfig& config) {
  if (stopped_) return absl::FailedPreconditionError("notifier stopped");
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  for (size_t i = 0; i < config.alertmanagers.size(); ++i) {
    auto s = AlertmanagerSet::create(config.alertmanagers[i], ioc_, opts_.user_agent, &metrics_,
                                     &sd_metrics_);
    if (!s.ok()) {
      return absl::Status(s.status().code(), "alertmanagers config " + std::to_string(i) + ": " +
                                                 std::string(s.status().message()));
    }
    sets.push_back(std::move(*s));
  }
  // The new sets start first: static and file providers report their
  // Alertmanagers within start(), so the sender never sees a set that has
  // not discovered yet and drops a batch for want of Alertmanagers.
  on_io([sets] {
    for (const auto& s : sets) s->start();
  });
  std::vector<std::shared_ptr<AlertmanagerSet>> old;
  {
    std::lock_guard lock(mu_);
    old.swap(sets_);
    sets_ = std::move(sets);
    config_ = std::make_shared<const NotifierConfig>(config);
  }
  // A batch in flight keeps its old sets alive until its answers are in.
  on_io([old = std::move(old)] {
    for (const auto& s : old) s->stop();
  });
  return absl::OkStatus();
}

void Notifier::start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return;
    started_ = true;
  }
  work_.emplace(boost::asio::make_work_guard(ioc_));
  io_thread_ = std::thread([this] { ioc_.run(); });
  // The sets applied before start() start first (handlers run in order), so
  // the first batch finds the statically configured Alertmanagers.
  on_io([] {});
  sender_ = std::thread([this] { run_sender(); });
}

void Notifier::stop() {
  if (stopped_) return;
  bool started;
  net::Deadline drain_deadline;
  {
    std::lock_guard lock(mu_);
    started = started_;
    stopping_ = true;
    drain_deadline = drain_deadline_ =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(opts_.drain_on_shutdown ? opts_.drain_timeout_ms : 0);
  }
  if (!opts_.drain_on_shutdown) {
    cancel_.request_stop();
  } else if (started) {
    // A request sent before stop() has its config's timeout as deadline;
    // the drain's end cancels it too, so the drain is bounded as promised.
    boost::asio::post(ioc_, [this, drain_deadline] {
      drain_timer_.emplace(ioc_, drain_deadline);
      drain_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (!ec) cancel_.request_stop();
      });
    });
  }
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    sets.swap(sets_);
    if (!queue_.empty()) {
      metrics_.dropped->inc(double(queue_.size()));
      log::warn(kComponent, "Alerts left in the notification queue at shutdown are dropped",
                {{"num_dropped", queue_.size()}});
      queue_.clear();
      metrics_.queue_length->set(0);
    }
  }
  if (started) {
    on_io([this, &sets] {
      for (const auto& s : sets) s->stop();
      if (drain_timer_) drain_timer_->cancel();
    });
    work_.reset();
    ioc_.stop();
    io_thread_.join();
  }
  stopped_ = true;
  // No request is in flight any more (the sender waited for its answers),
  // so the clients may go.
  sets.clear();
}

void Notifier::send(const std::vector<Alert>& alerts) {
  std::shared_ptr<const NotifierConfig> cfg;
  {
    std::lock_guard lock(mu_);
    cfg = config_;
  }
  std::vector<Alert> out = relabel_alerts(alerts, cfg->external_labels, cfg->alert_relabel_configs);
  if (out.empty()) return;
  const size_t cap = opts_.queue_capacity;
  size_t first = 0;
  if (out.size() > cap) {
    first = out.size() - cap;
    metrics_.dropped->inc(double(first));
    log::warn(kComponent, "Alert batch larger than queue capacity, dropping alerts",
              {{"num_dropped", first}});
  }
  {
    std::lock_guard lock(mu_);
    if (closed_) {  // nobody will send them
      metrics_.dropped->inc(double(out.size()));
      return;
    }
    const size_t incoming = out.size() - first;
    if (queue_.size() + incoming > cap) {
      const size_t d = queue_.size() + incoming - cap;
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(d));
      metrics_.dropped->inc(double(d));
      log::warn(kComponent, "Alert notification queue full, dropping alerts", {{"num_dropped", d}});
    }
    for (size_t i = first; i < out.size(); ++i) queue_.push_back(std::move(out[i]));
    metrics_.queue_length->set(double(queue_.size()));
  }
  cv_.notify_all();
}

void Notifier::run_sender() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (stopping_ && (queue_.empty() || !opts_.drain_on_shutdown ||
                      std::chrono::steady_clock::now() >= drain_deadline_))
      break;
    const size_t n = std::min(queue_.size(), std::max<size_t>(opts_.max_batch_size, 1));
    std::vector<Alert> batch(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    metrics_.queue_length->set(double(queue_.size()));
    std::vector<std::shared_ptr<AlertmanagerSet>> sets = sets_;
    std::optional<net::Deadline> cap;
    if (stopping_) cap = drain_deadline_;
    lock.unlock();
    if (!send_batch(batch, sets, cap)) metrics_.dropped->inc(double(batch.size()));
    sets.clear();
    lock.lock();
  }
}

bool Notifier::send_batch(const std::vector<Alert>& batch,
                          const std::vector<std::shared_ptr<AlertmanagerSet>>& sets,
                          std::optional<net::Deadline> cap) {
  const std::string body = encode_alerts(batch);
  auto state = std::make_shared<BatchState>();
  state->delivered.assign(sets.size(), false);
  std::vector<bool> has_ams(sets.size(), false);
  std::vector<std::vector<AlertmanagerTarget>> ams(sets.size());
  // A set with its own alert_relabel_configs gets its own body (and none
  // when relabeling drops every alert of the batch).
  std::vector<std::optional<std::string>> own_body(sets.size());
  std::vector<double> own_count(sets.size(), double(batch.size()));
  size_t total = 0;
  for (size_t i = 0; i < sets.size(); ++i) {
    ams[i] = sets[i]->active();
    const auto& relabel = sets[i]->config().alert_relabel_configs;
    if (!ams[i].empty() && !relabel.empty()) {
      std::vector<Alert> mine = relabel_alerts(batch, tsdb::Labels(), relabel);
      if (mine.empty()) ams[i].clear();
      own_count[i] = double(mine.size());
      own_body[i] = encode_alerts(mine);
    }
    has_ams[i] = !ams[i].empty();
    total += ams[i].size();
  }
  // Nobody to send to: Prometheus 3 counts the batch as handled (2.42
  // counted it as dropped).
  if (total == 0) return true;
  state->pending = total;
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < sets.size(); ++i) {
    net::Deadline deadline = now + std::chrono::milliseconds(sets[i]->config().timeout_ms);
    if (cap) deadline = std::min(deadline, *cap);
    for (const auto& am : ams[i]) {
      net::Request req;
      req.method = "POST";
      req.url = am.url;
      req.headers = {{"Content-Type", "application/json"}};
      req.body = own_body[i] ? *own_body[i] : body;
      const double count = own_count[i];
      req.body_limit_bytes = 1 << 20;  // Alertmanager answers with nothing much
      sets[i]->client().async_send(
          std::move(req), deadline,
          [this, state, i, url = am.url, count, begin = now](absl::StatusOr<net::Response> r) {
            absl::Status st = r.ok() ? net::status_error(*r) : r.status();
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            metrics_.latency->with({url}).observe(secs);
            metrics_.latency_histogram->with({url}).observe(secs);
            metrics_.sent->with({url}).inc(count);
            if (!st.ok()) {
              metrics_.errors->with({url}).inc(count);
              log::error(kComponent, "Error sending alerts",
                         {{"alertmanager", url}, {"count", count}, {"err", st.ToString()}});
            }
            std::lock_guard lock(state->mu);
            if (st.ok()) state->delivered[i] = true;
            if (--state->pending == 0) state->cv.notify_all();
          },
          cancel_.get_token());
    }
  }
  std::unique_lock lock(state->mu);
  // Every request ends by its deadline (or cancellation), so this wait does.
  state->cv.wait(lock, [&] { return state->pending == 0; });
  for (size_t i = 0; i < sets.size(); ++i)
    if (has_ams[i] && !state->delivered[i]) return false;
  return true;
}

AlertmanagersSnapshot Notifier::alertmanagers() const {
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  {
    std::lock_guard lock(mu_);
    sets = sets_;
  }
  AlertmanagersSnapshot out;
  for (const auto& s : sets) {
    for (auto& am : s->active()) out.active.push_back(std::move(am.url));
    for (auto& am : s->dropped()) out.dropped.push_back(std::move(am.url));
  }
  return out;
}

size_t Notifier::queue_length() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace strata::rules::notifier
