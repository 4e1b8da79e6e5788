#include "server/worker_pool.h"

#include <algorithm>
#include <exception>

#include "base/log.h"

namespace strata::server {

WorkerPool::WorkerPool(Options opts) : opts_(opts) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < std::max(0, opts_.min_threads); ++i) spawn_locked();
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::spawn_locked() {
  auto it = live_.emplace(live_.end());
  // The new thread starts by taking mu_, which the caller holds, so `*it`
  // is assigned before the thread can look at it.
  *it = std::thread([this, it] { loop(it); });
}

void WorkerPool::reap_locked() {
  // Threads in exited_ have left every critical section; join() only waits
  // for them to return from loop().
  for (auto& t : exited_) t.join();
  exited_.clear();
}

bool WorkerPool::submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  reap_locked();
  queue_.push_back(std::move(task));
  // Idle threads each take one queued task; spawn when there are more tasks
  // than idle threads.
  if (size_t(idle_) < queue_.size() && int(live_.size()) < opts_.max_threads) spawn_locked();
  work_cv_.notify_one();
  return true;
}

void WorkerPool::loop(ThreadList::iterator self) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) break;
      ++idle_;
      bool woken = work_cv_.wait_for(lock, opts_.idle_timeout,
                                     [this] { return !queue_.empty() || stopping_; });
      --idle_;
      if (!woken && int(live_.size()) > opts_.min_threads) break;
      continue;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      log::error("web", "Worker task threw", {{"err", e.what()}});
    } catch (...) {
      log::error("web", "Worker task threw a non-standard exception");
    }
    task = nullptr;  // destroy captured state before taking the lock again
    lock.lock();
  }
  exited_.push_back(std::move(*self));
  live_.erase(self);
  exit_cv_.notify_all();
}

void WorkerPool::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  work_cv_.notify_all();
  exit_cv_.wait(lock, [this] { return live_.empty(); });
  reap_locked();
}

int WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return int(live_.size());
}

int WorkerPool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return int(live_.size()) - idle_;
}

}  // namespace strata::server
