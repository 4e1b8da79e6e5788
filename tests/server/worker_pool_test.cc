#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace strata::server {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPoolTest, GrowsSoBlockedTasksDoNotDelayOthers) {
  WorkerPool pool({.min_threads = 2, .max_threads = 64, .idle_timeout = 50ms});
  std::atomic<bool> release{false};
  std::atomic<int> started{0}, done{0};
  for (int i = 0; i < 10; ++i) {
    pool.submit([&] {
      started.fetch_add(1);
      while (!release.load()) std::this_thread::sleep_for(1ms);
      done.fetch_add(1);
    });
  }
  for (int i = 0; i < 2000 && started.load() < 10; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(started.load(), 10);
  std::atomic<bool> quick{false};
  pool.submit([&] { quick.store(true); });
  for (int i = 0; i < 2000 && !quick.load(); ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(quick.load());
  release.store(true);
  pool.shutdown();
  EXPECT_EQ(done.load(), 10);
  EXPECT_EQ(pool.threads(), 0);
}

TEST(WorkerPoolTest, ShrinksBackToMinimumWhenIdle) {
  WorkerPool pool({.min_threads = 1, .max_threads = 16, .idle_timeout = 20ms});
  std::atomic<int> n{0};
  for (int i = 0; i < 8; ++i) pool.submit([&] {
    std::this_thread::sleep_for(20ms);
    n.fetch_add(1);
  });
  for (int i = 0; i < 2000 && (n.load() < 8 || pool.threads() > 1); ++i)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(n.load(), 8);
  EXPECT_EQ(pool.threads(), 1);
}

TEST(WorkerPoolTest, RunsQueuedTasksBeforeShutdownAndRefusesNewOnes) {
  WorkerPool pool({.min_threads = 1, .max_threads = 1, .idle_timeout = 1s});
  std::atomic<int> n{0};
  for (int i = 0; i < 100; ++i) pool.submit([&] { n.fetch_add(1); });
  pool.shutdown();
  EXPECT_EQ(n.load(), 100);
  EXPECT_FALSE(pool.submit([&] { n.fetch_add(1); }));
}

TEST(WorkerPoolTest, SurvivesThrowingTasks) {
  WorkerPool pool({.min_threads = 1, .max_threads = 1, .idle_timeout = 1s});
  std::atomic<bool> ran{false};
  pool.submit([] { throw std::runtime_error("boom"); });
  pool.submit([&] { ran.store(true); });
  pool.shutdown();
  EXPECT_TRUE(ran.load());
}

}  // namespace
}  // namespace strata::server
