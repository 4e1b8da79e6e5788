// parallel_for: splits [0, n) into contiguous ranges run on a small pool of
// worker threads (one fewer than the cores; the caller works too). Used for
// per-series work in the evaluator, which is independent across series.
// Ranges are deterministic, so results do not depend on thread timing.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace strata::promql {

// Calls fn(begin, end) for disjoint ranges covering [0, n) and returns when
// all are done. Runs inline when n is small or only one core is available.
void parallel_for(size_t n, size_t min_per_task, const std::function<void(size_t, size_t)>& fn);

// One function run on a pool worker while the caller goes on (inline when
// there is no worker). join() waits for it, or runs it on the calling
// thread if no worker has picked it up yet, so a busy pool never stalls the
// caller. The destructor joins.
class PoolTask {
 public:
  explicit PoolTask(std::function<void()> fn);
  ~PoolTask() { join(); }
  PoolTask(const PoolTask&) = delete;
  PoolTask& operator=(const PoolTask&) = delete;
  bool done() const;
  void join();

  struct State;

 private:
  std::shared_ptr<State> st_;
};

}  // namespace strata::promql
