// WorkerPool: the threads HTTP handlers run on. Handlers may block for
// seconds (a PromQL query, a large remote-write commit), so a fixed pool would
// let a handful of slow requests stall every other connection, including
// /-/ready and /metrics. This pool grows instead: a task runs on an idle
// thread if there is one and on a new thread otherwise, up to `max_threads`
// (the listener passes --web.max-connections, and each connection has at most
// one request in a handler, so in practice nothing waits in the queue).
// Threads above `min_threads` exit after `idle_timeout` without work.
//
// Thread-safe: submit() may be called from any thread. shutdown() lets queued
// and running tasks finish and joins every thread; the destructor calls it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"

namespace strata::server {

class WorkerPool {
 public:
  struct Options {
    int min_threads = 4;
    int max_threads = 512;
    // Long enough that a steady request rate reuses threads instead of
    // creating one per request; short enough that a burst's threads go away.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  };

  explicit WorkerPool(Options opts);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a pool thread. Returns false (and drops the task) once
  // shutdown() has begun. A task that throws is logged and dropped.
  bool submit(std::function<void()> task);

  // Lets queued and running tasks finish, then joins every thread. Idempotent.
  void shutdown();

  int threads() const;  // live threads
  int busy() const;     // threads running a task

 private:
  using ThreadList = std::list<std::thread>;
  void spawn_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void reap_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void loop(ThreadList::iterator self);

  const Options opts_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a task was queued, or shutdown began
  std::condition_variable exit_cv_;  // a thread is about to exit
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  ThreadList live_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> exited_ ABSL_GUARDED_BY(mu_);  // to be joined
  int idle_ ABSL_GUARDED_BY(mu_) = 0;  // threads waiting for a task
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace strata::server
