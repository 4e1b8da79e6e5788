// Polling with a bound, for tests that wait for something asynchronous (a
// scrape, a reload, a stale marker): true as soon as `f()` is, false once
// `limit` has passed without it (then `f` is tried once more).
#pragma once

#include <chrono>
#include <thread>

namespace strata::testutil {

template <typename F>
bool eventually(F&& f, std::chrono::milliseconds limit = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(every);
  }
  return f();
}

}  // namespace strata::testutil

namespace strata::testutil {

// Runs `ioc` (an asio io_context the test drives on its own thread) in short
// slices until `done()` holds or `limit` passes; returns done().
template <typename IoContext, typename F>
bool run_until(IoContext& ioc, F&& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ioc.run_for(std::chrono::milliseconds(20));
    ioc.restart();
  }
  return done();
}

}  // namespace strata::testutil
