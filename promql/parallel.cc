#include "promql/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::promql {
namespace {

class Pool {
 public:
  static Pool& get() {
    static Pool* pool = new Pool();  // never destroyed: workers may outlive statics
    return *pool;
  }
  size_t workers() const { return threads_.size(); }
  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  void run(std::vector<std::function<void()>>& tasks) {
    struct Batch {
      std::mutex mu;
      std::condition_variable done;
      size_t left;
    } batch;
    batch.left = tasks.size();
    auto wrap = [&batch](std::function<void()>& t) {
      return [&batch, &t] {
        t();
        std::lock_guard<std::mutex> lock(batch.mu);
        if (--batch.left == 0) batch.done.notify_all();
      };
    };
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 1; i < tasks.size(); ++i) queue_.push_back(wrap(tasks[i]));
    }
    cv_.notify_all();
    wrap(tasks[0])();
    // Help with queued work instead of idling (also avoids deadlock when
    // several queries wait on the pool at once).
    for (;;) {
      std::function<void()> job;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queue_.empty()) break;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
    std::unique_lock<std::mutex> lock(batch.mu);
    batch.done.wait(lock, [&batch] { return batch.left == 0; });
  }

 private:
  Pool() {
    unsigned n = std::thread::hardware_concurrency();
    for (unsigned i = 1; i < n; ++i) threads_.emplace_back([this] { loop(); });
  }
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace

struct PoolTask::State {
  enum : int { kQueued, kRunning, kDone };
  std::function<void()> fn;
  std::atomic<int> phase{kQueued};
  std::mutex mu;
  std::condition_variable finished;
  // Whoever moves it from queued to running runs it.
  bool claim() {
    int expected = kQueued;
    return phase.compare_exchange_strong(expected, kRunning);
  }
  void run() {
    fn();
    fn = nullptr;
    std::lock_guard<std::mutex> lock(mu);
    phase = kDone;
    finished.notify_all();
  }
};

PoolTask::PoolTask(std::function<void()> fn) : st_(std::make_shared<State>()) {
  st_->fn = std::move(fn);
  Pool& pool = Pool::get();
  if (pool.workers() == 0) {
    st_->claim();
    st_->run();
    return;
  }
  pool.post([st = st_] {
    if (st->claim()) st->run();
  });
}

bool PoolTask::done() const { return st_->phase.load() == State::kDone; }

void PoolTask::join() {
  if (st_->claim()) {
    st_->run();
    return;
  }
  std::unique_lock<std::mutex> lock(st_->mu);
  st_->finished.wait(lock, [&] { return st_->phase.load() == State::kDone; });
}

void parallel_for(size_t n, size_t min_per_task, const std::function<void(size_t, size_t)>& fn) {
  Pool& pool = Pool::get();
  size_t parts = std::min(pool.workers() + 1, min_per_task ? n / min_per_task : n);
  if (parts <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::vector<std::function<void()>> tasks;
  size_t per = (n + parts - 1) / parts;
  for (size_t b = 0; b < n; b += per) {
    size_t e = std::min(n, b + per);
    tasks.push_back([&fn, b, e] { fn(b, e); });
  }
  pool.run(tasks);
}

}  // namespace strata::promql
